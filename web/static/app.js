// Behaviour that would otherwise need inline handlers (the CSP allows no inline script).
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.detail.elt;
  // Empty the question box once an answer has arrived.
  if (form && form.id === "ask" && event.detail.successful) {
    form.reset();
  }
});
