using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Projections.History;

namespace Twin.Projections.Tests.History;

[Collection(HistoryCollection.Name)]
public sealed class TimeTravelTests(HistoryServer pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void AssertSameDatacenter(Dictionary<string, ISnapshot> expected, DatacenterState actual, DateTimeOffset at)
    {
        var got = actual.Streams.Select(kv => kv.Value.Snapshot()).ToDictionary(s => s.Id, StringComparer.Ordinal);
        Assert.True(expected.Keys.Order().SequenceEqual(got.Keys.Order()), $"at {at:t}: streams differ");
        foreach (var (id, snapshot) in expected) Assert.True(Equals(snapshot, got[id]), $"at {at:t}: {id} differs\n expected {snapshot}\n got      {got[id]}");
    }

    [Fact]
    public async Task The_datacenter_at_any_moment_is_what_the_twin_was_then_whether_folded_from_raw_events_or_from_checkpoints()
    {
        var history = SimulatedHistory.Random(Platform.HyperV, hosts: 3, vms: 12, vfs: 3, steps: 60, seed: 7);
        using var store = await pg.NewStoreAsync(windowSize: 16);
        await EventLogWriter.AppendAsync(store, history.Log, batchSize: 50, ct: Ct);

        // no daemon yet: no checkpoints, every moment is folded from the raw log
        await using (var session = store.QuerySession())
        {
            Assert.Empty(await HistoryReader.WindowsAsync(session, Ct));
            foreach (var (at, expected) in history.Moments.Where((_, i) => i % 7 == 0))
                AssertSameDatacenter(expected, await TimeTravel.StateAtAsync(session, at, Ct), at);
        }

        // with the daemon's windows and checkpoints, every moment is the same
        await store.CatchUpAsync();
        await using (var session = store.QuerySession())
        {
            var windows = await HistoryReader.WindowsAsync(session, Ct);
            Assert.True(windows.Count >= history.Twin.Log.Count / 16 - 1, $"{windows.Count} windows for {history.Twin.Log.Count} events");
            foreach (var (at, expected) in history.Moments)
                AssertSameDatacenter(expected, await TimeTravel.StateAtAsync(session, at, Ct), at);
        }
    }

    [Fact]
    public async Task A_moment_before_the_first_event_is_answered_as_nothing_existed_yet()
    {
        var history = SimulatedHistory.Seeded(SimulatedHistory.Topology(Platform.Kvm, hosts: 1, vms: 1, vfs: 2));
        using var store = await pg.NewStoreAsync();
        await EventLogWriter.AppendAsync(store, history.Log, ct: Ct);
        await using var session = store.QuerySession();
        var ex = await Assert.ThrowsAsync<NothingExistedException>(() => TimeTravel.StateAtAsync(session, SimulatedHistory.T0.AddSeconds(-1), Ct));
        Assert.Equal(SimulatedHistory.T0, ex.FirstEventAt);
        Assert.Contains("nothing existed", ex.Message);
    }

    [Fact]
    public async Task An_event_stamped_earlier_than_the_one_before_it_never_makes_its_stream_jump_ahead()
    {
        var nic = new NicId("skew/0000:3b:00.0");
        var t = SimulatedHistory.T0;
        using var store = await pg.NewStoreAsync(windowSize: 2);
        await EventLogWriter.AppendAsync(store,
        [
            new LoggedEvent(nic.Value, 1, new NicEvent.NicInstalled(nic, new HostId("skew"), Platform.HyperV, "X710", NicVendor.Intel, "0000:3b:00.0", 10_000, 0, 32, true, null, null, t), "a"),
            new LoggedEvent(nic.Value, 2, new NicEvent.SriovEnabled(nic, 8, new OperationId("b"), t.AddMinutes(30)), "b"),
            // a second writer's clock was behind: recorded after, stamped before
            new LoggedEvent(nic.Value, 3, new NicEvent.VfCountChanged(nic, 8, 4, 4, new OperationId("c"), t.AddMinutes(20)), "c"),
        ], ct: Ct);
        await store.CatchUpAsync();
        await using var session = store.QuerySession();
        var at25 = (await TimeTravel.StateAtAsync(session, t.AddMinutes(25), Ct)).Snapshot<NicSnapshot>(nic.Value)!;
        Assert.Equal((1L, false, 0), (at25.Version, at25.SriovEnabled, at25.Configured));
        var at30 = (await TimeTravel.StateAtAsync(session, t.AddMinutes(30), Ct)).Snapshot<NicSnapshot>(nic.Value)!;
        Assert.Equal((3L, 4), (at30.Version, at30.Configured));
    }

    [Fact]
    public async Task The_difference_between_two_moments_lists_vfs_given_taken_and_moved_and_datapath_changes()
    {
        var history = SimulatedHistory.Seeded(SimulatedHistory.Topology(Platform.HyperV, hosts: 1, vms: 3, vfs: 1));
        var t1 = SimulatedHistory.T0.AddMinutes(1);
        var t2 = SimulatedHistory.T0.AddMinutes(2);
        var t3 = SimulatedHistory.T0.AddMinutes(3);
        history.Step("start-1", t1, p => VmSagas.Start(p, SimulatedHistory.Vm(1)));
        history.Step("start-3", t2, p => VmSagas.Start(p, SimulatedHistory.Vm(3)));
        history.Step("stop-1", t3, p => VmSagas.Stop(p, SimulatedHistory.Vm(1)));
        using var store = await pg.NewStoreAsync();
        await EventLogWriter.AppendAsync(store, history.Log, ct: Ct);
        await using var session = store.QuerySession();
        var before = await TimeTravel.StateAtAsync(session, t2, Ct);
        var after = await TimeTravel.StateAtAsync(session, t3, Ct);
        var diff = DatacenterDiff.Between(before, after, t2, t3);

        var pf = SimulatedHistory.Pf(1).Value;
        Assert.Equal([new VfChange(pf, 0, VfChangeKind.Reassigned, "vm1/net0", "vm3/net0")], diff.Vfs);
        Assert.Contains(new DatapathChange("vm1", "net0", $"VF 0 on {pf}", "off"), diff.Datapaths);
        Assert.Contains(new DatapathChange("vm3", "net0", "synthetic (VfPoolExhausted)", $"VF 0 on {pf}"), diff.Datapaths);
        Assert.Contains(new EntityChange("vm", "vm1", "changed", "Running on h1", "Off on h1"), diff.Entities);
        Assert.Contains(new PoolChange(pf, "waiting", 1, 0), diff.Pools);
        Assert.Contains(new PoolChange(pf, "handOvers", 0, 1), diff.Pools);
    }
}
