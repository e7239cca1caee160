// Small behaviours of the sharing pages. No inline scripts anywhere (CSP: script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  // Request form: tick every item that is shared (with or without conditions), or clear all.
  document.querySelectorAll("[data-tick]").forEach((button) => {
    button.addEventListener("click", () => {
      const boxes = button.closest("fieldset").querySelectorAll("input[type=checkbox]");
      boxes.forEach((box) => {
        box.checked = button.dataset.tick === "shared" && box.dataset.shareType !== "not_shared";
      });
    });
  });
  // Answer form: grant or refuse every open item at once; a refusal puts the cursor on its reason.
  document.querySelectorAll("[data-answer-all]").forEach((button) => {
    button.addEventListener("click", () => {
      const form = button.closest("form");
      form.querySelectorAll(`input[type=radio][value="${button.dataset.answerAll}"]`).forEach((radio) => {
        radio.checked = true;
      });
    });
  });
  document.querySelectorAll("#gs-answer-items input[type=radio][value=refuse]").forEach((radio) => {
    radio.addEventListener("change", () => {
      const reason = radio.closest("tr").querySelector("input[type=text]");
      if (radio.checked && reason && !reason.value) reason.focus();
    });
  });
});
