"""Every page is French: no untranslated text, no internal code, no English word — on every page, as every role.
The same walk counts each page's database queries (and each API list's): no page may read once per row.

After `kinga synth` and `kinga demo-accounts`, each demo account opens every page of the URL configuration: the pages
without a parameter, then the links they show (object pages, their forms, their sub-pages: real ids from the demo
data), at most a few of each route. What a person reads on each (text, titles, placeholders, labels of buttons,
the refusal and "not found" pages) is read with an independent HTML parser and fails the test when it holds:
- a source string (msgid) of a catalogue shown as it is, untranslated;
- an internal code: a choice's stored value (`care_plan`, `low_income`, `blue`…) where its label belongs, or a
  model's label (`community.actionitem`);
- an English word of kinga/core/tests/english_words.txt;
- a date written another way than dd/mm/yyyy: ISO (2026-12-05), with its month in words (5 décembre 2026,
  December 5), a two-digit year (05/12/26), or month first (12/25/2026).
Names of organisations, sites and places (proper nouns) and text inside <code> are not read as words."""

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.apps import apps
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import translation

from kinga.core.models import Membership
from kinga.core.testing import client_for, page_urls
from kinga.core.tests.table_cells import unlabelled_cells
from kinga.households.index import DEFAULT_THRESHOLDS, ITEM_CODES
from kinga.urls import router

