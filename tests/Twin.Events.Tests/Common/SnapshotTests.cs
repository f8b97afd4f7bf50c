using System.Text.Json;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Vms;
using static Twin.Events.Tests.Given;

namespace Twin.Events.Tests.Common;

public sealed class SnapshotTests
{
    /// <summary>A random but reproducible NIC history, made by the decider itself from random commands.</summary>
    private static List<NicEvent> RandomNicHistory(int seed, Platform platform, int steps)
    {
        var rng = new Random(seed);
        var state = Nic.Initial();
        var history = new List<NicEvent>();
        void Run(NicCommand c)
        {
            try
            {
                var (events, next) = NicDecider.Decider.Run(c, state);
                history.AddRange(events);
                state = next;
            }
            catch (DomainRuleViolated)
            {
                // an impossible command among the random ones: skipped, as the edge would refuse it
            }
        }
        Run(new NicCommand.InstallNic(Pf, Host7, platform, "Intel E810", NicVendor.Intel, "0000:a2:00.0", 25_000, 0, 16, true, 12, 24, T0));
        Run(new NicCommand.EnableSriov(Pf, 8, Op1, T0));
        for (var i = 0; i < steps; i++)
        {
            var at = T0.AddSeconds(i);
            var op = new OperationId($"op-{i}");
            var vm = rng.Next(20);
            Run(rng.Next(12) switch
            {
                < 5 => new NicCommand.AllocateVfs(Pf, [Wants(vm, rng.Next(1, 101), rng.Next(1, 4))], op, at),
                < 9 => new NicCommand.ReleaseVf(Pf, Vnic(vm), OperationId.None, op, at),
                9 => new NicCommand.SetVfCount(Pf, rng.Next(0, 17), op, at),
                10 => new NicCommand.DefineResourcePool(Pf, $"p{rng.Next(3)}", Enumerable.Range(rng.Next(4), rng.Next(1, 5)).ToValueList(), at),
                _ => new NicCommand.SetScarceVfPolicy(Pf, (ScarceVfPolicy)rng.Next(3), at),
            });
        }
        return history;
    }

    [Theory]
    [InlineData(1, Platform.HyperV)]
    [InlineData(2, Platform.HyperV)]
    [InlineData(3, Platform.Kvm)]
    [InlineData(4, Platform.VSphere)]
    public void Folding_onto_a_restored_snapshot_gives_the_same_state_as_folding_the_whole_stream(int seed, Platform platform)
    {
        var history = RandomNicHistory(seed, platform, 300);
        Assert.True(history.Count > 100, $"only {history.Count} events");
        var full = NicDecider.Decider.Fold(history).ToSnapshot(history.Count);
        foreach (var cut in new[] { 1, 2, history.Count / 3, history.Count / 2, history.Count - 1 })
        {
            var snapshot = NicDecider.Decider.Fold(history.Take(cut)).ToSnapshot(cut);
            var restored = Nic.FromSnapshot(JsonSerializer.Deserialize<NicSnapshot>(JsonSerializer.Serialize(snapshot))!);
            foreach (var e in history.Skip(cut)) Nic.Evolve(restored, e);
            Assert.Equal(full, restored.ToSnapshot(history.Count));
        }
    }

    [Fact]
    public void A_random_history_never_holds_a_vf_twice_nor_more_than_the_pool()
    {
        foreach (var platform in new[] { Platform.HyperV, Platform.VSphere, Platform.Kvm })
        {
            var state = Nic.Initial();
            foreach (var e in RandomNicHistory(7, platform, 500))
            {
                Nic.Evolve(state, e);
                var holders = state.Pool.Holders().ToList();
                Assert.True(holders.Count <= state.Pool.Configured);
                Assert.Equal(holders.Count, holders.Select(h => h.Vnic).Distinct().Count());
                Assert.True(state.QueuePairsUsed <= 24 && state.Allocated <= 12, "Hyper-V VPort and queue-pair pools are never overdrawn");
            }
        }
    }

    [Fact]
    public void A_vm_snapshot_round_trips_through_json()
    {
        var sw = new SwitchId("host-07/ext");
        VmEvent[] history =
        [
            new VmEvent.VmDefined(new("vm-1"), Host7, Platform.HyperV, GuestOs.Parse("Windows Server 2022"), 4, 8192,
                ValueList.Of(new VnicSpec("net0", sw, 50), new VnicSpec("net1", sw)), T0),
            new VmEvent.VmStartRequested(new("vm-1"), Host7, Op1, T0),
            new VmEvent.VnicDatapathChanged(new("vm-1"), "net0", Datapath.Off, Datapath.OnVf(Pf, 2, Op1), Op1, T0),
            new VmEvent.VnicDatapathChanged(new("vm-1"), "net1", Datapath.Off, Datapath.Synthetic(), Op1, T0),
            new VmEvent.VmStarted(new("vm-1"), Host7, Op1, T1),
            new VmEvent.VmMigrationStarted(new("vm-1"), Host7, new("host-08"), ValueList.Of(new VfHolding("net0", Pf, 2, Op1)), Op2, T2),
        ];
        var snapshot = VmDecider.Decider.Fold(history).ToSnapshot(history.Length);
        var restored = Vm.FromSnapshot(JsonSerializer.Deserialize<VmSnapshot>(JsonSerializer.Serialize(snapshot))!);
        Assert.Equal(snapshot, restored.ToSnapshot(history.Length));
        Assert.Equal(VmStatus.Migrating, restored.Status);
        Assert.Single(restored.SourceVfs);
    }
}
