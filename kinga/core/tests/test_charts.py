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
