// The forecast page: the saved what-if scenarios, and the last run of one of them (the most recently run, or ?name=)
// side by side: exhaustion, unmet demand, throughput, CPU and latency per variant, the verdicts, and the charts.
"use strict";

Twin.header("forecast.html");

const palette = ["#2e5aac", "#12805c", "#b54708", "#7a5af8", "#c11574", "#0e9384", "#667085", "#dc6803"];
const picked = new URLSearchParams(location.search).get("name");

const num = (v) => (v === null || v === undefined ? "–" : Math.abs(v) >= 100 ? v.toFixed(0) : String(Math.round(v * 10) / 10));
const day = (d, horizon) => (d === null || d === undefined ? `after day ${num(horizon)}` : `day ${num(d)}`);
// "day 12.3 / day 20.1 (20 of 20 replications; earliest day 9)" or "lasts the 30 days", as the HTML report says it
const exhaustion = (e, horizon) => (e.replicationsExhausted === 0
  ? `lasts the ${num(horizon)} days`
  : `${day(e.p50, horizon)} / ${day(e.p95, horizon)} (${e.replicationsExhausted} of ${e.replications} replications; earliest day ${num(e.earliest ?? 0)})`);
const hex = (colour, alpha) => colour + Math.round(alpha * 255).toString(16).padStart(2, "0");

function scenarios(list, shown) {
  const rows = list.map((s) => ({ ...s, __attrs: `data-scenario="${Twin.esc(s.name)}"${s.name === shown ? ' class="selected"' : ""}` }));
  document.getElementById("scenario-table").innerHTML = Twin.table(rows, [
    { key: "name", title: "Scenario", html: (s) => `<a href="forecast.html?name=${Twin.seg(s.name)}">${Twin.esc(s.name)}</a>` },
    { key: "description", title: "Description", html: (s) => Twin.esc(s.description ?? "") },
    { key: "revision", title: "Revision", num: true },
    { key: "savedAt", title: "Saved", html: (s) => `${Twin.esc(Twin.time(s.savedAt))} <span class="muted">by ${Twin.esc(s.savedBy)}</span>` },
    { key: "lastRunAt", title: "Last run", html: (s) => (s.lastRunAt ? Twin.esc(Twin.time(s.lastRunAt)) : '<span class="muted">never</span>') },
    { key: "stale", title: "Run is", cls: (s) => (s.lastRunAt && !s.lastRunIsCurrent ? "synthetic" : ""),
      html: (s) => (!s.lastRunAt ? "–" : s.lastRunIsCurrent ? "current" : "stale") },
    { key: "committedVariant", title: "Committed", html: (s) => Twin.esc(s.committedVariant ?? "–") },
    { key: "reservedVfs", title: "Reserved VFs", num: true },
  ], "no scenario saved yet: twin scenario save NAME FILE");
}

function sideBySide(report) {
  const vs = report.variants;
  const h = report.horizonDays;
  const figures = [
    ["changes", "Changes", (v) => (v.changes.length === 0 ? "—" : v.changes.join("; "))],
    ["size", "Hosts / PFs / allocatable VFs", (v) => `${v.hosts} / ${v.pfs} / ${v.vfsAllocatable}`],
    ["exhaustion", "First VF exhaustion (P50 / P95)", (v) => exhaustion(v.firstExhaustion, h)],
    ["constrained", "Most constrained PF", (v) => v.mostConstrainedPf ?? "—"],
    ["cluster-out", "A whole cluster out of VFs (P50 / P95)", (v) => exhaustion(v.firstClusterRunsOut, h)],
    ["fell-back", "vNICs that fell back to synthetic (P50 / P95)", (v) => `${num(v.demand.vnicsFellBack.p50)} / ${num(v.demand.vnicsFellBack.p95)}`],
    ["failed-starts", "Failed power-ons (P50 / P95)", (v) => `${num(v.demand.failedStarts.p50)} / ${num(v.demand.failedStarts.p95)}`],
    ["unmet", "Wanting vNICs left without a VF (P50)", (v) => `${num(v.demand.unmetPercent.p50)} %`],
    ["vf-synthetic", "Throughput on VFs / synthetic (Gbit/s, P50)", (v) => `${num(v.throughput.vfPathGbps.p50)} / ${num(v.throughput.syntheticPathGbps.p50)}`],
    ["all-synthetic", "All-synthetic reference (Gbit/s)", (v) => num(v.throughput.allSyntheticGbps.p50)],
    ["gain", "Gain of SR-IOV (Gbit/s, %)", (v) => `${num(v.throughput.gainGbps.p50)} (${num(v.throughput.gainPercent.p50)} %)`],
    ["cpu-saved", "Host CPU cores saved", (v) => num(v.throughput.cpuCoresSaved.p50)],
    ["latency", "Mean round-trip latency (µs; all synthetic)", (v) => `${num(v.throughput.meanLatencyUs.p50)} (${num(v.throughput.allSyntheticLatencyUs.p50)})`],
    ...disruptionFigures(vs),
    ["verdict", "Against the baseline", (v) => v.versusBaseline?.verdict ?? "—"],
  ];
  const rows = figures.map(([key, label, value]) => ({ label, values: vs.map(value), __attrs: `data-row="${key}"` }));
  document.getElementById("variant-table").innerHTML = Twin.table(rows, [
    { key: "figure", title: "", html: (r) => `<b>${Twin.esc(r.label)}</b>` },
    ...vs.map((v, i) => ({ key: v.name, title: v.name, html: (r) => Twin.esc(r.values[i]) })),
  ]);
}

