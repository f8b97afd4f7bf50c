// Shared helpers of the dashboard pages: API calls, escaping, the header, periodic refresh.
"use strict";

const Twin = (() => {
  const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const seg = (id) => encodeURIComponent(id);

  // A server that protects reads (it listens beyond loopback, or --protect-reads) answers 401 without a token: ask for
  // one (the read-only token is enough), keep it for this browser tab only, and send it as a bearer token. A page's
  // requests start together: the first 401 asks, the others retry with the token it got; a refused token is forgotten
  // and asked for again, once per request.
  const tokenKey = "twin-token";
  const headers = (token) => (token ? { Accept: "application/json", Authorization: `Bearer ${token}` } : { Accept: "application/json" });

  async function api(path) {
    const sent = sessionStorage.getItem(tokenKey);
    let response = await fetch(path, { headers: headers(sent) });
    if (response.status === 401) {
      let token = sessionStorage.getItem(tokenKey);
      if (!token || token === sent) {
        if (token) sessionStorage.removeItem(tokenKey);
        token = (window.prompt(sent
          ? "The server refused that token. Paste an API token (the read-only one is enough):"
          : "This Twin server protects reads. Paste an API token (the read-only one is enough):") ?? "").trim();
        if (token) sessionStorage.setItem(tokenKey, token);
      }
      if (token) response = await fetch(path, { headers: headers(token) });
    }
    if (!response.ok) {
      let detail = `${response.status} ${response.statusText}`;
      try {
        const problem = await response.json();
        detail = `${problem.title ?? detail}: ${problem.detail ?? ""}`;
      } catch { /* not a problem document */ }
      throw new Error(detail);
    }
    return response.json();
  }

  // A link to an API page (an HTML report): a browser sends no bearer token when it follows a link, so with a token
  // kept for this tab the page is fetched with it and shown from memory.
  function tokenLink(anchor) {
    if (anchor.dataset.tokenLink) return;
    anchor.dataset.tokenLink = "1";
    anchor.addEventListener("click", async (e) => {
      const token = sessionStorage.getItem(tokenKey);
      if (!token) return;
      e.preventDefault();
      const response = await fetch(anchor.href, { headers: { Authorization: `Bearer ${token}` } });
      if (!response.ok) {
        window.alert(`${anchor.href}: ${response.status} ${response.statusText}`);
        return;
      }
      window.location.href = URL.createObjectURL(await response.blob());
    });
  }

  // Draws a chart on the canvas with this id the first time, then updates it in place (a page refreshes every few
  // seconds; a new Chart each time would stack them). Charts never animate and fill their box.
  const charts = {};
  function chart(id, config) {
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].options = config.options;
      charts[id].update();
      return;
    }
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    charts[id] = new Chart(document.getElementById(id), config);
  }

  function header(active) {
    const pages = [["index.html", "Inventory"], ["pools.html", "VF pools"], ["vm.html", "VM timeline"], ["forecast.html", "Forecasts"], ["rehearsals.html", "Rehearsals"]];
    const nav = pages.map(([href, label]) => `<a href="${href}" class="${href === active ? "active" : ""}">${label}</a>`).join("");
    document.body.insertAdjacentHTML("afterbegin",
      `<header><span class="brand">Twin</span><nav>${nav}</nav><span class="status" id="server-status">…</span></header>`);
    api("/health/ready").then(
      (r) => (document.getElementById("server-status").textContent = `server ${r.status.toLowerCase()}`),
      (e) => (document.getElementById("server-status").textContent = `server: ${e.message}`));
  }

  function showError(error) {
    const box = document.getElementById("error");
    if (!box) return;
    box.hidden = !error;
    box.textContent = error ? `Cannot load from the twin server: ${error.message}` : "";
  }

  // Runs `load` now and every `seconds` (the page keeps following the twin); errors are shown, not thrown.
  function every(seconds, load) {
    const run = async () => {
      try {
        await load();
        showError(null);
      } catch (e) {
        showError(e);
      }
    };
    run();
    return setInterval(run, seconds * 1000);
  }

  function datapathClass(d) {
    if (!d) return "";
    return { Vf: "vf", Synthetic: "synthetic", Disconnected: "disconnected" }[d.kind] ?? "muted";
  }

  function datapathText(d) {
    if (!d) return "";
    switch (d.kind) {
      case "Vf": return `VF ${d.vfIndex} on ${d.nic}`;
      case "Synthetic": return d.reason ? `synthetic (${d.reason})` : "synthetic";
      case "Disconnected": return `disconnected (${d.reason})`;
      default: return "off";
    }
  }

  const pct = (part, whole) => (whole > 0 ? Math.round((100 * part) / whole) : 0);

  function bar(part, whole) {
    const p = pct(part, whole);
    return `<div class="bar ${whole > 0 && part >= whole ? "full" : ""}" title="${part} of ${whole}"><span style="width:${p}%"></span></div>`;
  }

  function table(rows, columns, emptyText) {
    const head = columns.map((c) => `<th class="${c.num ? "num" : ""}">${esc(c.title)}</th>`).join("");
    const body = rows.length === 0
      ? `<tr><td colspan="${columns.length}" class="empty">${esc(emptyText ?? "none")}</td></tr>`
      : rows.map((r) => `<tr ${r.__attrs ?? ""}>${columns.map((c) => `<td class="${c.num ? "num" : ""} ${c.cls ? c.cls(r) : ""}" data-col="${c.key}">${c.html ? c.html(r) : esc(r[c.key])}</td>`).join("")}</tr>`).join("");
    return `<thead><tr>${head}</tr></thead><tbody>${body}</tbody>`;
  }

  const time = (t) => new Date(t).toLocaleString();

  return { api, esc, seg, header, tokenLink, chart, every, datapathClass, datapathText, pct, bar, table, time };
})();
