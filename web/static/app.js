// Behaviour that would otherwise need inline handlers (the CSP allows no inline script).
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.detail.elt;
  // Empty the question box once an answer has arrived.
  if (form && form.id === "ask" && event.detail.successful) {
    form.reset();
  }
});

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