ROOT = Path(__file__).resolve().parents[3]
ENGLISH = {
    line.strip()
    for line in (Path(__file__).parent / "english_words.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
}
# E-mail addresses and web addresses are not words of a sentence.
ADDRESS = re.compile(r"\S+@\S+|https?://\S+")
WORD = re.compile(r"[^\W\d]+(?:_[^\W\d]+)*", re.UNICODE)
# Links that are not pages (files, data, actions) or that leave the session (logout, language switch).
SKIPPED = re.compile(
    r"^/(api/|health|i18n/|jsi18n|static/|media/|accounts/logout)|\.(json|csv|xlsx|pdf|xml|zip|geojson)$"
    r"|/(export|exporter|telecharger|pdf|photo|document|fichier|modele|envoyer|sms|download)/?$"
)
PER_ROUTE = 2
# Queries a page may make (issue 19: at national scale a query per row is a page that cannot be fast). The pages
# that compute the plan's indicators read one figure per indicator, whatever the number of records: theirs are
# pinned here, so that a new indicator or a new figure is a decision, not a drift.
QUERY_BUDGET = 30
QUERY_BUDGETS = {
    "plan/indicateurs/": 70,
    "plan/niveaux/": 60,
    "suivi/": 110,  # one figure per indicator for an organisation's own records (the fund's four added)
    "/api/v1/monitoring/dashboard/": 110,  # the home page's figures and their series (the fund's four added)
    "suivi/cout-par-resultat/": 40,
    "/api/v1/monitoring/costs-per-result/": 40,
    "plan/actions/<uuid:action_uuid>/": 40,
}
# The same query (numbers and quoted values aside) this many times in one request is a query per row.
REPEAT_LIMIT = 12
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
# Dates written another way than dd/mm/yyyy (the brief: "dates dd/mm/yyyy"): each pattern with what it is.
_MONTHS = (
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    "|janv|févr|avr|juil|sept|oct|nov|déc"
    "|january|february|march|april|june|july|august|september|october|november|december"
)
OTHER_DATES = [
    (re.compile(r"(?<![\w/.-])\d{4}-\d{2}-\d{2}(?![\w/-])"), "ISO date"),
    (re.compile(rf"\b\d{{1,2}}(?:er)?\.? (?:{_MONTHS})\.?,? \d{{4}}\b", re.IGNORECASE), "month in words"),
    (re.compile(rf"\b(?:{_MONTHS})\.? \d{{1,2}},? \d{{4}}\b", re.IGNORECASE), "month in words"),
    (re.compile(r"(?<![\w/.])\d{1,2}/\d{1,2}/\d{2}(?![\w/.])"), "two-digit year"),
    (re.compile(r"(?<![\w/.])\d{1,2}/(?:1[3-9]|2\d|3[01])/\d{4}\b"), "month first"),
]
# Visible attributes: what a screen reader or a hover shows is read too.
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


class _Text(HTMLParser):
    """The text a person reads: data outside <script>/<style>/<code>, and the visible attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "code", "kbd", "template"):
            self.hidden += 1
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.append(attrs["href"])
        for name in VISIBLE_ATTRIBUTES & set(attrs):
            self.texts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style", "code", "kbd", "template"):
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "kbd", "template"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data)


def _catalogue_msgids() -> set[str]:
    """English source strings whose French differs: seen on a page, they were not translated."""
    msgids = set()
    for path in ROOT.glob("kinga/*/locale/fr/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            for msgid, msgstr in [(entry.msgid, entry.msgstr), (entry.msgid_plural, None)]:
                text = " ".join(msgid.split())
                if len(text) > 3 and " " in text and "%" not in text and "{" not in text and msgstr != msgid:
                    msgids.add(text)
    return msgids


def _french_words() -> set[str]:
    words = set()
    for path in ROOT.glob("kinga/*/locale/fr/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            words |= {w.lower() for w in WORD.findall(entry.msgstr + " " + entry.msgstr_plural.get(0, ""))}
    return words


def _codes(french: set[str]) -> tuple[set[str], set[str]]:
    """Stored values of the choices of every Kinga model (those that are not a French word themselves), and
    the models' labels (`app.model`)."""
    codes, labels = set(), set()
    for model in apps.get_models():
        if not model.__module__.startswith("kinga."):
            continue
        labels.add(model._meta.label_lower)
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if (
                    isinstance(value, str)
                    and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", value)
                    and value != str(label).lower()
                    and ("_" in value or value not in french)
                    and len(value) > 2
                ):
                    codes.add(value)
    # Codes that are not a model's choices: the criteria of the vulnerability index and their thresholds.
    codes |= set(ITEM_CODES) | set(DEFAULT_THRESHOLDS)
    return codes, labels


def _proper_names() -> set[str]:
    """Words of the names of organisations, sites, places, networks…: proper nouns may be English."""
    words: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("kinga."):
            continue
        for name in ("name", "acronym", "full_name"):
            try:
                field = model._meta.get_field(name)
            except Exception:
                continue
            if isinstance(field, models.CharField) and not getattr(field, "protected", False):
                for value in model.objects.values_list(name, flat=True).iterator():
                    words |= {w.lower() for w in WORD.findall(value or "")}
    return words


def _read(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    return parser


def problems(page: str | _Text, *, msgids, codes, labels, english, names) -> tuple[list[str], list[str]]:
    """What is not French on a page (its HTML, or as _read read it), and the links it shows."""
    parser = _read(page) if isinstance(page, str) else page
    found = []
    for raw in parser.texts:
        text = " ".join(ADDRESS.sub(" ", raw).split())
        if not text:
            continue
        if text in msgids:
            found.append(f"untranslated « {text} »")
            continue
        for pattern, kind in OTHER_DATES:
            found += [f"date « {m.group(0)} » ({kind}) in « {text[:80]} »" for m in pattern.finditer(text)]
        for label in labels:
            if label in text:
                found.append(f"model label « {label} » in « {text[:80]} »")
        for word in WORD.findall(text):
            low = word.lower()
            if low in names:
                continue
            if word in codes:
                found.append(f"code « {word} » in « {text[:80]} »")
            elif low in english:
                found.append(f"English « {word} » in « {text[:80]} »")
    return found, parser.links


def _route(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).route
    except Resolver404:
        return None


@pytest.mark.django_db
def test_the_check_sees_each_kind_of_defect():
    french = _french_words()
    codes, labels = _codes(french)
    context = {
        "msgids": _catalogue_msgids(),
        "codes": codes,
        "labels": labels,
        "english": ENGLISH - french,
        "names": {"kasulo"},
    }
    page = (
        "<p>Prochaine tâche : assessment</p><p>État : blue → green</p><td>low_income</td>"
        "<td>community.actionitem</td><button>Same child</button><small>Next task</small>"
        '<input placeholder="Please"><p>Kasulo</p><code>care_plan</code><p>a@b.cd</p>'
        "<td>2026-12-05</td><td>5 décembre 2026</td><td>12/25/2026</td><td>05/12/26</td>"
    )
    found, _links = problems(page, **context)
    text = "\n".join(found)
    for expected in (
        "« assessment »",
        "« blue »",
        "« green »",
        "« low_income »",
        "community.actionitem",
        "untranslated « Same child »",
        "untranslated « Next task »",
        "« Please »",
        "« 2026-12-05 » (ISO date)",
        "« 5 décembre 2026 » (month in words)",
        "« 12/25/2026 » (month first)",
        "« 05/12/26 » (two-digit year)",
    ):
        assert expected in text, (expected, found)
    assert "care_plan" not in text and "Kasulo" not in text
    clean, _links = problems(
        "<p>Prochaine tâche : évaluation — 05/12/2026 08:30</p><p>1 compte</p><p>Plan 2021-2025, CD7201</p>"
        "<p>mai 2026</p><p>24/12/2026</p>",
        **context,
    )
    assert clean == []


# French plural: 0 and 1 take the singular (« 1 compte », « 0 alerte »). Words that end in s or x in the singular.
INVARIABLE = {
    "mois", "fois", "cas", "pays", "poids", "prix", "choix", "temps", "avis", "corps", "bois", "repas", "accès",
    "succès", "procès", "progrès", "processus", "plus", "sous", "dans", "depuis", "pas", "très", "alors",
}  # fmt: skip
SINGULAR_COUNT = re.compile(r"(?<![\d,.\u202f\xa0 ])\b[01]\s+([^\W\d]+[sx])\b")
PLURAL_COUNT = re.compile(
    r"(?<![\d,.])\b([2-9]|[1-9]\d+)\s+(compte|mesure|enfant|alerte|cas|ménage|site|lot|activité)\b"
)


def plural_problems(page: str | _Text) -> list[str]:
    """Counts whose noun does not agree: « 1 comptes », « 1 mesures correctives », « 3 enfant »."""
    parser = _read(page) if isinstance(page, str) else page
    found = []
    for raw in parser.texts:
        text = " ".join(raw.split())
        for match in SINGULAR_COUNT.finditer(text):
            if match.group(1).lower() not in INVARIABLE:
                found.append(f"« {match.group(0)} » in « {text[:80]} »")
        found += [f"« {m.group(0)} » in « {text[:80]} »" for m in PLURAL_COUNT.finditer(text)]
    return found


_CRAWL: dict[str, object] = {}


def _crawl(request) -> dict:
    """Every page of every demo account once (the tests below read it): what is not French, what does not agree,
    the queries, the tables. The demo data (conftest.py: demo_database) is asked for by the first test only; each
    test asks for `db` itself, after which conftest.py checks the tallies."""
    if _CRAWL:
        return _CRAWL
    request.getfixturevalue("demo_database")
    french = _french_words()
    context = {
        "msgids": _catalogue_msgids(),
        "english": ENGLISH - french,
        "names": _proper_names(),
    }
    context["codes"], context["labels"] = _codes(french)
    assert {"care_plan", "low_income", "follow_up"} <= context["codes"]
    members = Membership.objects.filter(user__email__endswith="@demo.kinga.cd", is_active=True)
    assert members.count() >= 10
    failures: dict[str, set[str]] = {}
    plurals: dict[str, set[str]] = {}
    queries: dict[str, tuple[int, str, int]] = {}
    routes: set[str] = set()
    with_tables: set[str] = set()
    unlabelled: list[str] = []
    for member in members.select_related("user"):
        client = client_for(member)
        queue = [*page_urls(), "/plan/axe/1/calendrier/", "/cette-page-n-existe-pas/"]
        seen: set[str] = set()
        per_route: Counter = Counter()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)  # a link left out now is left out each time it comes back (per_route only grows)
            route = _route(url)
            if SKIPPED.search(urlsplit(url).path) or per_route[route] >= PER_ROUTE:
                continue
            per_route[route] += 1
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            _count_queries(queries, route or "404", f"{member.user.email.split('@')[0]} {url}", captured)
            if response.status_code not in (200, 403, 404) or not response.get("Content-Type", "").startswith(
                "text/html"
            ):
                continue
            routes.add(route or "404")
            page = response.content.decode()
            read = _read(page)  # once, for both checks of the text
            found, links = problems(read, **context)
            where = f"{member.user.email.split('@')[0]} {url}"
            for problem in found:
                failures.setdefault(problem, set()).add(where)
            for problem in plural_problems(read):
                plurals.setdefault(problem, set()).add(where)
            if response.status_code == 200:
                has_tables, missing = unlabelled_cells(page)
                if has_tables:
                    with_tables.add(url.split("?")[0] if "-" not in url else "object page")
                unlabelled += [f"{where}: {cell}" for cell in missing[:3]]
            queue += [link for link in links if link not in seen]
        for url in sorted(f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            if response.status_code == 200:
                _count_queries(queries, url, f"{member.user.email.split('@')[0]} {url}", captured)
    _CRAWL.update(
        failures=failures,
        plurals=plurals,
        routes=routes,
        queries=queries,
        with_tables=with_tables,
        unlabelled=unlabelled,
    )
    return _CRAWL


def _count_queries(queries: dict, route: str, where: str, captured) -> None:
    """Keep, per route, the most queries one request made and the query repeated most in it."""
    shapes = Counter(_LITERALS.sub("?", q["sql"]) for q in captured.captured_queries)
    repeated = max(shapes.values(), default=0)
    count, _where, worst = queries.get(route, (0, "", 0))
    if len(captured) > count or repeated > worst:
        queries[route] = (max(len(captured), count), where, max(repeated, worst))


def _report(found: dict[str, set[str]]) -> list[str]:
    return [f"{problem}  ← {sorted(where)[:3]}" for problem, where in sorted(found.items())]


# The crawl of every page of every role takes two minutes; what it checks (the pages' words, their tables, their
# queries per row) does not depend on the database, and test_bad_input renders every page on SQLite too.
CRAWL_ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: the crawl's checks do not depend on the database",
)


@pytest.mark.django_db
@CRAWL_ON_POSTGRESQL
def test_every_page_of_every_role_is_french(db, request):
    crawl = _crawl(request)
    report = _report(crawl["failures"])
    assert not report, f"{len(report)} problems:\n" + "\n".join(report[:300])
    # 138 routes when written (the pages of every role, their object pages and forms): fewer means the walk lost
    # its way, not that the pages became French.
    assert len(crawl["routes"]) >= 130, sorted(crawl["routes"])


@pytest.mark.django_db
@CRAWL_ON_POSTGRESQL
def test_no_page_reads_the_database_once_per_row(db, request):
    queries = _crawl(request)["queries"]
    over = [
        f"{route}: {count} queries (budget {QUERY_BUDGETS.get(route, QUERY_BUDGET)}) ← {where}"
        for route, (count, where, _repeat) in sorted(queries.items())
        if count > QUERY_BUDGETS.get(route, QUERY_BUDGET)
    ]
    per_row = [
        f"{route}: one query {repeat} times ← {where}"
        for route, (_count, where, repeat) in sorted(queries.items())
        if repeat > REPEAT_LIMIT
    ]
    assert not over + per_row, "\n".join(over + per_row)
    assert any(route.startswith("/api/v1/") for route in queries)  # the API lists were read too


# The pages issue 21 names: the budget, survey results, the 4W rows, the lists, the plan's timeline.
MUST_HAVE_TABLES = {
    "/plan/budget/",
    "/households/tableau/",
    "/community/4w/",
    "/cases/",
    "/sites/",
    "/supply/lots/",
}


@pytest.mark.django_db
@CRAWL_ON_POSTGRESQL
def test_every_table_of_every_page_labels_the_cells_a_phone_stacks(db, request):
    """Every body cell of a responsive table (`table.list`, a chart's `table.figures`) carries its column's label
    (kinga/core/tests/test_tables.py: what the check reads), on every page of every demo account."""
    crawl = _crawl(request)
    assert not crawl["unlabelled"], "\n".join(crawl["unlabelled"][:40])
    assert crawl["with_tables"] >= MUST_HAVE_TABLES, MUST_HAVE_TABLES - crawl["with_tables"]
    assert len(crawl["with_tables"]) >= 30, sorted(crawl["with_tables"])


@pytest.mark.django_db
@CRAWL_ON_POSTGRESQL
def test_counts_agree_with_their_noun_on_every_page(db, request):
    assert plural_problems("<p>1 comptes</p><li>1 mesures correctives</li><td>3 enfant</td>") == [
        "« 1 comptes » in « 1 comptes »",
        "« 1 mesures » in « 1 mesures correctives »",
        "« 3 enfant » in « 3 enfant »",
    ]
    assert plural_problems("<p>1 compte, 0 alerte, 1 mois, 12 enfants, 2,5 ans</p>") == []
    report = _report(_crawl(request)["plurals"])
    assert not report, f"{len(report)} problems:\n" + "\n".join(report[:100])


def test_choice_labels_agree_with_one_another():
    """A list of states is about one kind of thing: its labels agree in gender (« Prévue … Annulée », never
    « Prévu … Annulée »). Read in French from every choice of every Kinga model."""
    mixed = []
    with translation.override("fr"):
        for model in apps.get_models():
            if not model.__module__.startswith("kinga."):
                continue
            for field in model._meta.get_fields():
                if not (field.name in ("outcome", "stage", "state") or field.name.endswith("status")):
                    continue  # lists of states; a list of kinds (organisations, sites) mixes nouns of both genders
                labels = [str(label) for value, label in getattr(field, "flatchoices", None) or [] if value]
                genders = {_gender(label) for label in labels} - {None}
                if len(genders) > 1:
                    mixed.append(f"{model._meta.label}.{field.name}: {labels}")
    assert mixed == []


def _gender(label: str) -> str | None:
    """The gender a label's first word (a past participle) shows: « Annulée » feminine, « Prévu » masculine."""
    first = label.split()[0].lower() if label.split() else ""
    if len(first) > 3 and first.endswith(("ée", "ue", "ie", "ées", "ues")):
        return "f"
    if len(first) > 3 and first.endswith(("é", "u", "i", "és", "us")):
        return "m"
    return None
