// Progressive enhancement for Datasette's own pages: fold the long list of column
// descriptions on table pages into a <details> so the map and the rows come first.
document.addEventListener("DOMContentLoaded", () => {
  const dl = document.querySelector("dl.column-descriptions");
  if (!dl) return;
  const details = document.createElement("details");
  details.className = "column-descriptions-details";
  const summary = document.createElement("summary");
  summary.textContent = "Uitleg van de kolommen / Column descriptions";
  dl.replaceWith(details);
  details.append(summary, dl);
});

// The cluster map loads the first 1,000 rows and then offers "load all": a national
// map must show every plan, so we continue loading by ourselves.
const clusterMapLoadAll = new MutationObserver(() => {
  for (const button of document.querySelectorAll("button.cluster-map-button")) {
    if (button.textContent === "load all" && !button.dataset.autoClicked) {
      button.dataset.autoClicked = "1";
      button.click();
    }
  }
});
document.addEventListener("DOMContentLoaded", () => {
  clusterMapLoadAll.observe(document.body, { childList: true, subtree: true });
});
