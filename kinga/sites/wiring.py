"""The sites app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core import access, events, memo, pickers, plugins
from kinga.core.models import Place
from kinga.sites import (  # noqa: F401
    api,
    api_movements,
    home,
    indicators,
    models,
    scopes,
    selectors,
    services,
    synth,
    synth_movements,
)
from kinga.sites.services import ensure_default_rules


def wire() -> None:
    memo.register_figure(selectors.SITE_STATUSES_AT, apps=("sites.Site", "sites.StatusChange"))
    # Sites are public knowledge (IPIS publishes them); what is sensitive about a site is its children,
    # and those stay in the cases: the site holds counts only.
    for model in (
        models.Site,
        models.Zone,
        models.ZoneStudy,
        models.Inspection,
        models.CorrectiveAction,
        models.StatusChange,
        models.SiteEvidence,
        models.StatusRule,
    ):
        access.register(model, scope=access.unscoped, view_permission="sites.view")
    # Photos may show children's faces: only inspectors and the people who act on sites see them.
    access.register(models.InspectionPhoto, scope=access.unscoped, view_permission="sites.view_photos")
    # Movements are counts, but which organisation observed what, where, is its own: scoped.
    for model in (models.MovementObservation, models.Relocation):
        access.register(model, scope=scopes.movement_records, view_permission="sites.view_movements")
    events.subscribe("cases.child_identified_at_site", services.on_child_identified)
    events.subscribe("community.alert_verified", services.on_alert_verified)
    home.register_panels()
    pickers.register(
        pickers.Kind(
            name="sites",
            choices=lambda actor: access.scoped(actor, models.Site),
            search=_search_sites,
            labels=_site_labels,
            home=lambda actor: pickers.under_home(actor, "place__path"),
            order=("name", "pk"),
            nearest=pickers.by_distance,
        )
    )
    plugins.register_nav(_("Mine sites"), "sites:list", permission="sites.view", order=50)
    plugins.register_nav(_("Sites map"), "sites:map", permission="sites.view", order=51)
    plugins.register_nav(_("Artisanal zones (ZEA)"), "sites:zones", permission="sites.view", order=52)
    plugins.register_nav(
        _("Movements around sites"), "sites:movements", permission="sites.view_movements", order=53
    )
    plugins.register_reference_loader("sites-rules", _load_rules, order=60)
    plugins.register_api("sites", api.SiteViewSet, basename="site")
    plugins.register_api("site-inspections", api.InspectionViewSet, basename="site-inspection")
    plugins.register_api("zones", api.ZoneViewSet, basename="zone")
    plugins.register_synth_generator("sites", synth.generate_sites, order=40)
    plugins.register_synth_generator("site-movements", synth_movements.generate, order=46)
    api_movements.register()


def _load_rules(*, actor, stdout=None) -> None:

    ensure_default_rules()
    if stdout:
        stdout.write("sites : règles de statut prêtes")


def _search_sites(queryset, word):
    return queryset.filter(
        Q(name__icontains=word) | Q(code__icontains=word) | Q(territory__name__icontains=word)
    )


def _site_labels(sites) -> list[str]:
    # Sites are named after hills and rivers that recur: the territory tells them apart. One query for all.
    territory_ids = {s.territory_id for s in sites}
    names = dict(Place.objects.filter(pk__in=territory_ids).values_list("pk", "name")) if sites else {}
    return [f"{s.name} ({names[s.territory_id]})" if s.territory_id in names else s.name for s in sites]
