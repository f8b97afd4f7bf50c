using Marten;
using Twin.Events.Common;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using Twin.Projections.History;
using Twin.Projections.ReadModels;
using static Twin.Projections.Tests.History.SimulatedHistory;

namespace Twin.Projections.Tests.History;

[Collection(HistoryCollection.Name)]
public sealed class ReadModelTests(HistoryServer pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_vsphere_pool_counts_every_power_on_that_failed_for_want_of_a_vf()
    {
        var history = Seeded(Topology(Platform.VSphere, hosts: 1, vms: 3, vfs: 1));
        for (var vm = 1; vm <= 3; vm++)
        {
            var v = vm;
            history.Step($"start-{v}", T0.AddMinutes(v), p => VmSagas.Start(p, Vm(v)));
        }
        using var store = await pg.NewStoreAsync();
        await EventLogWriter.AppendAsync(store, history.Log, ct: Ct);
        await store.CatchUpAsync();

        await using var session = store.QuerySession();
        var pool = await session.LoadAsync<VfPoolUsage>(Pf(1).Value, Ct);
        Assert.NotNull(pool);
        Assert.Equal((1, 1, 1, 0), (pool.Configured, pool.Allocatable, pool.Allocated, pool.Free));
        Assert.Equal((2L, 2L, 0L, 2L), (pool.Rejections, pool.AtomicRejections, pool.QueuedRejections, pool.FailedPowerOns));

        // counted over time: at the second start only one had failed
        var atSecond = HistoryReader.Pools(await TimeTravel.StateAtAsync(session, T0.AddMinutes(2), Ct)).Single();
        Assert.Equal(1L, atSecond.FailedPowerOns);
        Assert.Equal(pool, HistoryReader.Pools(await TimeTravel.StateAtAsync(session, T0.AddMinutes(3), Ct)).Single());
    }

    [Fact]
    public async Task A_hyper_v_pool_counts_refusals_that_left_vnics_waiting_and_the_vfs_handed_over_to_them()
    {
        var history = Seeded(Topology(Platform.HyperV, hosts: 1, vms: 3, vfs: 1));
        history.Step("start-1", T0.AddMinutes(1), p => VmSagas.Start(p, Vm(1)));
        history.Step("start-2", T0.AddMinutes(2), p => VmSagas.Start(p, Vm(2)));
        history.Step("start-3", T0.AddMinutes(3), p => VmSagas.Start(p, Vm(3)));
        history.Step("stop-1", T0.AddMinutes(4), p => VmSagas.Stop(p, Vm(1)));
        using var store = await pg.NewStoreAsync();
        await EventLogWriter.AppendAsync(store, history.Log, ct: Ct);
        await store.CatchUpAsync();

        await using var session = store.QuerySession();
        var pool = (await session.LoadAsync<VfPoolUsage>(Pf(1).Value, Ct))!;
        Assert.Equal((2L, 2L, 0L), (pool.Rejections, pool.QueuedRejections, pool.FailedPowerOns));
        Assert.Equal((1L, 2, 1), (pool.HandOvers, pool.PeakWaiting, pool.Waiting));
        // vm3 has weight 13, vm2 12: the freed VF went to the heavier waiter
        Assert.Equal(["VF 0: vm3/net0 (weight 13)"], pool.Holders);
        Assert.Equal(["vm2/net0 (weight 12)"], pool.WaitingVnics);
    }

    [Fact]
    public async Task Readiness_lists_the_vnics_that_want_sriov_and_cannot_have_it_with_every_reason()
    {
        var topology = Topology(Platform.HyperV, hosts: 2, vms: 4, vfs: 1);
        topology = topology with
        {
            Switches = topology.Switches.Select(s => s.Id == Ext(2) ? s with { IovEnabled = false } : s).ToValueList(),
            Vms = topology.Vms.Select(v => v.Id == Vm(3) ? v with { Guest = "Windows Server 2008 R2" } : v).ToValueList(),
        };
        var history = Seeded(topology);
        // vm1 and vm3 on h1 (one VF), vm2 and vm4 on h2 (switch without IOV)
        for (var vm = 1; vm <= 4; vm++)
        {
            var v = vm;
            history.Step($"start-{v}", T0.AddMinutes(v), p => VmSagas.Start(p, Vm(v)));
        }
        using var store = await pg.NewStoreAsync();
        await EventLogWriter.AppendAsync(store, history.Log, ct: Ct);
        await store.CatchUpAsync();

        await using var session = store.QuerySession();
        var vnics = (await session.Query<VmSriovReadiness>().ToListAsync(Ct)).SelectMany(r => r.Vnics).ToDictionary(v => v.Vm);
        Assert.True(vnics["vm1"].OnVf);
        Assert.Empty(vnics["vm1"].Blockers);
        Assert.Equal([SriovBlocker.SwitchIovDisabled], vnics["vm2"].Blockers);
        Assert.Equal([SriovBlocker.GuestOsUnsupported], vnics["vm3"].Blockers);
        Assert.Equal([SriovBlocker.SwitchIovDisabled], vnics["vm4"].Blockers);
        Assert.True(vnics["vm2"].Blocked);
    }

    [Fact]
    public async Task The_async_read_models_are_what_folding_the_raw_log_gives_and_a_rebuild_from_scratch_gives_them_again()
    {
        var history = Random(Platform.HyperV, hosts: 3, vms: 15, vfs: 2, steps: 80, seed: 11);
        using var store = await pg.NewStoreAsync(windowSize: 32);
        await EventLogWriter.AppendAsync(store, history.Log, batchSize: 40, ct: Ct);
        await store.CatchUpAsync();

        var folded = new DatacenterState();
        await using (var session = store.QuerySession())
            await foreach (var e in HistoryReader.ReadAsync(session, 0, long.MaxValue, Ct)) folded.Apply(e);
        var expectedPools = HistoryReader.Pools(folded);
        var expectedReadiness = folded.Streams.Select(s => folded.Readiness(s.Key)).OfType<VmSriovReadiness>().OrderBy(r => r.Id).ToList();
        var before = await ReadModels(store);
        Assert.Equal(expectedPools, before.Pools);
        Assert.Equal(expectedReadiness, before.Readiness);
        Assert.NotEmpty(expectedReadiness);

        var report = await ProjectionRebuild.RebuildAsync(store, ct: Ct);
        Assert.Contains(report.Projections, p => p.Projection == DatacenterProjection.ProjectionName);
        Assert.Equal(history.Twin.Log.Count, report.Events);
        var after = await ReadModels(store);
        Assert.Equal(before.Pools, after.Pools);
        Assert.Equal(before.Readiness, after.Readiness);
        Assert.Equal(before.Vms, after.Vms);
        Assert.Equal(before.Windows, after.Windows);
    }

    private static async Task<(List<VfPoolUsage> Pools, List<VmSriovReadiness> Readiness, List<VmSnapshot> Vms, List<HistoryWindow> Windows)> ReadModels(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        return ([.. (await session.Query<VfPoolUsage>().ToListAsync(Ct)).OrderBy(p => p.Id, StringComparer.Ordinal)],
            [.. (await session.Query<VmSriovReadiness>().ToListAsync(Ct)).OrderBy(r => r.Id)],
            [.. (await session.Query<VmSnapshot>().ToListAsync(Ct)).OrderBy(v => v.Id)],
            [.. await HistoryReader.WindowsAsync(session, Ct)]);
    }
}
