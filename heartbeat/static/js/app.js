// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // WCAG 3.3.1: move focus to the error summary so screen-reader users hear what went wrong.
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  // Select the whole invitation link when it gets focus, ready to copy.
  document.querySelectorAll(".copy-field").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });

  // "Copy link" buttons are hidden until this script can make them work (the field beside
  // each one is selectable by hand anyway).
  document.querySelectorAll("[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(field.value).then(() => {
        button.textContent = "Copied";
      });
    });
  });

  // "Print" buttons are hidden until this script can make them work.
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });

  // A table wider than its box scrolls inside it: make that box a labelled region keyboard
  // users can focus and scroll with the arrow keys (WCAG 2.1.1), and only while it scrolls.
  const wraps = document.querySelectorAll(".table-wrap");
  const markScrollable = () => {
    wraps.forEach((wrap) => {
      const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        const caption = wrap.querySelector("caption");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", (caption ? caption.textContent.trim() : "Table") + " (scrolls sideways)");
        wrap.dataset.scrollRegion = "js";
      } else if (!scrolls && wrap.dataset.scrollRegion === "js") {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach((name) => wrap.removeAttribute(name));
      }
    });
  };
  markScrollable();
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollable, 150);
  });
});

// WCAG 2.2.1: warn before the idle timeout signs someone out, and let them stay signed in.
document.addEventListener("DOMContentLoaded", () => {
  const body = document.body;
  const limit = Number(body.dataset.idleSeconds || 0);
  const dialog = document.getElementById("idle-warning");
  if (!limit || !dialog || typeof dialog.showModal !== "function") return;
  const warnBefore = Math.min(120, Math.floor(limit / 4));
  const countdown = dialog.querySelector("[data-idle-countdown]");
  // The server counts from the last activity it recorded, which may be a little before this page.
  const left = Number(body.dataset.idleLeft || limit);
  let deadline = Date.now() + Math.min(limit, left) * 1000;
  let returnFocus = null;

  const extend = async () => {
    try {
      const response = await fetch(body.dataset.keepAliveUrl, {
        method: "POST",
        headers: { "X-CSRFToken": body.dataset.csrfToken, Accept: "application/json" },
        credentials: "same-origin",
      });
      // Too late (already signed out) answers with a redirect to the sign-in page.
      if (!response.ok || response.redirected) throw new Error(String(response.status));
      deadline = Date.now() + limit * 1000;
      dialog.close();
      if (returnFocus) returnFocus.focus();
    } catch (error) {
      window.location.reload();
    }
  };
  dialog.querySelector("[data-idle-extend]").addEventListener("click", extend);

  setInterval(() => {
    const left = Math.round((deadline - Date.now()) / 1000);
    // Reload a little after the limit, so the server (which counts whole seconds) has signed
    // the session out by then and shows the sign-in page.
    if (Date.now() >= deadline + 2000) {
      window.location.reload();
    } else if (left <= warnBefore) {
      const shown = Math.max(left, 0);
      if (countdown) {
        // The words come from the page, in its language: "{n} minutes", "{n} secondes".
        const minutes = shown >= 120;
        const words = dialog.dataset[minutes ? "textMinutes" : "textSeconds"] || (minutes ? "{n} minutes" : "{n} seconds");
        countdown.textContent = words.replace("{n}", String(minutes ? Math.ceil(shown / 60) : shown));
      }
      if (!dialog.open) {
        returnFocus = document.activeElement;
        dialog.showModal();
      }
    }
  }, 1000);
});

// The symptom checklist (safety): the centre's guidance shows the moment any box is ticked.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".symptom-checklist").forEach((set) => {
    const guidance = set.querySelector("[data-symptom-guidance]");
    const boxes = set.querySelectorAll("input[data-symptom]");
    if (!guidance || !boxes.length) return;
    const update = () => {
      guidance.hidden = !Array.from(boxes).some((box) => box.checked);
    };
    boxes.forEach((box) => box.addEventListener("change", update));
    update();
  });
});
