// Follows a job on its status page without reloading: polls /jobs/<id>.json and updates the
// progress bar, then shows the outcome (announced by the aria-live region). Without this file
// the page reloads itself while the job runs (a <noscript> refresh), so it works either way.
(function () {
  "use strict";

  const BADGES = { done: "badge-ok", failed: "badge-failed", running: "badge-warning", queued: "badge-muted" };
  const FIRST_DELAY_MS = 1000;
  const MAX_DELAY_MS = 5000;
  const MAX_FAILURES = 5;

  function show(el, visible) {
    if (el) el.hidden = !visible;
  }

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function cell(tag, text, attrs) {
    const el = document.createElement(tag);
    el.textContent = text;
    Object.entries(attrs || {}).forEach(([name, value]) => el.setAttribute(name, value));
    return el;
  }

  // The table a job left (a file's problems by line, who changed), as the page renders it.
  function renderDetails(box, table) {
    if (!box) return;
    box.replaceChildren();
    show(box, Boolean(table));
    if (!table) return;
    const wrap = cell("div", "", { class: "table-wrap" });
    const el = cell("table", "", { class: "responsive-table" });
    const head = document.createElement("thead");
    const headRow = document.createElement("tr");
    table.columns.forEach((name) => headRow.append(cell("th", name, { scope: "col" })));
    head.append(headRow);
    const body = document.createElement("tbody");
    table.rows.forEach((row) => {
      const line = document.createElement("tr");
      row.forEach((value, i) => {
        const label = { "data-label": table.columns[i] || "" };
        line.append(i === 0 ? cell("th", value, { scope: "row", ...label }) : cell("td", value, label));
      });
      body.append(line);
    });
    el.append(cell("caption", table.caption), head, body);
    wrap.append(el);
    box.append(wrap);
    if (table.note) box.append(cell("p", table.note, { class: "hint" }));
  }

  function render(root, data) {
    const q = (name) => root.querySelector("[" + name + "]");
    const badge = q("data-job-state-label");
    if (badge) {
      setText(badge, data.state_label);
      badge.className = "badge " + (BADGES[data.state] || "badge-muted");
    }
    const bar = root.querySelector("progress");
    if (bar) {
      if (data.total > 0) {
        bar.max = data.total;
        bar.value = data.done;
      } else {
        bar.removeAttribute("value"); // indeterminate: the job has not said how much there is
      }
      setText(bar, (data.percent === null ? 0 : data.percent) + "%");
    }
    setText(q("data-job-progress-text"), data.progress_text);
    const note = q("data-job-attempt-note");
    setText(note, data.attempt_note);
    show(note, Boolean(data.attempt_note));
    show(q("data-job-waiting-long"), data.waiting_long);
    // The details list below the status: when it started and ended, which attempt this is.
    document.querySelectorAll("[data-job-row]").forEach((row) => {
      const value = data[row.dataset.jobRow] || "";
      setText(row.querySelector("dd"), value);
      show(row, Boolean(value));
    });
    root.dataset.state = data.state;
    if (!data.finished) return;

    show(q("data-job-progress"), false);
    show(q("data-job-done"), data.state === "done");
    show(q("data-job-failed"), data.state === "failed");
    if (data.state === "done") {
      const download = q("data-job-download");
      show(download, Boolean(data.download_url));
      if (data.download_url) {
        const link = download.querySelector("a");
        if (link) link.href = data.download_url;
        setText(q("data-job-file"), data.result_filename + " (" + data.result_size + ")");
      }
      const list = q("data-job-summary");
      if (list) {
        list.replaceChildren();
        data.summary.forEach((row) => {
          const item = document.createElement("div");
          const term = document.createElement("dt");
          const value = document.createElement("dd");
          term.textContent = row.label;
          value.textContent = row.value;
          item.append(term, value);
          list.append(item);
        });
        show(list, data.summary.length > 0);
      }
    }
    renderDetails(q("data-job-details"), data.details);
    // Last, so that the announcement follows the page it describes.
    setText(q("data-job-outcome"), data.outcome);
  }

  function follow(root) {
    const url = root.dataset.statusUrl;
    let delay = FIRST_DELAY_MS;
    let failures = 0;

    async function poll() {
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          cache: "no-store",
        });
        if (!response.ok || !(response.headers.get("Content-Type") || "").includes("json")) {
          throw new Error("status " + response.status);
        }
        const data = await response.json();
        failures = 0;
        render(root, data);
        if (data.finished) return;
        delay = Math.min(MAX_DELAY_MS, delay + 250);
      } catch (error) {
        failures += 1;
        if (failures >= MAX_FAILURES) {
          // Give up quietly: the Refresh link still works.
          const note = root.querySelector("[data-job-progress-text]");
          if (note) note.textContent += " (Live updates stopped; use Refresh.)";
          return;
        }
        delay = MAX_DELAY_MS;
      }
      window.setTimeout(poll, delay);
    }

    window.setTimeout(poll, delay);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.querySelector("[data-job-status]");
    if (!root || !window.fetch) return;
    if (root.dataset.state === "done" || root.dataset.state === "failed") return;
    follow(root);
  });
})();
