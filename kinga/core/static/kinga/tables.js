// Rows that htmx swaps into a table (a search, the next page) arrive without their table, so the server
// (kinga/core/tables.py) could not give their cells a column label: copy it from the table's own header, as the
// server does for whole pages. Without JavaScript there is no swap: the whole page comes labelled.
(function () {
  function label(root) {
    var tables = root.closest ? [root.closest("table.list, table.figures")] : [];
    tables = tables.concat(Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll("table.list, table.figures") : []));
    tables.forEach(function (table) {
      if (!table || !table.tHead || !table.tHead.rows.length) return;
      var names = [];
      Array.prototype.forEach.call(table.tHead.rows[table.tHead.rows.length - 1].cells, function (th) {
        for (var i = 0; i < th.colSpan; i++) names.push(th.textContent.replace(/\s+/g, " ").trim());
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label")) {
              var whole = cell.colSpan > 1 && cell.colSpan >= names.length;
              cell.setAttribute("data-label", whole ? "" : names[column] || "");
            }
            column += cell.colSpan;
          });
        });
      });
    });
  }
  document.addEventListener("htmx:load", function (event) { label(event.target); });
})();