// Host and PF failures and what they did to the VMs, when any replication of any variant had one, and host maintenance
// when a host was in maintenance (reports made before failures were simulated have no disruptions at all, those made
// before maintenance no maintenance figures). The model counts the VM-hours down of both together.
function disruptionFigures(vs) {
  const band = (pick) => (v) => (v.disruptions && pick(v.disruptions) ? `${num(pick(v.disruptions).p50)} / ${num(pick(v.disruptions).p95)}` : "—");
  const failed = vs.some((v) => v.disruptions && (v.disruptions.hostFailures.max > 0 || v.disruptions.pfFailures.max > 0
    || v.disruptions.vmsInterrupted.max > 0 || v.disruptions.vfsRevokedByPfFailures.max > 0));
  const maintained = vs.some((v) => v.disruptions?.maintenanceWindows?.max > 0);
  const figures = [];
  if (failed) {
    figures.push(
      ["host-failures", "Host / PF failures (P50 / P95)", (v) => `${band((d) => d.hostFailures)(v)} · ${band((d) => d.pfFailures)(v)}`],
      ["interrupted", "VMs interrupted by host failures (P50 / P95)", band((d) => d.vmsInterrupted)],
      ["restarted", "Restarted elsewhere · at repair · not restarted (P50)", (v) => (v.disruptions
        ? `${num(v.disruptions.restartedElsewhere.p50)} · ${num(v.disruptions.restartedAtRepair.p50)} · ${num(v.disruptions.notRestarted.p50)}` : "—")],
    );
  }
  if (maintained) {
    figures.push(
      ["maintenance", "Maintenance windows · host-hours in maintenance (P50)", (v) => (v.disruptions?.maintenanceWindows
        ? `${num(v.disruptions.maintenanceWindows.p50)} · ${num(v.disruptions.hostHoursInMaintenance.p50)}` : "—")],
      ["maintenance-vms", "VMs moved · shut down · restarted after maintenance (P50)", (v) => (v.disruptions?.maintenanceWindows
        ? `${num(v.disruptions.vmsMovedForMaintenance.p50)} · ${num(v.disruptions.vmsShutDownForMaintenance.p50)} · ${num(v.disruptions.restartedAfterMaintenance.p50)}`
        : "—")],
    );
  }
  if (failed || maintained) {
    const to = failed && maintained ? " to failures and maintenance" : "";
    figures.push(["vm-hours-down", `VM-hours down${to} (P50 / P95)`, band((d) => d.vmHoursDown)]);
  }
  if (failed) figures.push(["revoked", "VFs revoked by PF failures (P50 / P95)", band((d) => d.vfsRevokedByPfFailures)]);
  return figures;
}

