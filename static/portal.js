// Progressive enhancement for Datasette's own pages (table, row, query).

// On a phone, lists become cards (static/portal.css): each cell shows its column's name, taken here
// from the table's header. Called again by scripts that fill a table later (in-de-buurt.js).
function labelTables(root) {
  for (const table of (root || document).querySelectorAll("table.lijst")) {
    const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (cell.tagName === "TD" && !cell.dataset.label && names[i]) cell.dataset.label = names[i];
      });
    }
  }
}
window.portalLabelTables = labelTables;

// The cluster map loads the first 1,000 rows and then offers "load all": a map must show
// every row, so we continue loading by ourselves. (The plannen table shows every plan from
// /-/kaartdata.json instead, static/kaart.js, when its filters allow; this is for the rest.)
function clusterMapLoadAll() {
  for (const button of document.querySelectorAll("button.cluster-map-button")) {
    if (button.textContent === "load all" && !button.dataset.autoClicked) {
      button.dataset.autoClicked = "1";
      button.click();
    }
  }
}

// Datasette 0.65's filter form and SQL editor (CodeMirror adds its own textarea) have
// controls without labels; name them for screen readers.
const UNLABELLED = {
  _filter_column: "Kolom / Column", _filter_op: "Vergelijking / Comparison", _filter_value: "Waarde / Value",
  sql: "SQL-query / SQL query", _sort: "Sorteren op / Sort by", _sort_by_desc: "Aflopend / Descending",
};
function labelControls() {
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || el.labels?.length || el.getAttribute("aria-label")) continue;
    const name = (el.name || "").replace(/_\d+$/, "");
    const label = UNLABELLED[name]
      || (el.classList.contains("filter-value") && UNLABELLED._filter_value)
      || (el.closest(".CodeMirror, .cm-editor") && UNLABELLED.sql);
    if (label) el.setAttribute("aria-label", label);
  }
  // wide tables scroll sideways: keyboard users must be able to reach that scroll area
  for (const wrapper of document.querySelectorAll(".table-wrapper:not([tabindex])")) {
    wrapper.tabIndex = 0;
    wrapper.setAttribute("role", "region");
    wrapper.setAttribute("aria-label", "Tabel / Table");
  }
}

function enhance() {
  labelTables();
  clusterMapLoadAll();
  labelControls();
}
document.addEventListener("DOMContentLoaded", () => {
  enhance();
  // not for what a map draws (markers, tiles, outlines: thousands of nodes, each batch a walk over the page)
  new MutationObserver((mutations) => {
    if (mutations.every((m) => m.target.closest && m.target.closest(".leaflet-container"))) return;
    enhance();
  }).observe(document.body, { childList: true, subtree: true });
});
