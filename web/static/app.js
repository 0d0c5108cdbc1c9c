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