function utilisation(report) {
  const datasets = [];
  report.variants.forEach((v, i) => {
    const colour = palette[i % palette.length];
    const u = v.utilisation;
    const points = (series) => series.map((y, k) => ({ x: (k * u.bucketHours) / 24, y }));
    datasets.push({ label: `${v.name} P50`, data: points(u.p50), borderColor: colour, backgroundColor: colour, pointRadius: 0, borderWidth: 2 });
    datasets.push({ label: `${v.name} P95`, data: points(u.p95), borderColor: hex(colour, 0.35), backgroundColor: hex(colour, 0.15), pointRadius: 0, borderWidth: 1, fill: "-1" });
  });
  Twin.chart("utilisation-chart", {
    type: "line",
    data: { datasets },
    options: {
      parsing: false,
      scales: {
        x: { type: "linear", min: 0, max: report.horizonDays, title: { display: true, text: "day" } },
        y: { min: 0, suggestedMax: 100, title: { display: true, text: "VFs allocated (% of allocatable)" } },
      },
      plugins: { title: { display: true, text: "VF utilisation over time (P50 line, band to the P95)" } },
    },
  });
}

function throughput(report) {
  const vs = report.variants;
  Twin.chart("throughput-chart", {
    type: "bar",
    data: {
      labels: vs.map((v) => v.name),
      datasets: [
        { label: "with SR-IOV: over VFs", data: vs.map((v) => v.throughput.vfPathGbps.p50), backgroundColor: "#12805c", stack: "with" },
        { label: "with SR-IOV: synthetic path", data: vs.map((v) => v.throughput.syntheticPathGbps.p50), backgroundColor: "#b54708", stack: "with" },
        { label: "without SR-IOV (all synthetic)", data: vs.map((v) => v.throughput.allSyntheticGbps.p50), backgroundColor: "#98a2b3", stack: "without" },
      ],
    },
    options: {
      plugins: { title: { display: true, text: "Mean throughput (Gbit/s, P50)" } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: "Gbit/s" } } },
    },
  });
  Twin.chart("cpu-chart", {
    type: "bar",
    data: {
      labels: vs.map((v) => v.name),
      datasets: [
        { label: "host cores on networking", data: vs.map((v) => v.throughput.networkCpuCores.p50), backgroundColor: "#2e5aac" },
        { label: "host cores saved by SR-IOV", data: vs.map((v) => v.throughput.cpuCoresSaved.p50), backgroundColor: "#12805c" },
      ],
    },
    options: { plugins: { title: { display: true, text: "Host CPU cores (P50)" } }, scales: { y: { beginAtZero: true, title: { display: true, text: "cores" } } } },
  });
}

Twin.every(30, async () => {
  const list = await Twin.api("/api/scenarios");
  const latest = [...list].filter((s) => s.lastRunAt).sort((a, b) => Date.parse(b.lastRunAt) - Date.parse(a.lastRunAt))[0];
  const name = picked ?? latest?.name;
  scenarios(list, name);
  const noRun = document.getElementById("no-run");
  const section = document.getElementById("run");
  if (!name) {
    section.hidden = true;
    noRun.hidden = false;
    noRun.textContent = "No scenario has run yet: twin scenario run NAME runs a saved one against the twin now.";
    return;
  }
  const s = await Twin.api(`/api/scenarios/${Twin.seg(name)}`);
  document.getElementById("scenario-title").textContent = s.name;
  if (!s.lastRun) {
    section.hidden = true;
    noRun.hidden = false;
    noRun.textContent = `Scenario ${s.name} has never run: twin scenario run ${s.name}`;
    return;
  }
  noRun.hidden = true;
  section.hidden = false;
  const run = s.lastRun;
  const report = run.report;
  document.getElementById("run-name").textContent = `${s.name} (revision ${run.revision}${run.revision === s.revision ? "" : `, stale: the scenario is at revision ${s.revision}`})`;
  document.getElementById("run-meta").textContent =
    `Ran ${Twin.time(run.ranAt)} by ${run.ranBy} in ${num(run.seconds)} s: ${report.replications} replications, seed ${report.seed}, horizon ${num(report.horizonDays)} days; base: ${report.base}`;
  document.getElementById("report-link").href = `/api/scenarios/${Twin.seg(s.name)}/report.html`;
  Twin.tokenLink(document.getElementById("report-link"));
  document.getElementById("verdicts").innerHTML = run.verdicts.map((v) => `<li>${Twin.esc(v)}</li>`).join("");
  sideBySide(report);
  utilisation(report);
  throughput(report);
  document.getElementById("notes").innerHTML = [...report.notes, ...report.assumptions].map((n) => `<li>${Twin.esc(n)}</li>`).join("") || '<li class="empty">none</li>';
});
