// The pairwise page's keys: the left arrow picks the left idea, the right arrow the right
// one, the down arrow answers "can't decide" (the buttons say so; an inline handler is not
// allowed by the Content-Security-Policy).
"use strict";
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
    return;
  }
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
    return;
  }
  const button = { ArrowLeft: "pick-left", ArrowRight: "pick-right", ArrowDown: "pick-neither" }[event.key];
  const found = button && document.getElementById(button);
  if (found) {
    event.preventDefault();
    found.click();
  }
});
