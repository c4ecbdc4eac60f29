"""The searchable picker (kinga.core.pickers): its search endpoint answers only what the actor may see (403 for a
role without the permission, 404 for a kind that does not exist, the login page for an anonymous visitor); places
are named with their territory and province, the actor's own area first; without JavaScript the field is the plain
<select> and a form posted from it is saved."""

import re

import pytest
from django import forms
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.test import Client

from kinga.core import access, pickers
from kinga.core.models import Membership, Organisation, Place, PlaceLevel
from kinga.core.organisation_fields import OrganisationChoiceField
from kinga.core.roles import Role
from kinga.core.services.places import create_place
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db


def _values(html: str) -> list[str]:
    return re.findall(r'data-value="([^"]+)"', html)


def _labels(html: str) -> list[str]:
    return [label.strip() for label in re.findall(r'class="picker-option"[^>]*>([^<]+)<', html)]


def test_an_anonymous_visitor_is_sent_to_the_login_page(reference_places):
    response = Client().get("/choisir/places/?q=kol")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_kind_that_does_not_exist_is_not_found(reference_places):
    client = client_for(make_member(make_organisation(), Role.CASEWORKER))
    assert client.get("/choisir/children/?q=a").status_code == 404


def test_a_member_without_a_role_may_search_nothing(reference_places):
    member = make_member(make_organisation(), Role.CASEWORKER)
    Membership.objects.filter(pk=member.pk).update(is_active=False)
    member.refresh_from_db()
    client = client_for(member)
    assert client.get("/choisir/places/?q=kol").status_code == 403
    assert client.get("/choisir/organisations/?q=a").status_code == 403


def test_places_are_named_with_their_territory_and_province(kolwezi):
    member = make_member(make_organisation(), Role.CASEWORKER)
    client = client_for(member)
    html = client.get("/choisir/places/?q=kolwezi").content.decode()
    assert "Kolwezi, Lualaba" in _labels(html)
    assert str(kolwezi.pk) in _values(html)
    village = create_place(actor=actor_of(member), name="Kanina", level=PlaceLevel.VILLAGE, parent=kolwezi)
    html = client.get("/choisir/places/?q=kanina&value=uuid").content.decode()
    assert _labels(html) == ["Kanina, Kolwezi, Lualaba"]
    assert _values(html) == [str(village.uuid)]  # the field's to_field_name, as its <option>s hold


def test_every_word_typed_must_match_and_nothing_found_is_said(kolwezi):
    client = client_for(make_member(make_organisation(), Role.CASEWORKER))
    assert "Kolwezi, Lualaba" in _labels(client.get("/choisir/places/?q=CD7201").content.decode())
    html = client.get("/choisir/places/?q=kolwezi+zzzz").content.decode()
    assert _values(html) == [] and "Aucun résultat pour « kolwezi zzzz »" in html


def test_the_actors_own_area_comes_first(reference_places, lualaba):
    kasai = Place.objects.get(pcode="CD91")  # Kasaï-Oriental: a "Ka…" place far from Lualaba
    organisation = make_organisation()
    organisation.areas.add(lualaba)
    near = client_for(make_member(organisation, Role.CASEWORKER))
    labels = _labels(near.get("/choisir/places/?q=ka").content.decode())
    in_lualaba = [label.endswith("Lualaba") for label in labels]
    assert any(in_lualaba) and not all(in_lualaba)
    assert in_lualaba == sorted(in_lualaba, reverse=True)  # every Lualaba place before any other
    elsewhere = make_organisation()
    elsewhere.areas.add(kasai)
    labels = _labels(
        client_for(make_member(elsewhere, Role.CASEWORKER)).get("/choisir/places/?q=ka").content.decode()
    )
    assert not labels[0].endswith("Lualaba")


