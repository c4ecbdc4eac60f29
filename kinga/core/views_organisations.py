"""Organisations and their members: administrators manage organisations, administrators and organisation
managers manage members (invite, role, supervisor, deactivate)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, invitations, selectors, services
from kinga.core.forms import MemberForm, OrganisationForm, apply_service_errors, form_page
from kinga.core.models import Membership, Organisation
from kinga.core.roles import Role


def _can_manage_members_of(actor, organisation) -> bool:
    return actor.has("core.manage_members") and (
        actor.is_system_wide or organisation.pk == actor.organisation_id
    )


@login_required
def organisation_detail(request, org_uuid):
    actor = request.actor
    organisation = access.get_object_or_404(actor, Organisation, uuid=org_uuid)
    context = {
        "organisation": organisation,
        "aliases": [
            a.alias
            for a in organisation.aliases.all()
            if a.alias not in (organisation.name, organisation.acronym)
        ],
        "areas": organisation.areas.all(),
        "can_edit": actor.has("core.manage_organisations"),
        "can_manage_members": _can_manage_members_of(actor, organisation),
    }
    if context["can_manage_members"]:
        q = request.GET.get("q", "").strip()
        context["q"] = q
        context["page"] = Paginator(selectors.members(actor, organisation=organisation, q=q), 50).get_page(
            request.GET.get("page")
        )
    return render(request, "core/organisation_detail.html", context)


@login_required
def organisation_add(request):
    actor = request.actor
    access.require(actor, "core.manage_organisations")
    return form_page(
        request,
        OrganisationForm(request.POST or None, areas=selectors.operation_areas(actor)),
        title=_("New organisation"),
        save=lambda data: services.create_organisation(actor=actor, **data),
        success=lambda organisation: _("Organisation “%(name)s” created.") % {"name": organisation.name},
        done=lambda organisation: reverse("core:organisation", kwargs={"org_uuid": organisation.uuid}),
        cancel=reverse("core:organisations"),
    )


@login_required
def organisation_edit(request, org_uuid):
    actor = request.actor
    organisation = access.get_object_or_404(
        actor, Organisation, perm="core.manage_organisations", uuid=org_uuid
    )
    back = reverse("core:organisation", kwargs={"org_uuid": organisation.uuid})
    return form_page(
        request,
        OrganisationForm(
            request.POST or None, areas=selectors.operation_areas(actor), organisation=organisation
        ),
        title=_("Edit the organisation"),
        save=lambda data: services.update_organisation(actor=actor, organisation=organisation, **data),
        success=_("Organisation updated."),
        done=lambda _saved: back,
        cancel=back,
    )


def _role_choices(actor):
    admin = actor.is_system or actor.role == Role.ADMIN
    return [(v, label) for v, label in Role.choices if admin or v not in services.ROLES_ONLY_ADMINS_APPOINT]


@login_required
def member_add(request, org_uuid):
    actor = request.actor
    # Outside the organisations the actor manages, the organisation does not exist for them (404).
    organisation = access.get_object_or_404(
        actor,
        Organisation,
        perm="core.manage_members",
        queryset=selectors.manageable_organisations(actor),
        uuid=org_uuid,
    )

    def invited(membership):
        # The invitation link is shown once, on the member's page, for where e-mail does not reach.
        invitation = None
        if not membership.user.has_usable_password():
            invitation = request.build_absolute_uri(invitations.invitation_path(membership.user))
            services.send_invitation(
                actor=actor, membership=membership, base_url=request.build_absolute_uri("/")
            )
        return render(request, "core/member.html", _member_context(actor, membership, invitation=invitation))

    return form_page(
        request,
        MemberForm(
            request.POST or None,
            roles=_role_choices(actor),
            supervisors=selectors.supervisors(actor, organisation),
        ),
        title=_("Add a member"),
        intro=_(
            "The person gets a role in %(org)s. A new account receives an invitation to choose its password."
        )
        % {"org": organisation},
        save=lambda data: services.add_member(actor=actor, organisation=organisation, **data),
        success=lambda membership: _("%(email)s added.") % {"email": membership.user.email},
        done=invited,
        submit_label=_("Add"),
        back=(reverse("core:organisation", kwargs={"org_uuid": organisation.uuid}), str(organisation)),
    )


def _member_context(actor, membership, *, form=None, invitation=None) -> dict:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "invitation": invitation,
        "form": form
        or MemberForm(
            roles=_role_choices(actor),
            supervisors=selectors.supervisors(actor, membership.organisation).exclude(pk=membership.pk),
            editing=True,
            initial={"role": membership.role, "supervisor": membership.supervisor_id},
        ),
        "can_change": membership.role not in services.ROLES_ONLY_ADMINS_APPOINT
        or actor.is_system
        or actor.role == Role.ADMIN,
    }


@login_required
def member_edit(request, member_uuid):
    actor = request.actor
    membership = access.get_object_or_404(actor, Membership, uuid=member_uuid)
    form = None
    if request.method == "POST":
        form = MemberForm(
            request.POST,
            roles=_role_choices(actor),
            supervisors=selectors.supervisors(actor, membership.organisation).exclude(pk=membership.pk),
            editing=True,
        )
        if form.is_valid():
            try:
                services.update_member(actor=actor, membership=membership, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Member updated."))
                return redirect("core:member", member_uuid=membership.uuid)
    context = _member_context(actor, membership, form=form)
    return render(request, "core/member.html", context, status=400 if form and form.errors else 200)


@login_required
@require_POST
def member_set_active(request, member_uuid):
    actor = request.actor
    membership = access.get_object_or_404(actor, Membership, uuid=member_uuid)
    active = request.POST.get("active") == "1"
    try:
        services.update_member(actor=actor, membership=membership, is_active=active)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Member reactivated.") if active else _("Member deactivated."))
    return redirect("core:member", member_uuid=membership.uuid)
