// /gemeenten: the filter box narrows the list as you type (case and accents do not matter); without
// JavaScript the same box searches through /zoeken.
(function () {
  const input = document.getElementById("gemeente-filter");
  const list = document.getElementById("gemeentelijst");
  const status = document.getElementById("gemeente-filter-status");
  if (!input || !list) return;
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]/g, "");
  input.addEventListener("input", () => {
    const needle = fold(input.value);
    let shown = 0;
    for (const table of list.querySelectorAll("table")) {
      let visible = 0;
      for (const row of table.querySelectorAll("tbody tr")) {
        const match = !needle || fold(row.cells[0].textContent).includes(needle);
        row.hidden = !match;
        visible += match;
      }
      table.hidden = visible === 0;
      const heading = table.previousElementSibling;
      if (heading && heading.tagName === "H2") heading.hidden = visible === 0;
      shown += visible;
    }
    status.textContent = needle ? `${shown} ${input.dataset.msgAantal}` : "";
  });
})();
