// The VF-pool page: the four counters per PF, utilisation per PF, host and cluster, and allocation over time.
"use strict";

Twin.header("pools.html");

const palette = ["#2e5aac", "#12805c", "#b54708", "#7a5af8", "#c11574", "#0e9384", "#667085", "#dc6803", "#1570ef", "#4e5ba6"];

function groupBy(pools, key) {
  const groups = new Map();
  for (const p of pools) {
    const g = groups.get(p[key]) ?? { name: p[key], pfs: 0, configured: 0, allocated: 0, free: 0, waiting: 0, rejections: 0 };
    g.pfs += 1; g.configured += p.configured; g.allocated += p.allocated; g.free += p.free; g.waiting += p.waiting; g.rejections += p.rejections;
    groups.set(p[key], g);
  }
  return [...groups.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const groupColumns = (title) => [
  { key: "name", title }, { key: "pfs", title: "PFs", num: true }, { key: "configured", title: "Configured", num: true },
  { key: "allocated", title: "Allocated", num: true }, { key: "free", title: "Free", num: true }, { key: "waiting", title: "Waiting", num: true },
  { key: "util", title: "Utilisation", html: (g) => `${Twin.bar(g.allocated, g.configured)} ${Twin.pct(g.allocated, g.configured)} %` },
];

Twin.every(5, async () => {
  const pools = await Twin.api("/api/pools/summary");
  const total = groupBy(pools.map((p) => ({ ...p, all: "all" })), "all")[0] ?? { configured: 0, allocated: 0, free: 0, waiting: 0, rejections: 0 };
  document.getElementById("cards").innerHTML = [
    [pools.length, "PFs"],
    [`${total.allocated} / ${total.configured}`, "VFs allocated / configured"],
    [`${Twin.pct(total.allocated, total.configured)} %`, "cluster-wide utilisation"],
    [total.waiting, "vNICs waiting (unmet demand)"],
    [total.rejections, "VF requests refused"],
  ].map(([v, l]) => `<div class="card"><div class="value">${Twin.esc(v)}</div><div class="label">${l}</div></div>`).join("");

  const rows = pools.map((p) => ({ ...p, __attrs: `data-nic="${Twin.esc(p.nic)}"` }));
  document.getElementById("pool-table").innerHTML = Twin.table(rows, [
    { key: "nic", title: "PF" }, { key: "host", title: "Host" }, { key: "cluster", title: "Cluster" }, { key: "model", title: "Model" },
    { key: "status", title: "Status", cls: (p) => p.status },
    { key: "ceiling", title: "Ceiling", num: true, html: (p) => p.ceiling ?? "–" },
    { key: "configured", title: "Configured", num: true }, { key: "allocatable", title: "Allocatable", num: true },
    { key: "allocated", title: "Allocated", num: true }, { key: "free", title: "Free", num: true, cls: (p) => (p.free === 0 && p.configured > 0 ? "bad" : "") },
    { key: "waiting", title: "Waiting", num: true, cls: (p) => (p.waiting > 0 ? "synthetic" : "") },
    { key: "pendingVfs", title: "Pending", num: true, html: (p) => p.pendingVfs ?? "–" },
    { key: "rejections", title: "Refused", num: true },
    { key: "reserved", title: "Reserved", num: true, cls: (p) => (p.reserved > 0 ? "synthetic" : "") },
    { key: "util", title: "Utilisation", html: (p) => `${Twin.bar(p.allocated, p.configured)} ${Twin.pct(p.allocated, p.configured)} %` },
  ], "no PF yet: install one (twin nic install) or apply a topology (twin apply)");

  Twin.chart("pf-chart", {
    type: "bar",
    data: {
      labels: pools.map((p) => p.nic),
      datasets: [
        { label: "allocated", data: pools.map((p) => p.allocated), backgroundColor: "#2e5aac" },
        { label: "free", data: pools.map((p) => p.free), backgroundColor: "#12805c" },
        { label: "configured, not allocatable", data: pools.map((p) => Math.max(0, p.configured - p.allocatable)), backgroundColor: "#b42318" },
        { label: "headroom to the ceiling", data: pools.map((p) => Math.max(0, (p.ceiling ?? p.configured) - p.configured)), backgroundColor: "#d0d5dd" },
      ],
    },
    options: {
      indexAxis: "y",
      plugins: { title: { display: true, text: "VFs per PF" } },
      scales: { x: { stacked: true, title: { display: true, text: "VFs" } }, y: { stacked: true } },
    },
  });

  const hosts = groupBy(pools, "host");
  const clusters = groupBy(pools, "cluster");
  document.getElementById("host-table").innerHTML = Twin.table(hosts, groupColumns("Host"), "no host with PFs");
  document.getElementById("cluster-table").innerHTML = Twin.table(clusters, groupColumns("Cluster"), "no cluster");
  Twin.chart("group-chart", {
    type: "bar",
    data: {
      labels: [...hosts.map((h) => `host ${h.name}`), ...clusters.map((c) => `cluster ${c.name}`)],
      datasets: [{
        label: "VFs allocated / configured (%)",
        data: [...hosts, ...clusters].map((g) => Twin.pct(g.allocated, g.configured)),
        backgroundColor: [...hosts.map(() => "#2e5aac"), ...clusters.map(() => "#7a5af8")],
      }],
    },
    options: { plugins: { title: { display: true, text: "Utilisation per host and cluster" } }, scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } } },
  });
});

async function history() {
  const hours = document.getElementById("window").value;
  const h = await Twin.api(`/api/pools/history?hours=${hours}`);
  const datasets = [];
  h.pools.forEach((p, i) => {
    const colour = palette[i % palette.length];
    datasets.push({ label: `${p.nic} allocated`, data: p.points.map((x) => ({ x: Date.parse(x.at), y: x.allocated })), borderColor: colour, backgroundColor: colour, stepped: true, pointRadius: 0 });
    if (p.points.some((x) => x.waiting > 0))
      datasets.push({ label: `${p.nic} waiting`, data: p.points.map((x) => ({ x: Date.parse(x.at), y: x.waiting })), borderColor: colour, borderDash: [5, 4], stepped: true, pointRadius: 0 });
  });
  Twin.chart("history-chart", {
    type: "line",
    data: { datasets },
    options: {
      parsing: false,
      scales: {
        x: { type: "linear", min: Date.parse(h.since), max: Date.parse(h.until), ticks: { callback: (v) => new Date(v).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) } },
        y: { beginAtZero: true, title: { display: true, text: "VFs / vNICs" }, ticks: { precision: 0 } },
      },
      plugins: { tooltip: { callbacks: { title: (items) => new Date(items[0].parsed.x).toLocaleString() } } },
    },
  });
}

document.getElementById("window").addEventListener("change", () => history().catch((e) => console.error(e)));
Twin.every(15, history);
