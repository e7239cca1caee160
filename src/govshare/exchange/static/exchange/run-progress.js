// A sync run's live progress (运行进度): while the run is queued or running, the page polls the
// API's run endpoint (data-run-url, the session's cookie; a GET needs no CSRF token) and moves the
// bar, the counts, the rate and the ETA. It stops polling once the run has ended, and reloads
// the page once so the history and any error show. No inline script (CSP), no CDN.
(function () {
  "use strict";

  const POLL_MS = 1500;

  function setText(card, name, value) {
    const node = card.querySelector(`[data-progress="${name}"]`);
    if (node) node.textContent = value;
  }

  function humanBytes(bytes) {
    const units = ["B", "KB", "MB", "GB", "TB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
  }

  function show(card, run) {
    const progress = run.progress;
    setText(card, "status", run.status_label);
    setText(card, "rows_read", progress.rows_read);
    setText(card, "rows_total", progress.rows_total === null ? "?" : progress.rows_total);
    setText(card, "bytes", humanBytes(progress.bytes));
    setText(card, "rows_per_second", progress.rows_per_second);
    setText(card, "eta_seconds", progress.eta_seconds === null ? "—" : progress.eta_seconds);
    setText(card, "batches", progress.batches);
    const bar = card.querySelector('[data-progress="bar"]');
    if (bar && progress.percent !== null) {
      bar.style.width = `${progress.percent}%`;
      bar.textContent = `${progress.percent}%`;
      bar.parentElement.setAttribute("aria-valuenow", String(progress.percent));
    }
    if (bar && !progress.is_live) {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
    }
  }

  function poll(card) {
    fetch(card.dataset.runUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((run) => {
        show(card, run);
        if (run.progress.is_live) {
          window.setTimeout(() => poll(card), POLL_MS);
        } else {
          window.location.reload();
        }
      })
      .catch(() => window.setTimeout(() => poll(card), POLL_MS * 4));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const card = document.getElementById("gs-run-progress");
    if (card && card.dataset.live === "1") {
      window.setTimeout(() => poll(card), POLL_MS);
    }
  });
})();
