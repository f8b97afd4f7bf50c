using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.Contracts;
using Twin.Grains.Sagas;

namespace Twin.Grains.Tests;

/// <summary>A small datacenter built through the live grains: hosts {prefix}-h1…, each with one PF and an external
/// switch; VMs {prefix}-vm1… with vNICs net0… each, all on the first host (or spread round-robin over the hosts).
/// Every test gets its own prefix.</summary>
public sealed class LiveDatacenter(IGrainFactory grains, string prefix)
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 3, 3, 14, 7, TimeSpan.Zero);

    public string Prefix { get; } = prefix;
    public int Hosts { get; private init; }
    public int Vms { get; private init; }
    public int HostsSpread { get; private init; } = 1;
    public IGrainFactory Grains => grains;

    public HostId Host(int n) => new($"{Prefix}-h{n}");
    public NicId Pf(int host) => NicId.Of(Host(host), "0000:3b:00.0");
    public SwitchId Ext(int host) => new($"{Host(host).Value}/ext");
    public VmId Vm(int n) => new($"{Prefix}-vm{n}");
    public VnicRef Vnic(int vm, string name = "net0") => new(Vm(vm), name);

    /// <summary>The host VM <paramref name="vm"/> was defined on.</summary>
    public int HostOf(int vm) => (vm - 1) % HostsSpread + 1;

    public IEnumerable<int> AllVms => Enumerable.Range(1, Vms);
    public IEnumerable<int> AllHosts => Enumerable.Range(1, Hosts);
    public IEnumerable<NicId> AllPfs => AllHosts.Select(Pf);

    public static CommandContext Context(string op) => new(new OperationId(op), "test");

    public static string NewOp(string kind) => Ids.New(kind);

    public IVmGrain VmGrain(int n) => grains.GetGrain<IVmGrain>(Vm(n).Value);
    public INicGrain NicGrain(int host) => grains.GetGrain<INicGrain>(Pf(host).Value);
    public IHostGrain HostGrain(int host) => grains.GetGrain<IHostGrain>(Host(host).Value);
    public ISwitchGrain SwitchGrain(int host) => grains.GetGrain<ISwitchGrain>(Ext(host).Value);
    public IChipsetGrain ChipsetGrain(int host) => grains.GetGrain<IChipsetGrain>(ChipsetId.Of(Host(host)).Value);

    /// <summary>Every grain of this datacenter.</summary>
    public IEnumerable<DatacenterGrain> AllGrains() =>
        AllHosts.SelectMany(h => new DatacenterGrain[]
        {
            new(HostGrain(h), async () => await HostGrain(h).GetSnapshot()),
            new(ChipsetGrain(h), async () => await ChipsetGrain(h).GetSnapshot()),
            new(NicGrain(h), async () => await NicGrain(h).GetSnapshot()),
            new(SwitchGrain(h), async () => await SwitchGrain(h).GetSnapshot()),
        }).Concat(AllVms.Select(v => new DatacenterGrain(VmGrain(v), async () => await VmGrain(v).GetSnapshot())));

    /// <summary>A saga port over the live grains, as a PF-level or reconciliation saga run from outside any VM uses.</summary>
    public ITwinPort Port(string op) => new GrainTwinPort(grains, Context(op), TimeProvider.System, TwinCluster.Faults);

    /// <summary>Builds a datacenter. <paramref name="weights"/> gives each VM's IovWeight (default
    /// <paramref name="iovWeight"/>), <paramref name="vnicWeights"/> each vNIC's (VM, index); <paramref name="spread"/> puts VM n on host ((n-1) mod hosts)+1.</summary>
    public static async Task<LiveDatacenter> Build(IGrainFactory grains, Platform platform, int vfs, int vms, int hosts = 1,
        int iovWeight = 100, int vnicsPerVm = 1, bool switchIov = true, bool spread = false, Func<int, int>? weights = null,
        int? vectorBudget = null, string guest = "Windows Server 2022", Func<int, int, int>? vnicWeights = null)
    {
        var dc = new LiveDatacenter(grains, Ids.New("dc")) { Hosts = hosts, Vms = vms, HostsSpread = spread ? hosts : 1 };
        var os = platform switch { Platform.HyperV => "Windows Server 2022", Platform.VSphere => "ESXi 8.0u3", _ => "libvirt 9.0" };
        var topology = new Topology(
            dc.AllHosts.Select(h => new HostSpec(dc.Host(h), platform, os, 64, 512 * 1024, "cluster-a", InterruptVectorBudget: vectorBudget)).ToValueList(),
            dc.AllHosts.Select(h => new NicSpec(dc.Pf(h), dc.Host(h), "0000:3b:00.0", "Intel E810", NicVendor.Intel, 25_000, 0, 128, vfs > 0, vfs)).ToValueList(),
            dc.AllHosts.Select(h => new SwitchSpec(dc.Ext(h), dc.Host(h), "ext", SwitchKind.External, dc.Pf(h), switchIov)).ToValueList(),
            dc.AllVms.Select(v => new VmSpec(dc.Vm(v), dc.Host(dc.HostOf(v)), guest, 2, 4096, false,
                Enumerable.Range(0, vnicsPerVm).Select(i => new VnicSpec($"net{i}", dc.Ext(dc.HostOf(v)), vnicWeights?.Invoke(v, i) ?? weights?.Invoke(v) ?? iovWeight)).ToValueList())).ToValueList(),
            [], []);
        var context = Context($"{dc.Prefix}-setup");
        var defineVms = new List<Task>();
        foreach (var command in TopologyPlanner.Plan(topology, context.Operation, T0).Commands)
        {
            switch (command)
            {
                case HostCommand c: await grains.GetGrain<IHostGrain>(c.Host.Value).Execute(c, context); break;
                case ChipsetCommand c: await grains.GetGrain<IChipsetGrain>(c.Chipset.Value).Execute(c, context); break;
                case NicCommand c: await grains.GetGrain<INicGrain>(c.Nic.Value).Execute(c, context); break;
                case SwitchCommand c: await grains.GetGrain<ISwitchGrain>(c.Switch.Value).Execute(c, context); break;
                case VmCommand c: defineVms.Add(grains.GetGrain<IVmGrain>(c.Vm.Value).Execute(c, context)); break; // one stream each: in parallel
            }
        }
        await Task.WhenAll(defineVms);
        return dc;
    }

    public async Task<VmSnapshot> VmState(int vm) => (await VmGrain(vm).GetSnapshot())!;
    public async Task<NicSnapshot> NicState(int host) => (await NicGrain(host).GetSnapshot())!;
    public async Task<HostSnapshot> HostState(int host) => (await HostGrain(host).GetSnapshot())!;

    public async Task<Datapath> Datapath(int vm, string vnic = "net0") =>
        (await VmState(vm)).Vnics.Single(v => v.Spec.Name == vnic).Datapath;

    public async Task<SagaOutcome> Start(int vm, string? op = null) => await VmGrain(vm).Start(Context(op ?? NewOp("start")));
    public async Task<SagaOutcome> Stop(int vm, string? op = null) => await VmGrain(vm).Stop(Context(op ?? NewOp("stop")));
    public async Task<SagaOutcome> Migrate(int vm, int toHost, string? op = null) => await VmGrain(vm).Migrate(Host(toHost), Context(op ?? NewOp("migrate")));

    /// <summary>Starts VMs one after the other (their order decides who comes first).</summary>
    public async Task StartInOrder(params int[] vms)
    {
        foreach (var vm in vms)
        {
            var outcome = await Start(vm);
            Assert.True(outcome.Succeeded, outcome.Summary);
        }
    }

    /// <summary>Waits until every VF a PF hands out is recorded by the VM holding it and every VM datapath on a VF is
    /// backed by its PF (one-way notices have been handled).</summary>
    public Task Settled() => Eventually(async () => (await Disagreements()).Count == 0, "every VF holder's VM records its VF");

    /// <summary>Where the PFs (the authority) and the VMs' recorded datapaths disagree.</summary>
    public async Task<List<string>> Disagreements()
    {
        var problems = new List<string>();
        var nics = new Dictionary<NicId, NicSnapshot>();
        foreach (var h in AllHosts) nics[Pf(h)] = await NicState(h);
        foreach (var vm in AllVms)
        {
            var s = await VmState(vm);
            foreach (var v in s.Vnics.Where(v => v.Datapath.Kind == DatapathKind.Vf))
            {
                var slot = nics[v.Datapath.Nic!.Value].Slots.SingleOrDefault(x => x.Index == v.Datapath.VfIndex);
                if (slot?.Holder != new VnicRef(Vm(vm), v.Spec.Name))
                    problems.Add($"{Vm(vm)}/{v.Spec.Name} says {v.Datapath}, the PF says {slot?.Holder?.ToString() ?? "free"}");
            }
        }
        foreach (var (id, nic) in nics)
            foreach (var slot in nic.Holders)
            {
                var holder = slot.Holder!.Value;
                var vm = await grains.GetGrain<IVmGrain>(holder.Vm.Value).GetSnapshot();
                var v = vm?.Vnics.SingleOrDefault(x => x.Spec.Name == holder.Name);
                var recorded = v?.Datapath is { Kind: DatapathKind.Vf } d && d.Nic == id && d.VfIndex == slot.Index
                    || vm?.SourceVfs.Any(h => h.Nic == id && h.VfIndex == slot.Index) == true
                    || v?.DestinationClaim is { Kind: DatapathKind.Vf } c && c.Nic == id && c.VfIndex == slot.Index;
                if (!recorded) problems.Add($"{id} VF {slot.Index} is held by {holder}, whose VM records {v?.Datapath.ToString() ?? "nothing"}");
            }
        return problems;
    }

    /// <summary>Waits (polling the grains, bounded) until a condition holds — for effects of one-way notices.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 400; i++)
        {
            if (await condition()) return;
            await Task.Delay(25);
        }
        Assert.Fail($"timed out waiting until {what}");
    }
}

/// <summary>One grain of a datacenter and how to read its snapshot.</summary>
public sealed record DatacenterGrain(IAddressable Grain, Func<Task<ISnapshot?>> Snapshot);