def test_organisations_are_found_by_acronym_name_or_alias_labelled_and_inactive_ones_are_not(kolwezi):
    mine = make_organisation("Bureau pour le volontariat au service de l'enfance", acronym="BVES")
    client = client_for(make_member(mine, Role.CASEWORKER))
    closed = make_organisation("Organisation fermée des volontaires", acronym="OFV")
    Organisation.objects.filter(pk=closed.pk).update(is_active=False)
    mine.aliases.create(alias="Bureau volontariat", normalised="bureau volontariat")
    for typed in ("bves", "volontariat au", "bureau volontariat"):
        html = client.get(f"/choisir/organisations/?q={typed}").content.decode()
        assert "BVES — Bureau pour le volontariat au service de l&#x27;enfance" in html, typed
    html = client.get("/choisir/organisations/?q=volonta").content.decode()
    assert str(mine.pk) in _values(html) and str(closed.pk) not in _values(html)
    # The actor's own organisation first when nothing is typed yet.
    other = make_organisation("Aaa premier par le nom", acronym="AAA")
    assert _values(client.get("/choisir/organisations/?q=").content.decode())[0] == str(mine.pk)
    assert str(other.pk) in _values(client.get("/choisir/organisations/?q=aaa").content.decode())


@pytest.fixture
def members_kind():
    """A kind over a model scoped to the actor's organisation (memberships, for managers only)."""
    pickers.register(
        pickers.Kind(
            name="test-members",
            choices=lambda actor: access.scoped(actor, Membership).select_related("user"),
            search=lambda queryset, word: queryset.filter(user__full_name__icontains=word),
            labels=lambda memberships: [m.user.full_name for m in memberships],
        )
    )
    yield
    pickers.unregister("test-members")


def test_the_search_answers_within_the_kinds_access_rule(members_kind, reference_places):
    """Another organisation's records are not found; a role without the kind's permission gets 403."""
    mine, theirs = make_organisation(), make_organisation()
    manager = make_member(mine, Role.ORG_MANAGER)
    colleague, stranger = make_member(mine, Role.CASEWORKER), make_member(theirs, Role.CASEWORKER)
    html = client_for(manager).get("/choisir/test-members/?q=test").content.decode()
    assert str(colleague.pk) in _values(html) and str(stranger.pk) not in _values(html)
    assert client_for(colleague).get("/choisir/test-members/?q=test").status_code == 403


def _select(html: str, name: str) -> dict[str, str]:
    """The <option>s of picker field `name` (label -> value)."""
    select = re.search(
        rf'<div class="picker[^"]*"[^>]*>\s*<select name="{name}"[^>]*>(.*?)</select>', html, re.S
    )
    assert select, f"the {name} field is a picker holding a plain select"
    return {
        label: value
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', select.group(1))
    }


def _far_villages(count: int) -> Place:
    """`count` villages in a territory of Kasaï-Oriental, far from Lualaba (bulk: a national database's size)."""
    territory = Place.objects.filter(pcode__startswith="CD91", level=PlaceLevel.TERRITORY).first()
    Place.objects.bulk_create(
        Place(name=f"Village lointain {n:04d}", level=PlaceLevel.VILLAGE, parent=territory)
        for n in range(count)
    )
    Place.objects.filter(parent=territory, level=PlaceLevel.VILLAGE).update(
        path=Concat(Value(territory.path), Cast("id", CharField()), Value("/"))
    )
    return territory


def test_a_form_stays_small_however_many_places_the_database_holds(kolwezi, lualaba):
    """The <select> holds the first choices (the actor's own area first), never every place: the case
    registration form weighs the same with 3,000 more villages."""
    organisation = make_organisation()
    organisation.areas.add(lualaba)
    client = client_for(make_member(organisation, Role.CASEWORKER))
    before = client.get("/cases/register/").content.decode()
    _far_villages(3000)
    after = client.get("/cases/register/").content.decode()
    assert abs(len(after) - len(before)) < 2000, (len(before), len(after))
    assert len(after) < 120_000
    for name in ("residence", "place_of_origin", "identification_place"):
        options = _select(after, name)
        assert len(options) <= pickers.MAX_RESULTS + 1  # and the empty choice
        in_lualaba = [label.endswith("Lualaba") for label in options if label.strip("-")]
        assert in_lualaba[0] and in_lualaba == sorted(in_lualaba, reverse=True)  # the actor's area first
        assert f'name="{name}__chercher"' in after  # and a way to search the others
    assert "Village lointain" not in after


