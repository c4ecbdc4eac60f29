"""Reading a page's responsive tables as a phone would stack them: the body cells that would lose their column's
label. Shared by the table helper's own tests and the crawl of every page (test_language)."""

from html.parser import HTMLParser

# In a real browser (Playwright): cells of a table with a header that the phone shows stacked (display: block) with words of their own (links and
# buttons say what they do) and nothing before them: a number without its column's name.
UNLABELLED_STACKED_CELLS = """() => [...document.querySelectorAll("table.list, table.figures")].filter(t => t.tHead).flatMap(t =>
  [...t.tBodies].flatMap(b => [...b.querySelectorAll(":scope > tr > td")])).filter(cell => {
    if (getComputedStyle(cell).display !== "block" || !cell.offsetParent || cell.colSpan > 1) return false;
    const own = cell.cloneNode(true);
    own.querySelectorAll("a, button").forEach(e => e.remove());
    if (!/[\\p{L}\\p{N}]/u.test(own.textContent)) return false;
    const before = getComputedStyle(cell, "::before").content;
    return !before || ["none", "normal", '""'].includes(before);
  }).map(cell => cell.outerHTML.slice(0, 160))"""


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
