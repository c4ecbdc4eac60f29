"""The cases app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core import memo, pickers, plugins

from . import cohort_tallies, indicators, synth_facilities  # noqa: F401  (register the CASES_* indicator sources and tallies)
from .api import register_api
from .api_facilities import register_facilities_api
from .home import register_panels
from .rules import register_rules
from .selectors import CASES_BY_STATUS, services_directory
from .selectors_facilities import FACILITIES_IN_CARE
from .selectors_nonreturn import SCOPED_FIGURES, SCOPED_FIGURES_MODELS
from .synth import demo_handover, generate_cases


def wire() -> None:
    register_rules()
    memo.register_figure(CASES_BY_STATUS, apps=("cases.Case",))
    memo.register_figure(FACILITIES_IN_CARE, apps=("cases.Referral", "cases.Case"))
    memo.register_figure(SCOPED_FIGURES, apps=SCOPED_FIGURES_MODELS)
    plugins.register_nav(_("My caseload"), "cases:caseload", permission="cases.view_identity", order=20)
    plugins.register_nav(_("Register a child"), "cases:register", permission="cases.register", order=21)
    plugins.register_nav(_("My team"), "cases:team", permission="cases.approve", order=22)
    plugins.register_nav(
        _("Referrals received"), "cases:referrals_in", permission="cases.provide_service", order=23
    )
    plugins.register_nav(_("Services directory"), "cases:services", permission="cases.view_counts", order=24)
    plugins.register_nav(_("Care facilities"), "cases:facilities", permission="cases.view_counts", order=24)
    plugins.register_nav(_("Case statistics"), "cases:stats", permission="cases.view_counts", order=25)
    plugins.register_nav(
        _("Monitoring of non-return"), "cases:non_return", permission="cases.view_counts", order=25
    )
    plugins.register_nav(_("Case management rules"), "cases:rules", permission="cases.configure", order=26)
    plugins.register_synth_generator("cases", generate_cases, order=60)
    plugins.register_synth_generator("cases-facilities", synth_facilities.generate, order=61)
    plugins.register_demo_handover("cases", demo_handover, order=60)
    # A child's cases (and through them alert links and household members) follow the
    # child when the registry merges two records of one child.
    plugins.register_child_link("cases.Case", "child")
    # Before the cases' routes: /cases/<uuid>/ would otherwise take /cases/facilities/.
    register_facilities_api()
    register_api()
    register_panels()
    pickers.register(
        pickers.Kind(
            name="services",
            choices=lambda actor: services_directory(actor),
            search=_search_services,
            labels=lambda services: [_service_label(s) for s in services],
            home=lambda actor: pickers.under_home(actor, "place__path"),
            order=("name", "pk"),
        )
    )


def _search_services(queryset, word):
    return queryset.filter(
        Q(name__icontains=word)
        | Q(organisation__name__icontains=word)
        | Q(organisation__acronym__icontains=word)
        | Q(place__name__icontains=word)
    )


def _service_label(service) -> str:
    # The service, who provides it and where: three services named "Scolarisation" differ by the last two.
    return f"{service.name} — {service.organisation.label} ({service.place.name})"
