// Behaviour that would otherwise need inline handlers (the CSP allows no inline script).
// --- chat: Enter sends, the new answer comes into view and takes focus --------------------
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.detail.elt;
  // Empty the question box once an answer has arrived.
  if (form && form.id === "ask" && event.detail.successful) {
    form.reset();
  }
});

// The newest turn's question and the answer's first line in view; focus on the answer, so a
// keyboard user reads on from there (#turns is aria-live, so screen readers hear it too).
document.addEventListener("htmx:afterSettle", function (event) {
  if (!event.detail.target || event.detail.target.id !== "turns") return;
  var turns = event.detail.target.querySelectorAll(".turn");
  var turn = turns[turns.length - 1];
  if (!turn) return;
  turn.scrollIntoView({ block: "start" });
  var answer = turn.querySelector(".answer");
  if (answer) answer.focus({ preventScroll: true });
});

// Enter sends the question, Shift+Enter starts a new line; never while an IME is composing
// (Chinese input confirms its candidate with Enter).
document.addEventListener("keydown", function (event) {
  var box = event.target;
  if (!box || box.id !== "question" || event.key !== "Enter") return;
  if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  var form = box.form;
  if (!box.value.trim()) return;
  if (form.requestSubmit) form.requestSubmit();
  else form.submit();
});

// --- the header menu (a checkbox without JS): a button with aria-expanded; Escape closes it --
(function () {
  var toggle = document.getElementById("nav-toggle");
  if (!toggle) return;
  // With JS the checkbox behaves as a disclosure button: "Menu, button, collapsed".
  toggle.setAttribute("role", "button");
  var sync = function () { toggle.setAttribute("aria-expanded", toggle.checked ? "true" : "false"); };
  sync();
  toggle.addEventListener("change", sync);
  toggle.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    toggle.checked = !toggle.checked;
    sync();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.checked) {
      toggle.checked = false;
      sync();
      toggle.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!toggle.checked || event.target.closest("header.site")) return;
    toggle.checked = false;
    sync();
  });
})();

// --- tables as cards on phones: each cell is labelled with its column header ---------------
function labelCells(root) {
  (root || document).querySelectorAll("table.data").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (!cell.hasAttribute("data-label") && heads[i]) cell.setAttribute("data-label", heads[i]);
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
document.addEventListener("htmx:afterSettle", function (event) { labelCells(event.detail.target); });

// Curated answers (staff): a picked sentence fills the first empty citation row.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".pick-quote");
  if (!button) return;
  var rows = document.querySelectorAll("#curated-form .citation-row");
  if (!rows.length) return;
  var target = null;
  rows.forEach(function (row) {
    var quote = row.querySelector(".cite-quote");
    if (!target && quote && !quote.value.trim()) target = row;
  });
  if (!target) {
    var last = rows[rows.length - 1];
    target = last.cloneNode(true);
    target.querySelectorAll("input, textarea").forEach(function (field) { field.value = ""; });
    last.parentNode.appendChild(target);
  }
  target.querySelector(".cite-document").value = button.dataset.document;
  target.querySelector(".cite-quote").value = button.dataset.quote;
  target.querySelector(".cite-quote").focus();
});

// The staff queue: "select all" and a count of the ticked rows (the form works without them).
(function () {
  function update() {
    var form = document.getElementById("bulk");
    if (!form) return;
    var boxes = form.querySelectorAll(".row-select");
    var ticked = form.querySelectorAll(".row-select:checked").length;
    var all = document.getElementById("select-all");
    if (all) {
      all.hidden = false;
      // Outside the table, so that it stays within reach when rows become cards on phones.
      if (all.parentElement && all.parentElement.tagName === "LABEL") all.parentElement.hidden = false;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    var label = document.getElementById("bulk-selected");
    if (label) label.textContent = ticked ? label.dataset.template.replace("{n}", ticked) : "";
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.id === "select-all") {
      document.querySelectorAll("#bulk .row-select").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target && (target.id === "select-all" || target.classList.contains("row-select"))) update();
  });
  document.addEventListener("DOMContentLoaded", update);
  document.addEventListener("htmx:afterSwap", update);
})();
