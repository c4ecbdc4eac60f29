"""Every organisation picker names organisations as "ACRONYM — full name", grouped by type (issue 21, item 1).

The forms are rendered as their pages render them; a picker built with a plain ModelChoiceField (the
acronym alone, no groups) fails here.
"""

import importlib
import re
from html import unescape

import pytest
from django.apps import apps as django_apps
from django.utils import translation
from django.utils.html import escape

from kinga.cases.forms import ConsentForm, PlanItemForm, ReferralForm, ServiceForm
from kinga.community.forms import ActionItemForm, FourWForm, MeetingForm, ReferForm
from kinga.core.models import Organisation, OrganisationType, Place
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.plan.forms import CommitmentForm, ImplementersForm
from kinga.sites.forms import InspectionForm, SiteForm
from kinga.sites.models import Site, Zone
from kinga.supply.forms import LotForm, ReportForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    return [
        make_organisation("Enfance et avenir du Lualaba", acronym="EAL", type=OrganisationType.NGO),
        make_organisation(
            "Fonds des Nations unies pour l'enfance", acronym="UNICEF", type=OrganisationType.UN_AGENCY
        ),
        make_organisation("Comptoir Lualaba 1 (1)", acronym="CL1", type=OrganisationType.COMPANY),
    ]


def _forms(orgs):
    qs = Organisation.objects.filter(pk__in=[o.pk for o in orgs])
    none = Organisation.objects.none()
    return {
        "consentement": ConsentForm(organisations=qs),
        "élément du plan de prise en charge": PlanItemForm(organisations=qs),
        "référence": ReferralForm(organisations=qs, services=none),
        "service": ServiceForm(organisations=qs, places=Place.objects.none()),
        "inspection": InspectionForm(organisations=qs),
        "site": SiteForm(organisations=qs, places=Place.objects.none(), zones=Zone.objects.none()),
        "réunion": MeetingForm(choices={"participant_organisations": qs}),
        "action de réunion": ActionItemForm(choices={"owner": qs}),
        "4W": FourWForm(choices={"implementing_partner": qs, "funder": qs}),
        "référence d'alerte": ReferForm(choices={"to": qs}),
        "exécutants du plan": ImplementersForm(organisations=qs),
        "engagement": CommitmentForm(funders=qs, activities=none),
        "lot": LotForm(sites=Site.objects.none(), cooperatives=qs, buyers=qs),
        "rapport de diligence": ReportForm(buyers=qs),
    }


def _shown(html: str) -> list[str]:
    """The text of each option and of each checkbox label."""
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    labels = re.findall(r"<label[^>]*>\s*<input[^>]*>\s*([^<]*)</label>", html)
    return [unescape(t).strip() for t in options + labels if t.strip()]


def _organisation_fields(form):
    """Every field of the form choosing among organisations, whatever its class."""
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and queryset.model is Organisation and queryset.exists():
            yield name


def test_every_organisation_picker_shows_the_acronym_and_the_full_name_grouped_by_type(organisations):
    with translation.override("fr"):
        for page, form in _forms(organisations).items():
            names = list(_organisation_fields(form))
            assert names, page
            for name in names:
                html = str(form[name])
                shown = _shown(html)
                for org in organisations:
                    assert f"{org.acronym} — {org.name}" in shown, (page, name, shown)
                    assert org.acronym not in shown, (page, name, "acronym alone", org.acronym)
                assert not [t for t in shown if re.fullmatch(r"\(\d+\)", t)], (page, name, shown)
                # grouped by type, each group named in French
                assert "ONG" in html and "Agence des Nations unies" in html and "Entreprise" in html, (
                    page,
                    name,
                )
                assert html.index("ONG") < html.index("EAL —"), (page, name, "not grouped")


def test_an_organisation_without_an_acronym_is_shown_by_its_name():
    org = make_organisation("Réseau communautaire de Fungurume", type=OrganisationType.COMMUNITY_NETWORK)
    Organisation.objects.filter(pk=org.pk).update(acronym="")
    org.refresh_from_db()
    assert org.label == str(org) == "Réseau communautaire de Fungurume"
    same = make_organisation("IPEMEA", acronym="IPEMEA")
    assert same.label == "IPEMEA"


def test_one_type_only_needs_no_group_heading(organisations):
    coop = make_organisation(
        "Coopérative minière Umoja 3 (1)", acronym="CMU3", type=OrganisationType.COOPERATIVE
    )
    form = LotForm(
        sites=Site.objects.none(),
        cooperatives=Organisation.objects.filter(pk=coop.pk),
        buyers=Organisation.objects.none(),
    )
    html = str(form["cooperative"])
    assert "<optgroup" not in html and "CMU3 — Coopérative minière Umoja 3 (1)" in html


def test_demo_organisations_whose_acronym_was_the_run_tag_are_shown_by_their_name():
    migration = importlib.import_module("kinga.core.migrations.0006_demo_organisation_acronyms")
    tagged = make_organisation("Comptoir Lualaba 1 (1)", acronym="(1)", type=OrganisationType.COMPANY)
    kept = make_organisation("Institut national de préparation professionnelle", acronym="INPP")
    migration.clear_tag_acronyms(django_apps, None)
    tagged.refresh_from_db()
    kept.refresh_from_db()
    assert tagged.label == "Comptoir Lualaba 1 (1)" and kept.label.startswith("INPP — ")


def test_the_audit_log_filter_names_organisations_in_full_grouped_by_type(organisations):
    coordinator = make_member(organisations[0], Role.COORDINATOR)
    with translation.override("fr"):
        html = client_for(coordinator).get("/audit/").content.decode()
    html = html[html.rindex("<select", 0, html.index('id="organisation"')) :]  # the searchable picker
    html = html[: html.index("</select>")]
    unicef = organisations[1]
    assert '<optgroup label="Agence des Nations unies">' in html
    assert escape(f"UNICEF — {unicef.name}") in html
    assert html.index('<optgroup label="ONG">') < html.index("EAL — ") < html.index('<optgroup label="Agence')
