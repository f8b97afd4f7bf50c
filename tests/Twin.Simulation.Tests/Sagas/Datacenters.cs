using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Simulation.InMemory;

namespace Twin.Simulation.Tests.Sagas;

/// <summary>Small datacenters for saga specs: hosts host-01…, each with one PF (<c>host-0N/0000:3b:00.0</c>) and an
/// external switch (<c>host-0N/ext</c>); VMs vm-01… on host-01 with one vNIC net0 (defined, not started).</summary>
public static class Datacenters
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 3, 3, 14, 7, TimeSpan.Zero);

    public static HostId Host(int n) => new($"host-{n:00}");
    public static NicId Pf(int host) => NicId.Of(Host(host), "0000:3b:00.0");
    public static SwitchId Ext(int host) => new($"host-{host:00}/ext");
    public static VmId Vm(int n) => new($"vm-{n:00}");

    public static Topology Build(Platform platform, int vfs, int vms, int hosts = 1, int iovWeight = 100, bool switchIov = true,
        string guest = "Windows Server 2022", int vnicsPerVm = 1, NicVendor vendor = NicVendor.Intel, int? vectorBudget = null)
    {
        var os = platform switch { Platform.HyperV => "Windows Server 2022", Platform.VSphere => "ESXi 8.0u3", _ => "libvirt 9.0" };
        return new Topology(
            Enumerable.Range(1, hosts).Select(h => new HostSpec(Host(h), platform, os, 64, 512 * 1024, "cluster-a", InterruptVectorBudget: vectorBudget)).ToValueList(),
            Enumerable.Range(1, hosts).Select(h => new NicSpec(Pf(h), Host(h), "0000:3b:00.0", "Intel E810", vendor, 25_000, 0, 128, vfs > 0, vfs)).ToValueList(),
            Enumerable.Range(1, hosts).Select(h => new SwitchSpec(Ext(h), Host(h), "ext", SwitchKind.External, Pf(h), switchIov)).ToValueList(),
            Enumerable.Range(1, vms).Select(v => new VmSpec(Vm(v), Host(1), guest, 2, 4096, false,
                Enumerable.Range(0, vnicsPerVm).Select(i => new VnicSpec($"net{i}", Ext(1), iovWeight)).ToValueList())).ToValueList(),
            [], []);
    }

    public static InMemoryTwin Seed(Topology topology)
    {
        var twin = new InMemoryTwin();
        twin.Apply(topology, new OperationId("setup"), T0);
        return twin;
    }

    private static int _ops;

    public static SagaOutcome Start(this InMemoryTwin twin, int vm) => twin.Run(NextOp("start"), T0, p => VmSagas.Start(p, Vm(vm)));
    public static SagaOutcome Stop(this InMemoryTwin twin, int vm) => twin.Run(NextOp("stop"), T0, p => VmSagas.Stop(p, Vm(vm)));

    public static OperationId NextOp(string kind) => new($"{kind}-{Interlocked.Increment(ref _ops)}");

    public static Datapath Datapath(this InMemoryTwin twin, int vm, string vnic = "net0") =>
        twin.Vm(Vm(vm))!.Vnics.Single(v => v.Spec.Name == vnic).Datapath;

    /// <summary>Invariants that must hold after every saga: one holder per VF, never more held than configured, and
    /// every VM datapath on a VF matches what its PF says.</summary>
    public static void AssertConsistent(this InMemoryTwin twin)
    {
        foreach (var nic in twin.Nics)
        {
            var holders = nic.Holders.ToList();
            Assert.True(holders.Count <= nic.Configured, $"{nic.Id}: {holders.Count} held of {nic.Configured}");
            Assert.Equal(holders.Count, holders.Select(h => h.Holder).Distinct().Count());
        }
        foreach (var vm in twin.Vms)
            foreach (var v in vm.Vnics.Where(v => v.Datapath.Kind == DatapathKind.Vf))
            {
                var nic = twin.Nic(v.Datapath.Nic!.Value)!;
                var slot = nic.Slots.SingleOrDefault(s => s.Index == v.Datapath.VfIndex);
                Assert.True(slot?.Holder == new VnicRef(new VmId(vm.Id), v.Spec.Name),
                    $"{vm.Id}/{v.Spec.Name} says {v.Datapath}, the PF says {slot?.Holder?.ToString() ?? "free"}");
            }
    }
}
