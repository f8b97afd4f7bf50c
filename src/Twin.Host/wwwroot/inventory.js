// The inventory page: every host, PF, switch and VM now.
"use strict";

Twin.header("index.html");

Twin.every(5, async () => {
  const inv = await Twin.api("/api/inventory");
  const vfs = inv.nics.reduce((a, n) => ({ configured: a.configured + n.configured, allocated: a.allocated + n.allocated, waiting: a.waiting + n.waiting.length }),
    { configured: 0, allocated: 0, waiting: 0 });
  const cards = [
    [inv.hosts.length, "hosts"],
    [inv.nics.length, "PFs"],
    [inv.vms.filter((v) => v.status === "Running").length + " / " + inv.vms.length, "VMs running"],
    [vfs.allocated + " / " + vfs.configured, "VFs allocated / configured"],
    [vfs.waiting, "vNICs waiting for a VF"],
  ];
  document.getElementById("cards").innerHTML = cards.map(([v, l]) => `<div class="card"><div class="value">${Twin.esc(v)}</div><div class="label">${l}</div></div>`).join("");

  document.getElementById("host-table").innerHTML = Twin.table(inv.hosts, [
    { key: "id", title: "Host" }, { key: "platform", title: "Platform" }, { key: "os", title: "OS" },
    { key: "status", title: "Status", cls: (h) => h.status }, { key: "cluster", title: "Cluster" },
    { key: "cores", title: "Cores", num: true }, { key: "memoryMiB", title: "Memory (MiB)", num: true },
    { key: "vms", title: "VMs placed", num: true, html: (h) => h.vms.filter((p) => p.placed).length },
  ], "no host yet: register one (twin host register) or apply a topology (twin apply)");

  document.getElementById("nic-table").innerHTML = Twin.table(inv.nics, [
    { key: "id", title: "PF" }, { key: "host", title: "Host" }, { key: "model", title: "Model" },
    { key: "status", title: "Status", cls: (n) => n.status }, { key: "linkMbps", title: "Link (Mbit/s)", num: true },
    { key: "sriov", title: "SR-IOV", html: (n) => (n.sriovEnabled ? "on" : "off") },
    { key: "ceiling", title: "Ceiling", num: true, html: (n) => n.ceiling ?? "–" },
    { key: "configured", title: "Configured", num: true }, { key: "allocated", title: "Allocated", num: true },
    { key: "free", title: "Free", num: true }, { key: "waiting", title: "Waiting", num: true, html: (n) => n.waiting.length },
  ], "no PF");

  document.getElementById("switch-table").innerHTML = Twin.table(inv.switches, [
    { key: "id", title: "Switch" }, { key: "host", title: "Host" }, { key: "kind", title: "Kind" },
    { key: "boundNic", title: "PF", html: (s) => Twin.esc(s.boundNic ?? "–") }, { key: "iov", title: "IOV", html: (s) => (s.iovEnabled ? "on" : "off") },
    { key: "ports", title: "vNICs", num: true, html: (s) => s.ports.length },
  ], "no switch");

  document.getElementById("vm-table").innerHTML = Twin.table(inv.vms, [
    { key: "id", title: "VM", html: (v) => `<a href="vm.html?id=${Twin.seg(v.id)}">${Twin.esc(v.id)}</a>` },
    { key: "host", title: "Host" }, { key: "status", title: "Status", cls: (v) => v.status },
    { key: "guest", title: "Guest", html: (v) => Twin.esc(v.guest.name) },
    { key: "vnics", title: "vNICs and datapaths", html: (v) => v.vnics.map((n) => `${Twin.esc(n.spec.name)}: <span class="${Twin.datapathClass(n.datapath)}">${Twin.esc(Twin.datapathText(n.datapath))}</span>`).join("<br>") },
  ], "no VM");
});
