// Draws each chart of an insights page from its spec, a JSON script element "<id>-spec".
// A static file, so the Content-Security-Policy needs no inline script. Vega's expressions
// run in its interpreter ("ast: true"), not through eval, and no style element is added:
// the page's stylesheet styles the charts and their tooltips.
"use strict";
// The page's language writes the axes' numbers and dates (an element "chart-locale"; none in English).
const locale = document.getElementById("chart-locale");
const localeOptions = locale ? JSON.parse(locale.textContent) : {};
for (const data of document.querySelectorAll("script[type='application/json'][id$='-spec']")) {
  const id = data.id.replace(/-spec$/, "");
  const target = document.getElementById(id);
  if (!target) continue;
  vegaEmbed(target, JSON.parse(data.textContent), {
    actions: false,
    renderer: "svg",
    ast: true,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
    ...localeOptions,
  }).catch((err) => { target.textContent = String(err); });
}
