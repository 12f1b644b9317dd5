// /api (templates/pages/api.html): every endpoint of /openapi.json as a list at once, and the interactive
// reference, the vendored Swagger UI (static/vendor/swagger-ui), loaded only when the visitor opens it: its
// 0.5 MB of script would otherwise make every first visit heavy and slow on a phone.
(function () {
  const root = document.getElementById("api-referentie");
  if (!root) return;
  const msg = root.dataset;
  const list = document.getElementById("api-lijst");
  const ui = document.getElementById("api-swagger");
  const button = document.getElementById("api-openen");
  const status = document.getElementById("api-status");
  const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
  let spec = null;
  let loading = null;

  const fail = (why) => {
    status.setAttribute("role", "alert");
    status.textContent = msg.msgFout + (why ? " (" + why + ")" : "");
  };

  fetch(msg.spec, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
    .then((found) => {
      spec = found;
      drawList(found);
      button.hidden = false;
    })
    .catch((e) => fail(e && e.message));

  button.addEventListener("click", () => open(null));

  // Operations grouped by their first tag, in the order of the spec's tag list.
  function drawList(found) {
    const groups = new Map((found.tags || []).map((t) => [t.name, []]));
    for (const [path, item] of Object.entries(found.paths || {})) {
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const tag = (op.tags && op.tags[0]) || msg.msgOverig;
        if (!groups.has(tag)) groups.set(tag, []);
        groups.get(tag).push({ method, path, summary: op.summary || "" });
      }
    }
    for (const [tag, ops] of groups) {
      if (!ops.length) continue;
      const h = document.createElement("h3");
      h.textContent = tag;
      const ul = document.createElement("ul");
      for (const op of ops) {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "api-operatie";
        b.dataset.method = op.method;
        b.dataset.path = op.path;
        b.setAttribute("aria-label", `${op.method.toUpperCase()} ${op.path}: ${msg.msgOpenen}`);
        const m = document.createElement("span");
        m.className = "api-methode";
        m.textContent = op.method.toUpperCase();
        const code = document.createElement("code");
        code.textContent = op.path;
        b.append(m, " ", code);
        b.addEventListener("click", () => open(op));
        const s = document.createElement("span");
        s.className = "api-samenvatting";
        s.textContent = op.summary;
        li.append(b, " ", s);
        ul.append(li);
      }
      list.append(h, ul);
    }
  }

  function load() {
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = msg.swaggerCss;
        document.head.append(css);
        const js = document.createElement("script");
        js.src = msg.swaggerJs;
        js.onload = () => (typeof window.SwaggerUIBundle === "function" ? resolve() : reject(new Error("Swagger UI")));
        js.onerror = () => reject(new Error("Swagger UI"));
        document.head.append(js);
      });
    }
    return loading;
  }

  function open(target) {
    if (!spec) return;
    status.removeAttribute("role");
    status.textContent = msg.msgLaden;
    load().then(() => {
      if (ui.dataset.geladen) return expand(target);
      // "Try it out" asks the server this page came from (the spec names the configured public
      // address, which is another origin on a test or development server and blocked by the CSP).
      const configured = new URL((spec.servers && spec.servers[0] && spec.servers[0].url) || "/", location.href);
      const copy = Object.assign({}, spec, { servers: [{ url: location.origin + configured.pathname.replace(/\/$/, "") }] });
      ui.hidden = false;
      window.SwaggerUIBundle({
        spec: copy,
        domNode: ui,
        presets: [window.SwaggerUIBundle.presets.apis],
        plugins: [portalLayout],
        layout: "PortalLayout",
        validatorUrl: null, // no badge fetched from validator.swagger.io: nothing leaves this site
        docExpansion: "list",
        defaultModelsExpandDepth: -1,
        deepLinking: false, // its links would sit inside each operation's button (nested-interactive)
        displayRequestDuration: true,
        syntaxHighlight: { activated: false }, // its colours on dark grey fall short of 4.5:1 contrast
        onComplete: () => {
          ui.dataset.geladen = "1";
          list.hidden = true;
          button.hidden = true;
          status.textContent = msg.msgGeladen;
          repairAccessibility(ui);
          new MutationObserver(() => repairAccessibility(ui)).observe(ui, { childList: true, subtree: true });
          // onComplete comes when the spec is loaded, a moment before the operations are drawn
          const start = Date.now();
          (function wait() {
            if (ui.querySelector(".opblock") || Date.now() - start > 10000) expand(target);
            else setTimeout(wait, 50);
          })();
        },
      });
    }).catch((e) => fail(e && e.message));
  }

  // Open the chosen operation in Swagger UI and move the focus to it; without one, to the first.
  function expand(target) {
    const blocks = [...ui.querySelectorAll(".opblock")];
    const block = target
      ? blocks.find((b) => b.classList.contains("opblock-" + target.method)
          && b.querySelector(`.opblock-summary-path[data-path="${CSS.escape(target.path)}"]`))
      : blocks[0];
    const control = block && block.querySelector(".opblock-summary-control");
    if (!control) return;
    if (target && control.getAttribute("aria-expanded") !== "true") control.click();
    control.focus();
    block.scrollIntoView({ block: "start" });
  }

  // Swagger UI's BaseLayout without what the page says itself (its title block, a second <h1>) and
  // without its <main> (the page has one): the server chooser (hidden, static/api.css) and the operations.
  function portalLayout(system) {
    const h = system.React.createElement;
    return {
      components: {
        PortalLayout: function PortalLayout(props) {
          const get = props.getComponent;
          const Row = get("Row"), Col = get("Col");
          return h("div", { className: "swagger-ui" }, h(get("SvgAssets")), h(get("errors", true)),
            h("div", { className: "scheme-container" }, h(Col, { className: "schemes wrapper", mobile: 12 }, h(get("ServersContainer", true)))),
            h(Row, null, h(Col, { mobile: 12, desktop: 12 }, h(get("operations", true)))));
        },
      },
    };
  }

  // Swagger UI leaves a few controls without a name and its response bodies scroll without being reachable
  // by keyboard: name them, make them focusable (axe, screen readers).
  function repairAccessibility(where) {
    for (const control of where.querySelectorAll("select:not([aria-label]), input:not([aria-label]), textarea:not([aria-label])")) {
      if (control.labels && control.labels.length && control.labels[0].textContent.trim()) continue;
      const row = control.closest("tr");
      const name = row && row.querySelector(".parameter__name");
      const label = control.getAttribute("placeholder") || (name && name.textContent.replace("*", "").trim())
        || control.getAttribute("title") || "value";
      control.setAttribute("aria-label", label);
    }
    for (const pre of where.querySelectorAll(".highlight-code pre:not([tabindex]), .microlight:not([tabindex])")) {
      pre.setAttribute("tabindex", "0");
    }
  }
})();
