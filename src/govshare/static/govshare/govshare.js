// Behaviour shared by every page. No inline scripts anywhere (CSP: script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  // Selects inside forms marked data-autosubmit submit on change (language, department switch).
  document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // Buttons with data-confirm ask before submitting.
  document.querySelectorAll("[data-confirm]").forEach((element) => {
    element.addEventListener("click", (event) => {
      if (!window.confirm(element.dataset.confirm)) event.preventDefault();
    });
  });
  // Copy-to-clipboard buttons (data-copy-target="#id").
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.querySelector(button.dataset.copyTarget);
      if (target) navigator.clipboard.writeText(target.value || target.textContent.trim());
    });
  });
});

// Progress bars take their width from data-width (no inline style in templates), also after htmx swaps.
function gsApplyWidths(root) {
  root.querySelectorAll("[data-width]").forEach((bar) => { bar.style.width = `${bar.dataset.width}%`; });
}
document.addEventListener("DOMContentLoaded", () => gsApplyWidths(document));
document.addEventListener("htmx:afterSwap", (event) => gsApplyWidths(event.target));
