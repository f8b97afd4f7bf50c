using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Projections.History;
using Twin.Simulation.InMemory;

namespace Twin.Projections.Tests.History;

/// <summary>
/// A history made by the in-memory twin running the real sagas over a small datacenter — hosts h1…, each with one PF
/// (<c>hN/0000:3b:00.0</c>) and an external switch (<c>hN/ext</c>), VMs vm1… spread over the hosts with one vNIC each
/// — one step a minute from <see cref="T0"/>, and what the twin looked like after every step (the ground truth).
/// </summary>
internal sealed class SimulatedHistory
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 3, 3, 0, 0, TimeSpan.Zero);

    public InMemoryTwin Twin { get; } = new();

    /// <summary>Every snapshot after each step, by time.</summary>
    public List<(DateTimeOffset At, Dictionary<string, ISnapshot> Snapshots)> Moments { get; } = [];

    public IEnumerable<LoggedEvent> Log => Twin.Log.Select(e => new LoggedEvent(e.Stream, e.Version, e.Event, e.Operation.Value, "sim"));

    public static HostId Host(int n) => new($"h{n}");
    public static NicId Pf(int host) => NicId.Of(Host(host), "0000:3b:00.0");
    public static SwitchId Ext(int host) => new($"h{host}/ext");
    public static VmId Vm(int n) => new($"vm{n}");

    public static Topology Topology(Platform platform, int hosts, int vms, int vfs, bool switchIov = true)
    {
        var os = platform switch { Platform.HyperV => "Windows Server 2022", Platform.VSphere => "ESXi 8.0u3", _ => "libvirt 9.0" };
        return new Topology(
            Enumerable.Range(1, hosts).Select(h => new HostSpec(Host(h), platform, os, 64, 512 * 1024, "a")).ToValueList(),
            Enumerable.Range(1, hosts).Select(h => new NicSpec(Pf(h), Host(h), "0000:3b:00.0", "Intel E810", NicVendor.Intel, 25_000, 0, 128, vfs > 0, vfs)).ToValueList(),
            Enumerable.Range(1, hosts).Select(h => new SwitchSpec(Ext(h), Host(h), "ext", SwitchKind.External, Pf(h), switchIov)).ToValueList(),
            Enumerable.Range(1, vms).Select(v => new VmSpec(Vm(v), Host((v - 1) % hosts + 1), "Windows Server 2022", 2, 4096, false,
                [new VnicSpec("net0", Ext((v - 1) % hosts + 1), 10 + v % 90)])).ToValueList(),
            [], []);
    }

    public static SimulatedHistory Seeded(Topology topology)
    {
        var h = new SimulatedHistory();
        h.Twin.Apply(topology, new OperationId("setup"), T0);
        h.Capture(T0);
        return h;
    }

    /// <summary>Random starts, stops, weight changes, migrations and PF changes, one a minute, deterministic per seed.</summary>
    public static SimulatedHistory Random(Platform platform, int hosts, int vms, int vfs, int steps, int seed)
    {
        var h = Seeded(Topology(platform, hosts, vms, vfs));
        var random = new Random(seed);
        for (var i = 1; i <= steps; i++)
        {
            var at = T0.AddMinutes(i);
            var vm = Vm(random.Next(1, vms + 1));
            var state = h.Twin.Vm(vm)!;
            var roll = random.Next(100);
            h.Step($"op-{i}", at, port => roll switch
            {
                _ when state.Status == VmStatus.Off => VmSagas.Start(port, vm),
                < 50 => VmSagas.Stop(port, vm),
                < 70 => VmSagas.SetIovWeight(port, vm, "net0", random.Next(0, 101)),
                < 90 when hosts > 1 => MigrationSaga.Migrate(port, vm, OtherHost(state.Host, hosts, random)),
                _ => Configure(port, Pf(random.Next(1, hosts + 1)), random.Next(1, vfs + 3)),
            });
        }
        return h;
    }

    private static HostId OtherHost(HostId current, int hosts, Random random)
    {
        var n = random.Next(1, hosts);
        return Host(n) == current ? Host(hosts) : Host(n);
    }

    private static async ValueTask<SagaOutcome> Configure(ITwinPort port, NicId nic, int vfs)
    {
        await PfSagas.Configure(port, new NicCommand.SetVfCount(nic, vfs, port.Operation, port.Now));
        return SagaOutcome.Done("configured", port.Operation);
    }

    /// <summary>Runs one saga at <paramref name="at"/> (a refusal of an impossible step is part of history too) and
    /// captures the twin after it.</summary>
    public void Step(string op, DateTimeOffset at, Func<ITwinPort, ValueTask<SagaOutcome>> saga)
    {
        try
        {
            Twin.Run(new OperationId(op), at, saga);
        }
        catch (DomainRuleViolated)
        {
        }
        Capture(at);
    }

    private void Capture(DateTimeOffset at) =>
        Moments.Add((at, Twin.Hosts.Cast<ISnapshot>().Concat(Twin.Chipsets).Concat(Twin.Nics).Concat(Twin.Switches).Concat(Twin.Vms)
            .ToDictionary(s => s.Id, StringComparer.Ordinal)));
}
