// The site's own script: small behaviour that would otherwise sit in inline event
// handlers, which the Content-Security-Policy does not allow (docs/security.md).
"use strict";
// A <select data-submit-on-change> sends its form as soon as a choice is made
// (the language switch, the stage filter of a campaign).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit-on-change") && field.form) {
    field.form.requestSubmit();
  }
});
