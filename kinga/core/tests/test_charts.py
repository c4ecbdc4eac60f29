import itertools
import re
import xml.etree.ElementTree as ET

from django.template.loader import render_to_string
from django.utils import translation

from kinga.core import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(chart):
    return ET.fromstring(str(chart.svg))


def test_bar_chart_is_valid_svg_sized_by_its_viewbox_with_escaped_labels():
    chart = charts.bar_chart(
        "Sites <rouges> & verts",
        ["Kolwezi", "<script>alert(1)</script>"],
        [charts.Series("Rouge", [3, 1]), charts.Series("Vert", [1200, 0])],
    )
    root = _parse(chart)  # well-formed: the escaped label did not break the markup
    assert root.get("viewBox").startswith("0 0 360 ")
    assert root.get("width") == "100%" and root.get("role") == "img"
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert root.find(f"{SVG}title").text == "Sites <rouges> & verts"
    assert len(root.findall(f"{SVG}rect")) >= 4


def test_bar_lengths_are_proportional_and_the_table_carries_the_same_numbers():
    with translation.override("fr"):
        chart = charts.bar_chart("Budget", ["Axe 1", "Axe 2"], [charts.Series("Prévu", [1000, 2500])])
    widths = [
        float(r.get("width"))
        for r in _parse(chart).findall(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None
    ]
    assert widths[1] == max(widths) and abs(widths[0] / widths[1] - 0.4) < 0.01
    assert chart.columns == ["", "Prévu"]
    assert [row[0] for row in chart.rows] == ["Axe 1", "Axe 2"]
    # French grouping: 2 500 with a (non-breaking) space, never a comma.
    assert re.fullmatch(r"2\s500", chart.rows[1][1])


def test_stacked_bars_put_each_category_on_one_bar():
    chart = charts.bar_chart(
        "Statuts",
        ["T1", "T2"],
        [charts.Series("vert", [1, 2], colour="#0f0"), charts.Series("rouge", [3, 0], colour="#f00")],
        stacked=True,
    )
    root = _parse(chart)
    first_group = [r for r in root.findall(f"{SVG}rect") if r.get("fill") in ("#0f0", "#f00")]
    # T1 has two segments, T2 one (a zero draws nothing); the legend adds one square per series.
    assert len(first_group) == 3 + 2
    assert chart.rows == [["T1", "1", "3"], ["T2", "2", "0"]]


def test_line_chart_draws_gaps_for_missing_values_and_formats_decimals_in_french():
    with translation.override("fr"):
        chart = charts.line_chart(
            "Revenu", ["T1", "T2", "T3", "T4"], [charts.Series("USD", [1.5, None, 2, 3.25])]
        )
    root = _parse(chart)
    assert len(root.findall(f"{SVG}circle")) == 3
    assert len(root.findall(f"{SVG}polyline")) == 1  # T3–T4; T1 stands alone before the gap
    assert chart.rows[0] == ["T1", "1,5"] and chart.rows[1] == ["T2", "—"]


def test_an_empty_chart_still_renders():
    chart = charts.line_chart("Rien", [], [])
    assert _parse(chart).tag == f"{SVG}svg" and chart.rows == []
    assert charts.bar_chart("Rien", [], []).rows == []


def test_the_include_shows_the_chart_then_its_numbers_as_a_table():
    chart = charts.bar_chart("Alertes", ["Reçues"], [charts.Series("Nombre", [7])])
    html = render_to_string("core/chart.html", {"chart": chart})
    assert html.index("<svg") < html.index("<table")
    assert '<th scope="row">Reçues</th>' in html and '<td class="num">7</td>' in html


def _assert_every_text_inside(chart):
    """Every label, line by line, inside the drawing (by the font's average glyph width): nothing clipped."""
    root = _parse(chart)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for text in root.iter(f"{SVG}text"):
        size, anchor = float(text.get("font-size")), text.get("text-anchor", "start")
        lines = [span.text or "" for span in text.findall(f"{SVG}tspan")] or [text.text or ""]
        x = float(text.get("x"))
        y = float(text.get("y")) + (len(lines) - 1) * charts.LINE_H
        for line in lines:
            w = len(line) * size * charts.CHAR_W
            start = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
            assert start >= -0.5 and start + w <= width + 0.5, (line, start, w)
        assert y <= height, (lines, y, height)


def test_long_labels_wrap_inside_the_drawing_instead_of_being_cut():
    long_category = "Enfants retirés des mines et scolarisés dans les territoires de Mutshatsha et de Lubudi"
    with translation.override("fr"):
        bars = charts.bar_chart(
            "Titre",
            [long_category, "Court"],
            [
                charts.Series("Un très long nom de série qui dépasse la largeur", [1_234_567, 5]),
                charts.Series("B", [3, 4]),
            ],
            unit=" USD",
        )
        lines = charts.line_chart(
            "Revenu",
            ["Enquête socio-économique préalable 2018", "Passage de suivi 2019", "Passage de suivi 2021"],
            [charts.Series("Revenu par personne (USD par mois)", [12_345.5, 20_000, 31_000.25])],
        )
    for chart in (bars, lines):
        _assert_every_text_inside(chart)
    words = " ".join(span.text for span in _parse(bars).iter(f"{SVG}tspan"))
    assert "Mutshatsha et de Lubudi" in words and "…" not in words  # the whole label, on several lines
    x_labels = " ".join(span.text for span in _parse(lines).iter(f"{SVG}tspan"))
    assert "préalable 2018" in x_labels and "suivi 2021" in x_labels
    # No two x labels overlap: each one's widest line ends before the next one's starts.
    spans = []
    for text in _parse(lines).iter(f"{SVG}text"):
        tspans = text.findall(f"{SVG}tspan")
        if tspans and float(text.get("y")) > 140:  # below the plot: the x axis
            w = max(len(t.text) for t in tspans) * float(text.get("font-size")) * charts.CHAR_W
            spans.append((float(text.get("x")) - w / 2, float(text.get("x")) + w / 2))
    assert len(spans) == 3
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(sorted(spans))), spans


def test_the_title_is_text_of_the_page_above_the_drawing():
    chart = charts.line_chart(
        "Un titre assez long pour ne pas tenir dans la largeur d'un téléphone",
        ["A"],
        [charts.Series("x", [1])],
    )
    html = render_to_string("core/chart.html", {"chart": chart})
    assert html.index('<figcaption class="chart-title">Un titre assez long') < html.index("<svg")
