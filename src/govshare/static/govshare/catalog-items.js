// The resource form of the catalog: conditional share/open inputs and the data-item rows.
// Only presentation: the server's rules decide what is valid, whatever is shown here.
(() => {
  // Inputs wrapped in data-show-when="name=value" are shown while the input `name` has that
  // value ("on" for a ticked checkbox); an input carrying an error stays in sight.
  function bindConditionalInputs(form) {
    const wrappers = form.querySelectorAll("[data-show-when]");
    const update = () => {
      wrappers.forEach((wrapper) => {
        const [name, wanted] = wrapper.dataset.showWhen.split("=");
        const control = form.elements.namedItem(name);
        if (!control) return;
        const value = control.type === "checkbox" ? (control.checked ? "on" : "") : control.value;
        const hasError = wrapper.querySelector(".invalid-feedback") !== null;
        wrapper.hidden = value !== wanted && !hasError;
      });
    };
    form.addEventListener("change", update);
    update();
  }

  // Data-item rows of the Django formset (prefix on the table): add from the <template>,
  // remove by ticking the row's DELETE box (a row never saved is simply dropped).
  function bindItemRows(form) {
    const table = form.querySelector("#gs-item-table");
    const template = form.querySelector("#gs-item-template");
    const addButton = form.querySelector("#gs-item-add");
    if (!table || !template || !addButton) return;
    const prefix = table.dataset.prefix;
    const total = form.elements.namedItem(`${prefix}-TOTAL_FORMS`);
    const rows = table.querySelector("tbody");

    const renumber = () => {
      let number = 0;
      rows.querySelectorAll("tr[data-item-row]").forEach((row) => {
        if (row.hidden) return;
        number += 1;
        row.querySelector("[data-item-number]").textContent = String(number);
      });
    };

    addButton.addEventListener("click", () => {
      const index = Number(total.value);
      const html = template.innerHTML.replaceAll("__prefix__", String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      renumber();
      const added = rows.lastElementChild;
      const first = added && added.querySelector("input, select");
      if (first) first.focus();
    });

    rows.addEventListener("click", (event) => {
      const button = event.target.closest("[data-item-remove]");
      if (!button) return;
      const row = button.closest("tr");
      const remove = row.querySelector(`input[name$="-DELETE"]`);
      if (remove) remove.checked = true;
      row.hidden = true;
      renumber();
    });
    renumber();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("gs-resource-form");
    if (!form) return;
    bindConditionalInputs(form);
    bindItemRows(form);
  });
})();
