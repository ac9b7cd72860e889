// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // WCAG 3.3.1: move focus to the error summary so screen-reader users hear what went wrong.
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  // Select the whole invitation link when it gets focus, ready to copy.
  document.querySelectorAll(".copy-field").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
});
