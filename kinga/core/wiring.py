"""The core's registrations at start-up: wire() is called once by CoreConfig.ready(); importing schema registers
the OpenAPI extensions, importing checks the deployment checks."""

from django.apps import apps
from django.db.models import Q
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from kinga.core import access, checks, pickers, schema, selectors, tallies, text  # noqa: F401  (defining their classes and checks registers them)
from kinga.core.db_roles import grant_after_migrate
from kinga.core.models import ApiToken, AuditEvent, Membership, Organisation, Place, PlaceLevel, User
from kinga.core.plugins import register_nav, register_reference_loader, register_synth_generator
from kinga.core.reference import load_organisations, load_places
from kinga.core.synth_core import generate_core


def wire() -> None:
    access.register(Place, scope=access.unscoped, view_permission="core.view_places")
    access.register(Organisation, scope=access.unscoped, view_permission="core.view_organisations")
    access.register(Membership, scope=access.own_organisation(), view_permission="core.manage_members")
    access.register(User, scope=_users_in_scope, view_permission="core.manage_members")
    access.register(AuditEvent, scope=_audit_scope, view_permission="core.view_audit")
    access.register(ApiToken, scope=_own_tokens, view_permission="core.use_api")

    pickers.register(
        pickers.Kind(
            name="places",
            choices=lambda actor: selectors.places(actor).filter(level__gte=PlaceLevel.PROVINCE),
            search=pickers.search_places,
            labels=pickers.place_labels,
            home=lambda actor: pickers.under_home(actor, "path"),
            order=("level", "name"),
        )
    )
    pickers.register(
        pickers.Kind(
            name="organisations",
            choices=lambda actor: selectors.organisations(actor).filter(is_active=True),
            search=_search_organisations,
            labels=lambda organisations: [o.label for o in organisations],
            home=lambda actor: Q(pk=actor.organisation_id) if actor.organisation_id else None,
            order=("name",),
        )
    )

    register_nav(_("Home"), "core:home", permission="core.view_home", order=0)
    register_nav(_("Places"), "core:places", permission="core.view_places", order=900)
    register_nav(_("Organisations"), "core:organisations", permission="core.view_organisations", order=910)
    register_nav(_("Audit trail"), "core:audit", permission="core.view_audit", order=990)

    register_reference_loader("places", load_places, order=0)
    register_reference_loader("organisations", load_organisations, order=10)
    register_synth_generator("core", generate_core, order=0)
    # Bidi controls stripped from every form and API text field (kinga.core.text).
    text.install()

    # After every migration run as the owner, the runtime role's grants cover the new tables.
    post_migrate.connect(
        grant_after_migrate, sender=apps.get_app_config("core"), dispatch_uid="kinga.core.db_roles"
    )
    # A tally new or redefined since the last migration is built from the records (kinga.core.tallies).
    post_migrate.connect(
        tallies.build_after_migrate, sender=apps.get_app_config("core"), dispatch_uid="kinga.core.tallies"
    )


def _search_organisations(queryset, word):
    # An alias may match several times: the organisation once.
    matching = Q(name__icontains=word) | Q(acronym__icontains=word) | Q(aliases__alias__icontains=word)
    return queryset.filter(pk__in=Organisation.objects.filter(matching).values("pk"))


def _users_in_scope(actor, queryset):
    if actor.is_system_wide:
        return queryset
    return queryset.filter(memberships__organisation_id=actor.organisation_id).distinct()


def _audit_scope(actor, queryset):
    # Coordinators and administrators browse the whole trail; nobody else reaches it (permission).
    return queryset


def _own_tokens(actor, queryset):
    return queryset.filter(user=actor.user)