def test_a_choice_not_rendered_is_accepted_and_the_search_without_javascript_finds_it(kolwezi, lualaba):
    """Without JavaScript: « Chercher » sends the form back, not saved, everything typed kept, the matches in
    the <select>; the far village chosen from them saves. A value posted directly (picker.js) saves too."""
    organisation = make_organisation()
    organisation.areas.add(lualaba)
    client = client_for(make_member(organisation, Role.CASEWORKER))
    _far_villages(200)
    far = Place.objects.get(name="Village lointain 0123")
    typed = {"survey_id": "KZI-7", "place": "", "head_name": "Mujinga", "size": "4"}
    response = client.post(
        "/households/nouveau/", {**typed, "place__chercher": "lointain 0123", "picker-search": "place"}
    )
    html = response.content.decode()
    assert response.status_code == 400  # shown again, nothing saved
    assert "Recherche « lointain 0123 » : 1 résultat dans la liste" in html
    assert 'value="Mujinga"' in html and 'value="KZI-7"' in html and 'value="lointain 0123"' in html
    options = _select(html, "place")
    label = next(label for label in options if label.startswith("Village lointain 0123"))
    assert options[label] == str(far.uuid)
    nothing = client.post(
        "/households/nouveau/", {**typed, "place__chercher": "zzzz", "picker-search": "place"}
    )
    assert "Aucun résultat pour « zzzz »" in nothing.content.decode()
    # Chosen and saved (the search text left in its box is ignored when « Enregistrer » is pressed).
    response = client.post("/households/nouveau/", {**typed, "place": str(far.uuid), "place__chercher": "x"})
    assert response.status_code == 302, response.content.decode()[:2000]
    # A value never rendered (another far village, as picker.js adds it) is accepted; the chosen one is rendered.
    other = Place.objects.get(name="Village lointain 0199")
    response = client.post("/households/nouveau/", {**typed, "survey_id": "KZI-8", "place": str(other.uuid)})
    assert response.status_code == 302


def test_the_field_accepts_what_the_actor_may_choose_rendered_or_not_and_refuses_the_rest(
    members_kind, reference_places
):
    """A field over a scoped kind (memberships of the manager's organisation): a colleague beyond the rendered
    ones validates; another organisation's member and a value of the wrong shape are refused."""
    mine, theirs = make_organisation(), make_organisation()
    manager = make_member(mine, Role.ORG_MANAGER)
    colleagues = [make_member(mine, Role.CASEWORKER) for _n in range(pickers.MAX_RESULTS + 5)]
    stranger = make_member(theirs, Role.CASEWORKER)
    actor = actor_of(manager)

    class TeamForm(forms.Form):
        member = pickers.PickerChoiceField("test-members", queryset=Membership.objects.none())

    def form(data=None):
        made = TeamForm(data)
        made.fields["member"].queryset = access.scoped(actor, Membership).order_by("pk")
        return made

    with pickers.serving(actor):
        html = str(form()["member"])
    rendered = set(re.findall(r'<option value="(\d+)"', html))
    assert len(rendered) == pickers.MAX_RESULTS
    last = colleagues[-1]
    assert str(last.pk) not in rendered
    assert form({"member": str(last.pk)}).is_valid()
    assert str(last.pk) in str(form({"member": str(last.pk)})["member"])  # the chosen one is shown
    refused = form({"member": str(stranger.pk)})
    assert not refused.is_valid() and "member" in refused.errors
    assert not form({"member": "nonsense"}).is_valid()


def test_an_inactive_organisation_is_refused_even_when_posted(kolwezi):
    closed = make_organisation("Organisation fermée des volontaires", acronym="OFV")
    Organisation.objects.filter(pk=closed.pk).update(is_active=False)
    field = OrganisationChoiceField(queryset=Organisation.objects.filter(is_active=True))
    with pytest.raises(forms.ValidationError):
        field.clean(str(closed.pk))


def test_a_refused_form_lists_its_problems_at_the_top_with_links_to_the_fields(kolwezi):
    client = client_for(make_member(make_organisation(), Role.CASEWORKER))
    response = client.post(
        "/households/nouveau/", {"survey_id": "", "place": "", "head_name": "", "size": "x"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary[^"]*"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "Rien n’a encore été enregistré" in summary or "Rien n'a encore été enregistré" in summary
    for field in ("survey_id", "place", "head_name", "size"):
        assert f'href="#id_{field}"' in summary and f'id="id_{field}"' in html
    assert html.index("error-summary") < html.index('id="id_survey_id"')
