// "My questions": the print button (shown only where scripts run; the print stylesheet
// applies to the browser's own print command too).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
