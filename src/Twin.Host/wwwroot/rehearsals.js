// The rehearsal page: recent rehearsals with their verdicts, and one (?op=) in detail: each step, its side effects,
// the vNICs and PFs that end up different, why it is NO-GO, warnings, the horizon with and without the change, and
// what its apply did.
"use strict";

Twin.header("rehearsals.html");

const op = new URLSearchParams(location.search).get("op");

const num = (v) => (v === null || v === undefined ? "–" : Math.abs(v) >= 100 ? v.toFixed(0) : String(Math.round(v * 100) / 100));
const verdictClass = (go) => (go ? "go" : "no-go");
const list = (id, items) => {
  document.getElementById(`${id}-list`).innerHTML = items.map((i) => `<li>${Twin.esc(i)}</li>`).join("");
  document.getElementById(id).hidden = items.length === 0;
};

async function recent() {
  const rows = (await Twin.api("/api/rehearsals?limit=100")).map((r) => ({ ...r, __attrs: `data-op="${Twin.esc(r.operation)}"${r.operation === op ? ' class="selected"' : ""}` }));
  document.getElementById("rehearsal-table").innerHTML = Twin.table(rows, [
    { key: "rehearsedAt", title: "When", html: (r) => Twin.esc(Twin.time(r.rehearsedAt)) },
    { key: "plan", title: "Plan", html: (r) => `<a href="rehearsals.html?op=${Twin.seg(r.operation)}">${Twin.esc(r.plan)}</a>` },
    { key: "verdict", title: "Verdict", cls: (r) => verdictClass(r.go) },
    { key: "steps", title: "Steps OK / failed", num: true, html: (r) => `${r.steps - r.stepsFailed} / <span class="${r.stepsFailed > 0 ? "bad" : ""}">${r.stepsFailed}</span>` },
    { key: "actor", title: "Actor" },
    { key: "applyStatus", title: "Applied", html: (r) => (r.applyStatus ? `${Twin.esc(r.applyStatus)} <span class="muted">${Twin.esc(Twin.time(r.appliedAt))}</span>` : '<span class="muted">no</span>') },
    { key: "operation", title: "Operation", html: (r) => `<code>${Twin.esc(r.operation)}</code>` },
  ], "no rehearsal yet: twin rehearse PLAN");
}

