// A region that scrolls sideways (a wide table on a tablet, a chart's figures) must be reachable by keyboard
// (WCAG 2.1.1; axe's "scrollable-region-focusable"): each element that overflows, with nothing focusable inside
// to scroll it by, gets a tab stop and, when it has one, the name of its table (caption) or of the heading
// before it. Checked again when the width changes or htmx swaps content in.
(function () {
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  function nameOf(el) {
    var caption = el.querySelector("caption");
    if (caption) return caption.textContent.trim();
    for (var prev = el.previousElementSibling; prev; prev = prev.previousElementSibling) {
      if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
    }
    return "";
  }
  function mark() {
    Array.prototype.forEach.call(document.querySelectorAll("main div, main section, main fieldset"), function (el) {
      var style = getComputedStyle(el);
      var scrolls = /auto|scroll/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("tabindex") && !el.querySelector(FOCUSABLE)) {
        el.tabIndex = 0;
        el.dataset.scrollRegion = "1";
        var name = nameOf(el);
        if (name) { el.setAttribute("role", "region"); el.setAttribute("aria-label", name); }
      } else if (!scrolls && el.dataset.scrollRegion) {
        el.removeAttribute("tabindex"); el.removeAttribute("role"); el.removeAttribute("aria-label");
        delete el.dataset.scrollRegion;
      }
    });
  }
  var pending;
  function later() { clearTimeout(pending); pending = setTimeout(mark, 150); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", mark); } else { mark(); }
  window.addEventListener("resize", later);
  document.addEventListener("htmx:load", later);
})();
