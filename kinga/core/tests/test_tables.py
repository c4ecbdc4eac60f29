"""Tables on a phone: every cell of a responsive table (`table.list`, a chart's `table.figures`) carries its column's label, on every page.

The helper itself (kinga.core.tables) is checked on small tables; then every page of Kinga, as every demo account
after `kinga synth` and `kinga demo-accounts`, and the first object pages they link to, is rendered and read with
an independent HTML parser: a body cell of a responsive table without a `data-label`, or with an empty one while
the table has headers and the cell has text, fails the test. Text in links and buttons (the actions of a row, under
an empty header) does not count: they say what they do."""

import io
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from kinga.core.models import Membership
from kinga.core.tables import label_table_cells
from kinga.core.testing import client_for, object_links, page_urls

# The pages the issue names: the budget, survey results, the 4W rows, the lists, the plan's timeline.
MUST_HAVE_TABLES = {
    "/plan/budget/",
    "/households/tableau/",
    "/community/4w/",
    "/cases/",
    "/sites/",
    "/supply/lots/",
}


class _Cells(HTMLParser):
    """Body cells of responsive tables: (attributes, text), and whether their column has a header text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.cells: list[dict] = []
        self.responsive_tables = 0
        self.in_action = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "button"):
            self.in_action += 1
        if tag == "table":
            responsive = bool({"list", "figures"} & set((attrs.get("class") or "").split()))
            self.responsive_tables += responsive
            self.tables.append({"responsive": responsive, "head": False, "headers": [], "cell": None})
            return
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "thead":
            table["head"] = True
        elif tag in ("tbody", "tfoot"):
            table["head"] = False
        elif tag in ("td", "th") and table["responsive"]:
            if table["head"]:
                table["headers"].append("")
                table["cell"] = ("head", len(table["headers"]) - 1)
            else:
                cell = {"attrs": attrs, "text": "", "tag": tag, "has_headers": any(table["headers"])}
                self.cells.append(cell)
                table["cell"] = ("body", cell)

    def handle_endtag(self, tag):
        if tag in ("a", "button"):
            self.in_action = max(0, self.in_action - 1)
        if tag == "table" and self.tables:
            self.tables.pop()
        elif tag in ("td", "th") and self.tables:
            self.tables[-1]["cell"] = None

    def handle_data(self, data):
        if not self.tables or not self.tables[-1]["cell"]:
            return
        table = self.tables[-1]
        kind, where = table["cell"]
        if kind == "head":
            table["headers"][where] += data.strip()
        elif not self.in_action:  # a link or a button says what it does: it needs no column label
            where["text"] += data.strip()


def _says_something(text: str) -> bool:
    return any(character.isalnum() for character in text)  # not only the "·" between two actions


def unlabelled_cells(page: str) -> tuple[int, list[str]]:
    """How many responsive tables the page has, and its body cells that would stack without their label."""
    parser = _Cells()
    parser.feed(page)
    missing = []
    for cell in parser.cells:
        label = cell["attrs"].get("data-label")
        whole_row = int(cell["attrs"].get("colspan") or 1) > 1
        unnamed = not label and cell["tag"] == "td" and cell["has_headers"] and not whole_row
        if label is None or (unnamed and _says_something(cell["text"])):
            missing.append(f"<{cell['tag']} {cell['attrs']}>{cell['text'][:40]}")
    return parser.responsive_tables, missing


def test_every_cell_gets_its_column_label_through_colspans_and_rowspans():
    page = (
        '<table class="list"><thead><tr><th rowspan="2">Site</th><th colspan="2">Enfants</th></tr>'
        "<tr><th>Filles</th><th>Garçons</th></tr></thead><tbody>"
        '<tr><td rowspan="2">Kasulo</td><td>3</td><td>4</td></tr><tr><td>5</td><td>6</td></tr>'
        '<tr><td colspan="3">Aucun autre site</td></tr></tbody></table>'
    )
    labelled = label_table_cells(page)
    assert '<td rowspan="2" data-label="Site">Kasulo</td>' in labelled
    assert labelled.count('data-label="Enfants — Filles">') == 2
    assert labelled.count('data-label="Enfants — Garçons">') == 2
    assert '<td colspan="3" data-label="">Aucun autre site' in labelled
    assert unlabelled_cells(labelled) == (1, [])
    assert unlabelled_cells(page)[1]  # the check sees a table the helper did not label


def test_header_row_without_thead_escaped_labels_and_tables_that_do_not_stack():
    page = (
        '<table class="list"><tr><th>Nom &amp; <abbr title="x">prénom</abbr></th><th>Âge</th></tr>'
        '<tr><td>Amani</td><td data-label="Âge (ans)">9</td></tr></table>'
        "<table><tr><th>Clé</th></tr><tr><td>valeur</td></tr></table>"
    )
    labelled = label_table_cells(page)
    assert '<td data-label="Nom &amp; prénom">Amani</td>' in labelled
    assert '<td data-label="Âge (ans)">9</td>' in labelled  # a label the template gave is kept
    assert "<td>valeur</td>" in labelled  # only responsive tables stack, so only they are labelled


@pytest.mark.django_db
def test_every_table_page_labels_every_cell_for_every_demo_account(reference_places):
    call_command("synth", "--scale", "demo", "--seed", "3", stdout=io.StringIO())
    call_command("demo-accounts", stdout=io.StringIO())
    members = Membership.objects.filter(user__email__endswith="@demo.kinga.cd", is_active=True)
    assert members.count() >= 5
    with_tables, failures = set(), []
    for member in members.select_related("user"):
        client = client_for(member)
        seen: set[str] = set()
        queue = [*page_urls(), "/plan/axe/1/calendrier/"]
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            page = response.content.decode()
            tables, missing = unlabelled_cells(page)
            if tables:
                with_tables.add(url.split("?")[0] if "-" not in url else "object page")
            failures += [f"{member.user.email} {url}: {cell}" for cell in missing[:3]]
            if url in page_urls():
                queue += object_links(page)
    assert not failures, "\n".join(failures[:40])
    assert with_tables >= MUST_HAVE_TABLES, MUST_HAVE_TABLES - with_tables
    assert len(with_tables) >= 30, sorted(with_tables)
