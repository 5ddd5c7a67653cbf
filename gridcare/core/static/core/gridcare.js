// GridCare page behaviour. No inline script or on*="" handlers in the templates: the
// Content-Security-Policy forbids them, so the pages declare what they need in data- attributes.
(function () {
  "use strict";

  // <button data-gc-pick='{"id_customer": "3100000001", "id_contact_phone": {"placeholder": "139****5678"}}'>:
  // fill form fields (and let htmx listeners see the change). A plain value sets the field's
  // value; an object sets its attributes instead ("placeholder": a hint shown in the empty
  // field, e.g. the customer's masked phone that is used when the field stays blank).
  function pick(field, value) {
    var el = document.getElementById(field);
    if (!el) return;
    if (value !== null && typeof value === "object") {
      Object.keys(value).forEach(function (attr) {
        el.setAttribute(attr, value[attr]);
      });
      return;
    }
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

  // <details data-gc-navgroup>: the header's menu groups. One open at a time; a click
  // elsewhere or Escape closes it.
  function closeGroups(except) {
    document.querySelectorAll("details[data-gc-navgroup][open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeGroups(event.target.closest ? event.target.closest("details[data-gc-navgroup]") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeGroups(null);
  });
})();
