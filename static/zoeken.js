// /zoeken: place names and addresses through PDOK's Locatieserver (the Dutch government's), when the
// network allows; each hit names its municipality, linked to the portal's page. Without a network the
// page says so plainly: the municipalities and plans above come from the portal itself.
(function () {
  const section = document.getElementById("plaatsen");
  if (!section || !section.dataset.q) return;
  const cfg = section.dataset, message = section.querySelector("p"), list = section.querySelector("ul");
  section.hidden = false;
  const url = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free?rows=5&fq=type:(woonplaats OR weg OR adres OR postcode)"
    + "&fl=weergavenaam,type,gemeentecode,gemeentenaam&q=" + encodeURIComponent(cfg.q);
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 4000));
  Promise.race([fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status)))), timeout])
    .then((data) => {
      const docs = (data.response && data.response.docs) || [];
      message.textContent = docs.length ? "" : cfg.msgGeen;
      for (const doc of docs) {
        const li = document.createElement("li");
        li.append(doc.weergavenaam + " " + cfg.msgLigtIn + " ");
        const a = document.createElement("a");
        a.href = cfg.linkPrefix + "GM" + String(doc.gemeentecode || "").padStart(4, "0");
        a.textContent = doc.gemeentenaam;
        li.appendChild(a);
        list.appendChild(li);
      }
    })
    .catch(() => { message.textContent = cfg.msgOffline; });
})();