function detail(record) {
  const report = record.report;
  document.getElementById("detail").hidden = false;
  document.getElementById("rehearsal-title").textContent = report.plan;
  document.getElementById("cards").innerHTML = [
    [report.verdict, "verdict", verdictClass(report.go)],
    [`${record.steps - record.stepsFailed} / ${record.stepsFailed}`, "steps OK / failed", record.stepsFailed > 0 ? "bad" : ""],
    [report.steps.reduce((n, s) => n + s.sideEffects.length, 0), "side effects", ""],
    [report.vnics.length, "vNICs whose datapath changes", ""],
    [report.pfs.length, "PFs whose VFs change", ""],
  ].map(([v, l, c]) => `<div class="card"><div class="value ${c}" data-card="${Twin.esc(l)}">${Twin.esc(v)}</div><div class="label">${Twin.esc(l)}</div></div>`).join("");
  document.getElementById("detail-meta").textContent =
    `${report.description ? report.description + ". " : ""}Rehearsed ${Twin.time(record.rehearsedAt)} by ${record.actor} on a fork of the twin; operation ${report.operation}.`;
  list("no-go", report.noGo);
  list("warnings", report.warnings);

  document.getElementById("step-table").innerHTML = Twin.table(report.steps.map((s) => ({ ...s, __attrs: `data-step="${s.number}"` })), [
    { key: "number", title: "#", num: true },
    { key: "name", title: "Step" },
    { key: "result", title: "Result", cls: (s) => (s.succeeded ? "go" : "no-go"), html: (s) => (s.succeeded ? "OK" : "FAILS") },
    { key: "description", title: "Does" },
    { key: "summary", title: "Outcome" },
    { key: "events", title: "Events", num: true, html: (s) => s.events.length },
    { key: "reason", title: "Reason", cls: (s) => (s.reason ? "bad" : ""), html: (s) => Twin.esc(s.reason ?? "") },
  ], "no step");

  const effects = report.steps.flatMap((s) => s.sideEffects.map((e) => ({ ...e, step: s.number })));
  document.getElementById("effect-table").innerHTML = Twin.table(effects, [
    { key: "step", title: "Step", num: true }, { key: "kind", title: "Kind" }, { key: "subject", title: "Subject" }, { key: "detail", title: "Detail" },
  ], "no side effect");
  document.getElementById("vnic-table").innerHTML = Twin.table(report.vnics, [
    { key: "vnic", title: "vNIC" }, { key: "before", title: "Before" },
    { key: "after", title: "After", cls: (v) => (/^VF /.test(v.after) ? "vf" : /^disconnected/.test(v.after) ? "disconnected" : /^synthetic/.test(v.after) ? "synthetic" : "") },
    { key: "wantsVf", title: "Wants a VF", html: (v) => (v.wantsVf ? "yes" : "no") },
  ], "no vNIC changes its datapath");
  document.getElementById("pf-table").innerHTML = Twin.table(report.pfs, [
    { key: "nic", title: "PF" }, { key: "host", title: "Host" },
    { key: "configured", title: "VFs configured", num: true, html: (p) => `${p.configuredBefore} → ${p.configuredAfter}${p.pendingAfter !== null && p.pendingAfter !== undefined ? ` (pending ${p.pendingAfter})` : ""}` },
    { key: "allocated", title: "VFs allocated", num: true, html: (p) => `${p.allocatedBefore} → ${p.allocatedAfter}` },
  ], "no PF changes its VFs");

  const h = report.horizon;
  document.getElementById("horizon").hidden = !h;
  document.getElementById("horizon-meta").textContent = h
    ? `${h.summary}. ${h.days} days × ${h.replications} replications (seed ${h.seed}, workload ${h.workload}, ${num(h.arrivalsPerHour)} arrivals/h); running VMs ${h.runningVmsWithout} without, ${h.runningVmsWith} with the change.`
    : "No horizon was simulated for this rehearsal.";
  if (h) {
    document.getElementById("figure-table").innerHTML = Twin.table(h.figures.map((f) => ({ ...f, __attrs: `data-figure="${Twin.esc(f.name)}"` })), [
      { key: "name", title: "Figure" }, { key: "unit", title: "Unit" },
      { key: "without", title: "Without the change", num: true, html: (f) => num(f.without) },
      { key: "with", title: "With the change", num: true, html: (f) => num(f.with) },
      { key: "delta", title: "Change", num: true, cls: (f) => (f.worse ? "bad" : f.delta !== 0 ? "go" : ""), html: (f) => (f.delta > 0 ? "+" : "") + num(f.delta) },
    ], "no figure");
    const config = {
      type: "bar",
      data: {
        labels: h.figures.map((f) => `${f.name} (${f.unit})`),
        datasets: [
          { label: "without the change", data: h.figures.map((f) => f.without), backgroundColor: "#98a2b3" },
          { label: "with the change", data: h.figures.map((f) => f.with), backgroundColor: "#2e5aac" },
        ],
      },
      options: { indexAxis: "y", plugins: { title: { display: true, text: `The next ${h.days} days, with and without the change` } } },
    };
    Twin.chart("horizon-chart", config);
  }

  const a = record.apply;
  document.getElementById("apply").hidden = !a;
  if (a) {
    document.getElementById("apply-summary").innerHTML =
      `<span class="${a.result.applied ? "go" : "no-go"}">${Twin.esc(a.result.status)}</span>: ${Twin.esc(a.result.summary)} <span class="muted">(${Twin.esc(Twin.time(a.appliedAt))} by ${Twin.esc(a.actor)})</span>`;
    document.getElementById("apply-table").innerHTML = Twin.table(a.result.steps, [
      { key: "number", title: "#", num: true }, { key: "name", title: "Step" }, { key: "outcome", title: "Outcome" },
      { key: "asRehearsed", title: "As rehearsed", cls: (s) => (s.asRehearsed ? "" : "bad"), html: (s) => (s.asRehearsed ? "yes" : "no") },
      { key: "eventsAppended", title: "Events", num: true },
      { key: "summary", title: "Summary", html: (s) => Twin.esc([s.summary, ...s.differences].filter((x) => x).join("; ")) },
    ], "no step");
  }
}

Twin.every(10, async () => {
  await recent();
  if (op) detail(await Twin.api(`/api/rehearsals/${Twin.seg(op)}`));
});
