"""Tables on a phone: every cell of a responsive table (`table.list`, a chart's `table.figures`) carries its column's label, on every page.

The helper itself (kinga.core.tables) is checked here on small tables, and the reader of its output
(table_cells.unlabelled_cells, an independent HTML parser) with it; every page of Kinga, as every demo account, is
read by the same parser in the crawl of test_language (one rendering of every page serves every page check)."""

from kinga.core.tables import label_table_cells
from kinga.core.tests.table_cells import unlabelled_cells


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
