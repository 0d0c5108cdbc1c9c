// The request form's checklist (一次性告知): ticks each item as its field or file is provided.
// Without JavaScript the server shows the same list, with everything missing, on submit.
(function () {
  var form = document.getElementById("request-form");
  var list = document.getElementById("checklist");
  if (!form || !list) return;
  var items = list.querySelectorAll("li[data-name]");
  var progress = document.getElementById("checklist-progress");
  var texts = list.querySelector("ul").dataset;

  function provided(name) {
    var controls = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i];
      if (c.type === "file") {
        if ((c.files && c.files.length) || c.dataset.kept) return true;
      } else if (c.type === "checkbox" || c.type === "radio") {
        if (c.checked) return true;
      } else if (c.value && c.value.trim()) {
        return true;
      }
    }
    return false;
  }

  function update() {
    var done = 0, total = 0;
    items.forEach(function (li) {
      var ok = provided(li.dataset.name);
      li.classList.toggle("done", ok);
      li.classList.toggle("todo", !ok);
      li.querySelector(".tick").textContent = ok ? "✓" : "○";
      li.querySelector(".state").textContent = ok ? texts.provided : texts.missing;
      if (li.classList.contains("required")) {
        total += 1;
        if (ok) done += 1;
      }
    });
    if (progress) {
      progress.textContent = done === total ? progress.dataset.complete
        : progress.dataset.template.replace("{done}", done).replace("{total}", total);
    }
  }

  // On a phone the list starts folded: its summary line still counts live.
  if (!document.getElementById("missing-summary") && !window.matchMedia("(min-width: 70rem)").matches) {
    list.open = false;
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
  var summary = document.getElementById("missing-summary");
  if (summary) summary.focus();
})();
