// GridCare page behaviour. No inline script or on*="" handlers in the templates: the
// Content-Security-Policy forbids them, so the pages declare what they need in data- attributes.
(function () {
  "use strict";

  // <button data-gc-pick='{"id_customer": "3100000001"}'>: fill form fields (and let htmx
  // listeners see the change).
  function pick(field, value) {
    var el = document.getElementById(field);
    if (!el) return;
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-gc-pick]");
    if (!button) return;
    var values = JSON.parse(button.getAttribute("data-gc-pick"));
    Object.keys(values).forEach(function (field) {
      pick(field, values[field]);
    });
  });

  // <select data-gc-autosubmit>: submit its form on change (the language switch).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-gc-autosubmit]") && el.form) el.form.submit();
  });
})();
