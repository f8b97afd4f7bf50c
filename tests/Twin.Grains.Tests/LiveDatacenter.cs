using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.Contracts;

namespace Twin.Grains.Tests;

/// <summary>A small datacenter built through the live grains: hosts {prefix}-h1…, each with one PF and an external
/// switch; VMs {prefix}-vm1… on the first host with one vNIC net0 each. Every test gets its own prefix.</summary>
public sealed class LiveDatacenter(IGrainFactory grains, string prefix)
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 3, 3, 14, 7, TimeSpan.Zero);

    public string Prefix { get; } = prefix;
    public HostId Host(int n) => new($"{Prefix}-h{n}");
    public NicId Pf(int host) => NicId.Of(Host(host), "0000:3b:00.0");
    public SwitchId Ext(int host) => new($"{Host(host).Value}/ext");
    public VmId Vm(int n) => new($"{Prefix}-vm{n}");
    public VnicRef Vnic(int vm, string name = "net0") => new(Vm(vm), name);

    public static CommandContext Context(string op) => new(new OperationId(op), "test");

    public IVmGrain VmGrain(int n) => grains.GetGrain<IVmGrain>(Vm(n).Value);
    public INicGrain NicGrain(int host) => grains.GetGrain<INicGrain>(Pf(host).Value);

    public static async Task<LiveDatacenter> Build(IGrainFactory grains, Platform platform, int vfs, int vms, int hosts = 1,
        int iovWeight = 100, int vnicsPerVm = 1, bool switchIov = true)
    {
        var dc = new LiveDatacenter(grains, Ids.New("dc"));
        var os = platform switch { Platform.HyperV => "Windows Server 2022", Platform.VSphere => "ESXi 8.0u3", _ => "libvirt 9.0" };
        var topology = new Topology(
            Enumerable.Range(1, hosts).Select(h => new HostSpec(dc.Host(h), platform, os, 64, 512 * 1024, "cluster-a")).ToValueList(),
            Enumerable.Range(1, hosts).Select(h => new NicSpec(dc.Pf(h), dc.Host(h), "0000:3b:00.0", "Intel E810", NicVendor.Intel, 25_000, 0, 128, vfs > 0, vfs)).ToValueList(),
            Enumerable.Range(1, hosts).Select(h => new SwitchSpec(dc.Ext(h), dc.Host(h), "ext", SwitchKind.External, dc.Pf(h), switchIov)).ToValueList(),
            Enumerable.Range(1, vms).Select(v => new VmSpec(dc.Vm(v), dc.Host(1), "Windows Server 2022", 2, 4096, false,
                Enumerable.Range(0, vnicsPerVm).Select(i => new VnicSpec($"net{i}", dc.Ext(1), iovWeight)).ToValueList())).ToValueList(),
            [], []);
        var context = Context($"{dc.Prefix}-setup");
        foreach (var command in TopologyPlanner.Plan(topology, context.Operation, T0).Commands)
        {
            switch (command)
            {
                case HostCommand c: await grains.GetGrain<IHostGrain>(c.Host.Value).Execute(c, context); break;
                case ChipsetCommand c: await grains.GetGrain<IChipsetGrain>(c.Chipset.Value).Execute(c, context); break;
                case NicCommand c: await grains.GetGrain<INicGrain>(c.Nic.Value).Execute(c, context); break;
                case SwitchCommand c: await grains.GetGrain<ISwitchGrain>(c.Switch.Value).Execute(c, context); break;
                case VmCommand c: await grains.GetGrain<IVmGrain>(c.Vm.Value).Execute(c, context); break;
            }
        }
        return dc;
    }

    public async Task<Datapath> Datapath(int vm, string vnic = "net0") =>
        (await VmGrain(vm).GetSnapshot())!.Vnics.Single(v => v.Spec.Name == vnic).Datapath;

    /// <summary>Waits (polling the grains, bounded) until a condition holds — for effects of one-way notices.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition()) return;
            await Task.Delay(25);
        }
        Assert.Fail($"timed out waiting until {what}");
    }
}
