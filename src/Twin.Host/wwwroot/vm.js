// A VM's page: its vNICs' datapaths now, and the timeline of events with their reasons.
"use strict";

Twin.header("vm.html");

const params = new URLSearchParams(location.search);
const vmId = params.get("id");
const level = { Vf: 2, Synthetic: 1, Off: 0, Disconnected: 0 };

document.getElementById("vm-id").value = vmId ?? "";
document.getElementById("pick").addEventListener("submit", (e) => {
  e.preventDefault();
  location.search = `?id=${encodeURIComponent(document.getElementById("vm-id").value.trim())}`;
});
Twin.api("/api/inventory").then((inv) => {
  document.getElementById("vm-ids").innerHTML = inv.vms.map((v) => `<option value="${Twin.esc(v.id)}">`).join("");
}, () => {});

if (!vmId) {
  document.getElementById("vm-title").textContent = "(choose one)";
} else {
  Twin.every(5, async () => {
    const t = await Twin.api(`/api/vms/${Twin.seg(vmId)}/timeline`);
    const vm = t.vm;
    document.getElementById("vm-title").textContent = vm.id;
    document.getElementById("cards").innerHTML = [
      [vm.status, "status"], [vm.host, "host"], [vm.platform, "platform"], [vm.guest.name, "guest"],
      [`${vm.vcpus} vCPU, ${vm.memoryMiB} MiB`, "size"],
    ].map(([v, l]) => `<div class="card"><div class="value ${Twin.esc(v)}">${Twin.esc(v)}</div><div class="label">${l}</div></div>`).join("");

    document.getElementById("vnic-table").innerHTML = Twin.table(vm.vnics.map((n) => ({ ...n, __attrs: `data-vnic="${Twin.esc(n.spec.name)}"` })), [
      { key: "name", title: "vNIC", html: (n) => Twin.esc(n.spec.name) }, { key: "switch", title: "Switch", html: (n) => Twin.esc(n.spec.switch) },
      { key: "iovWeight", title: "IovWeight", num: true, html: (n) => n.spec.iovWeight },
      { key: "datapath", title: "Datapath", cls: (n) => Twin.datapathClass(n.datapath), html: (n) => Twin.esc(Twin.datapathText(n.datapath)) },
      { key: "reason", title: "Reason", html: (n) => Twin.esc(n.datapath.reason ?? "") },
      { key: "since", title: "Since", html: (n) => Twin.esc(Twin.time(n.since)) },
    ], "no vNIC");

    document.getElementById("timeline-table").innerHTML = Twin.table([...t.entries].reverse(), [
      { key: "at", title: "When", html: (e) => Twin.esc(Twin.time(e.at)) }, { key: "version", title: "#", num: true },
      { key: "event", title: "Event" },
      { key: "summary", title: "What happened", cls: (e) => Twin.datapathClass(e.datapath) },
      { key: "reason", title: "Reason", html: (e) => Twin.esc(e.reason ?? "") },
      { key: "operation", title: "Operation", html: (e) => `<code>${Twin.esc(e.operation ?? "")}</code>` },
      { key: "actor", title: "Actor", html: (e) => Twin.esc(e.actor ?? "") },
    ], "no event");

    const now = Date.now();
    const datasets = vm.vnics.map((n, i) => {
      const points = [];
      for (const e of t.entries) if (e.vnic === n.spec.name && e.datapath) points.push({ x: Date.parse(e.at), y: level[e.datapath.kind] ?? 0 });
      if (points.length > 0) points.push({ x: now, y: points[points.length - 1].y });
      const colour = ["#2e5aac", "#12805c", "#b54708", "#7a5af8"][i % 4];
      return { label: n.spec.name, data: points, stepped: true, borderColor: colour, backgroundColor: colour, pointRadius: 2 };
    });
    const config = {
      type: "line",
      data: { datasets },
      options: {
        parsing: false,
        scales: {
          x: { type: "linear", ticks: { callback: (v) => new Date(v).toLocaleTimeString() } },
          y: { min: 0, max: 2, ticks: { stepSize: 1, callback: (v) => ["off", "synthetic", "VF"][v] ?? v } },
        },
      },
    };
    Twin.chart("datapath-chart", config);
  });
}
