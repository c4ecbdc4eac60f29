// The searchable picker (kinga/core/pickers.py). The server renders a plain <select> holding the chosen value(s)
// and the first choices, with a search box and a « Chercher » button that send the form back (the picker without
// JavaScript). Here one search box replaces them: typing asks the server (htmx) for the matching choices, the
// user's own area first; a tap on one sets the <select>, adding the option when the server did not render it.
// When the <select> holds every choice of its field (data-picker-complete: a short or narrowed list), only those
// are offered, so the picker never submits a value the form would refuse. Several choices (a team) show as chips
// that a tap removes; their <select> is then hidden.
(function () {
  var counter = 0;

  function optionFor(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return select.options[i];
    }
    return null;
  }

  function renderChips(box, select) {
    var chips = box.querySelector(".picker-chosen");
    if (!chips) return;
    chips.textContent = "";
    Array.prototype.forEach.call(select.selectedOptions, function (option) {
      var chip = document.createElement("button");
      chip.type = "button";
      chip.className = "picker-chip";
      chip.setAttribute("data-value", option.value);
      chip.setAttribute("aria-label", box.getAttribute("data-picker-remove") + " : " + option.text);
      chip.textContent = option.text + " ×";
      chip.addEventListener("click", function () {
        option.selected = false;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        renderChips(box, select);
      });
      chips.appendChild(chip);
    });
  }

  function choose(box, select, input, list, value, label) {
    var option = optionFor(select, value);
    if (!option) {
      if (box.hasAttribute("data-picker-complete")) return;
      option = new Option(label, value);
      select.appendChild(option);
    }
    if (select.multiple) {
      option.selected = true;
      renderChips(box, select);
    } else {
      select.value = value;
    }
    select.dispatchEvent(new Event("change", { bubbles: true }));
    input.value = "";
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("data-picker-quiet", "");
    input.focus();
  }

  function setup(box) {
    if (box.hasAttribute("data-picker-ready")) return;
    box.setAttribute("data-picker-ready", "");
    var select = box.querySelector("select");
    if (!select) return;
    var noscript = box.querySelector(".picker-nojs");
    if (noscript) noscript.remove(); // the search below replaces it (and its button must not submit the form)
    counter += 1;
    var id = (select.id || "picker") + "-search-" + counter;
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.name = "q";
    input.className = "picker-search";
    input.autocomplete = "off";
    input.placeholder = box.getAttribute("data-picker-search");
    input.setAttribute("form", id + "-none"); // not part of the form around it: never submitted with it
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-autocomplete", "list");
    var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;
    if (label) input.setAttribute("aria-label", label.textContent.replace(/\s+/g, " ").trim());
    var list = document.createElement("ul");
    list.id = id + "-results";
    list.className = "picker-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("hx-get", box.getAttribute("data-picker-url"));
    // Typing asks for matches; focusing asks for the first choices (the user's own area first), except when
    // the focus comes back from a choice just made (the list would open again over it).
    input.setAttribute("hx-trigger", "input changed delay:250ms, picker-open");
    input.addEventListener("blur", function () { input.removeAttribute("data-picker-quiet"); });
    input.addEventListener("focus", function () {
      if (input.hasAttribute("data-picker-quiet")) {
        input.removeAttribute("data-picker-quiet");
      } else if (window.htmx) {
        window.htmx.trigger(input, "picker-open");
      }
    });
    input.setAttribute("hx-target", "#" + list.id);
    input.setAttribute("hx-sync", "this:replace");
    input.setAttribute("hx-vals", JSON.stringify({ value: box.getAttribute("data-picker-value") }));
    // Where the form says the user is (its latitude and longitude, typed or from the phone's GPS): sites come
    // nearest first.
    input.addEventListener("htmx:configRequest", function (event) {
      var form = select.form;
      var lat = form && form.querySelector("input[name=latitude]");
      var lon = form && form.querySelector("input[name=longitude]");
      if (lat && lon && lat.value && lon.value) {
        event.detail.parameters.lat = lat.value.replace(",", ".");
        event.detail.parameters.lon = lon.value.replace(",", ".");
      }
    });
    if (select.multiple) {
      var chips = document.createElement("div");
      chips.className = "picker-chosen";
      box.insertBefore(chips, select);
      select.hidden = true;
      if (label) label.setAttribute("for", id);
    }
    box.insertBefore(input, select);
    box.insertBefore(list, select);
    renderChips(box, select);

    list.addEventListener("htmx:afterSwap", function () {
      // A <select> holding every choice of its field: keep only those (it may hold fewer than the actor sees).
      var complete = box.hasAttribute("data-picker-complete");
      Array.prototype.forEach.call(list.querySelectorAll(".picker-option"), function (button) {
        var option = optionFor(select, button.getAttribute("data-value"));
        if (!option && complete) {
          button.parentNode.remove();
        } else if (option && option.selected) {
          button.parentNode.setAttribute("aria-selected", "true");
        }
      });
      if (!list.querySelector(".picker-option") && !list.querySelector(".picker-none")) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = box.getAttribute("data-picker-none");
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest(".picker-option");
      if (button) choose(box, select, input, list, button.getAttribute("data-value"), button.textContent);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter picks the first match instead of sending the whole form half filled.
        event.preventDefault();
        var first = list.hidden ? null : list.querySelector(".picker-option");
        if (first) choose(box, select, input, list, first.getAttribute("data-value"), first.textContent);
      } else if (event.key === "Escape") {
        list.hidden = true;
        input.setAttribute("aria-expanded", "false");
      } else if (event.key === "ArrowDown") {
        var next = list.querySelector(".picker-option");
        if (next && !list.hidden) {
          event.preventDefault();
          next.focus();
        }
      }
    });
    list.addEventListener("keydown", function (event) {
      var item = event.target.closest("li");
      if (!item) return;
      var target = null;
      if (event.key === "ArrowDown") target = item.nextElementSibling;
      if (event.key === "ArrowUp") target = item.previousElementSibling;
      if (event.key === "Escape") {
        list.hidden = true;
        input.focus();
        return;
      }
      if (target && target.querySelector(".picker-option")) {
        event.preventDefault();
        target.querySelector(".picker-option").focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        input.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) {
        list.hidden = true;
        input.setAttribute("aria-expanded", "false");
      }
    });
    if (window.htmx) window.htmx.process(input);
  }

  function init(root) {
    var boxes = root.querySelectorAll ? root.querySelectorAll(".picker") : [];
    Array.prototype.forEach.call(boxes, setup);
  }

  document.addEventListener("htmx:load", function (event) { init(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    // A refused form: its list of problems is read first (and is on screen), not the top of the page.
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });
})();
