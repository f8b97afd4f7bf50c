using Marten.Events;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Vms;
using Twin.Grains.UseCases;
using Twin.Projections.History;
using Twin.Projections.ReadModels;
using static Twin.Grains.Tests.LiveDatacenter;

namespace Twin.Grains.Tests;

[Collection(TwinClusterCollection.Name)]
public sealed class HistoryUseCaseTests(TwinCluster fx)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A moment strictly between what was recorded before and what will be recorded after.</summary>
    private static async Task<DateTimeOffset> Moment()
    {
        var now = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow == now) await Task.Yield();
        return now;
    }

    [Fact]
    public async Task A_concurrent_workload_through_the_grains_leaves_the_async_views_equal_to_folding_the_raw_event_log()
    {
        const int vms = 12;
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 3, vms: vms, hosts: 2);
        var m = fx.Mediator();
        // every VM at once: start, change its weight, stop, start again; all of them compete for 3 VFs
        await Task.WhenAll(Enumerable.Range(1, vms).Select(async n =>
        {
            var vm = dc.Vm(n);
            await m.Send(new StartVm(vm), Ct);
            await m.Send(new SetIovWeight(vm, "net0", 10 + n), Ct);
            if (n % 3 == 0) await m.Send(new MigrateVm(vm, dc.Host(2)), Ct);
            await m.Send(new StopVm(vm), Ct);
            if (n % 2 == 0) await m.Send(new StartVm(vm), Ct);
        }));
        // notices to other VMs are one-way: wait until every VM has recorded what its PF did
        await Eventually(async () => (await Task.WhenAll(Enumerable.Range(1, vms).Select(n => dc.VmGrain(n).GetSnapshot())))
            .All(s => s!.PendingKind == VmOperationKind.None), "every saga is closed");

        await fx.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        await using var session = fx.Store.QuerySession();
        // a late one-way notice may still append: read the views together with how far the daemon had got
        var (processed, pools, readiness) = await ViewsAsOfTheirProgress(session, dc, vms);
        var folded = new DatacenterState();
        await foreach (var e in HistoryReader.ReadAsync(session, 0, processed, Ct)) folded.Apply(e);

        Assert.Equal([folded.PoolUsage(dc.Pf(1).Value), folded.PoolUsage(dc.Pf(2).Value)], pools);
        Assert.True(pools[0]!.Rejections > 0);
        Assert.Equal(Enumerable.Range(1, vms).Select(n => folded.Readiness(dc.Vm(n).Value)), readiness);
        // and the history index gives the same datacenter as the raw fold
        var indexed = await HistoryReader.StateAsync(session, beforeSequence: processed + 1, ct: Ct);
        Assert.Equal(folded.Snapshot<NicSnapshot>(dc.Pf(1).Value), indexed.Snapshot<NicSnapshot>(dc.Pf(1).Value));
        Assert.Equal(folded.Snapshot<VmSnapshot>(dc.Vm(1).Value), indexed.Snapshot<VmSnapshot>(dc.Vm(1).Value));
    }

    private static async Task<(long Processed, List<VfPoolUsage?> Pools, List<VmSriovReadiness?> Readiness)> ViewsAsOfTheirProgress(
        Marten.IQuerySession session, LiveDatacenter dc, int vms)
    {
        for (var attempt = 0; ; attempt++)
        {
            var before = await Progress(session);
            var pools = new List<VfPoolUsage?> { await session.LoadAsync<VfPoolUsage>(dc.Pf(1).Value, Ct), await session.LoadAsync<VfPoolUsage>(dc.Pf(2).Value, Ct) };
            var readiness = new List<VmSriovReadiness?>();
            for (var n = 1; n <= vms; n++) readiness.Add(await session.LoadAsync<VmSriovReadiness>(dc.Vm(n).Value, Ct));
            if (await Progress(session) == before || attempt == 50) return (before, pools, readiness);
        }

        static async Task<long> Progress(Marten.IQuerySession session) =>
            (await session.DocumentStore.Advanced.AllProjectionProgress(token: Ct)).Single(p => p.ShardName.StartsWith(DatacenterProjection.ProjectionName)).Sequence;
    }

    [Fact]
    public async Task Inventory_pools_diff_timeline_and_why_answer_for_past_moments()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 2);
        var m = fx.Mediator();
        await m.Send(new StartVm(dc.Vm(1)) { Actor = "alice" }, Ct);
        var afterFirst = await Moment();
        await m.Send(new StartVm(dc.Vm(2)) { Actor = "bob" }, Ct);
        var afterSecond = await Moment();
        await m.Send(new StopVm(dc.Vm(1)) { Actor = "carol" }, Ct);
        await Eventually(async () => (await dc.Datapath(2)).Kind == DatapathKind.Vf, "vm2 got the freed VF");
        var end = await Moment();

        var then = await m.Send(new GetInventoryAt(afterFirst, dc.Host(1).Value), Ct);
        Assert.Equal([VmStatus.Running, VmStatus.Off], then.Inventory.Vms.Select(v => v.Status));
        var pools = await m.Send(new GetVfPoolUsage(afterSecond, dc.Host(1).Value), Ct);
        Assert.Equal((1, 1, 1L), (pools.Single().Allocated, pools.Single().Waiting, pools.Single().QueuedRejections));

        var diff = await m.Send(new GetDiff(afterSecond, end, dc.Host(1).Value), Ct);
        Assert.Equal([new VfChange(dc.Pf(1).Value, 0, VfChangeKind.Reassigned, $"{dc.Vm(1)}/net0", $"{dc.Vm(2)}/net0")], diff.Vfs);

        var timeline = await m.Send(new GetTimeline(afterSecond, end, dc.Vm(2).Value), Ct);
        var handed = Assert.Single(timeline.Entries, e => e.Kind == nameof(NicEvent.VfAllocated));
        Assert.Equal("carol", handed.Actor);

        var why = await m.Send(new ExplainDatapath(dc.Vm(2).Value, "net0", afterSecond), Ct);
        Assert.Contains($"had 1/1 VFs held (by {dc.Vm(1)}/net0", why.Vnics.Single().Summary);
        Assert.Contains(why.Vnics.Single().Chain, c => c.Actor == "bob" && c.Kind == nameof(NicEvent.VfAllocationRejected));
    }

    [Fact]
    public async Task Had_the_pf_had_more_vfs_the_vm_that_waited_would_have_kept_a_vf_and_the_traffic_lost_shrinks()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 3);
        var m = fx.Mediator();
        var from = await Moment();
        for (var n = 1; n <= 3; n++) await m.Send(new StartVm(dc.Vm(n)), Ct);
        await m.Send(new StopVm(dc.Vm(1)), Ct);
        await Eventually(async () => (await dc.Datapath(2)).Kind == DatapathKind.Vf, "vm2 got the freed VF");
        var to = (await Moment()).AddSeconds(10);

        var same = await m.Send(new ReplayWithChange(from, to, "none"), Ct);
        Assert.Empty(same.Divergences);
        Assert.Empty(same.KeptTheirVf);

        var report = await m.Send(new ReplayWithChange(from, to, $"vfs {dc.Pf(1)} 4"), Ct);
        Assert.Empty(report.Divergences);
        Assert.Contains($"{dc.Vm(2)}/net0", report.KeptTheirVf);
        Assert.Contains($"{dc.Vm(3)}/net0", report.KeptTheirVf);
        // the cluster is shared with other tests' datacenters: only this one's vNICs are compared
        var mine = report.Vnics.Where(v => Enumerable.Range(1, 3).Any(n => v.Vm == dc.Vm(n).Value)).ToList();
        Assert.Equal(3, mine.Count);
        Assert.True(mine.Sum(v => v.RecordedGbitLost) > 0, string.Join("\n", mine));
        Assert.True(mine.Sum(v => v.CounterfactualGbitLost) == 0, string.Join("\n", mine));
    }

    [Fact]
    public async Task Had_the_switch_had_iov_the_vms_on_it_would_have_had_vfs()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 4, vms: 2, switchIov: false);
        var m = fx.Mediator();
        var from = await Moment();
        for (var n = 1; n <= 2; n++) await m.Send(new StartVm(dc.Vm(n)), Ct);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.SwitchIovDisabled), await dc.Datapath(1));
        var to = (await Moment()).AddSeconds(5);

        var report = await m.Send(new ReplayWithChange(from, to, $"iov {dc.Ext(1)} on"), Ct);
        Assert.Equal([$"{dc.Vm(1)}/net0", $"{dc.Vm(2)}/net0"], report.KeptTheirVf);
    }

    [Fact]
    public async Task Under_first_come_first_served_the_freed_vf_would_have_gone_to_the_vm_that_waited_longer()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 3);
        var m = fx.Mediator();
        await m.Send(new SetIovWeight(dc.Vm(2), "net0", 10), Ct);
        await m.Send(new SetIovWeight(dc.Vm(3), "net0", 90), Ct);
        var from = await Moment();
        for (var n = 1; n <= 3; n++) await m.Send(new StartVm(dc.Vm(n)), Ct);
        await m.Send(new StopVm(dc.Vm(1)), Ct);
        await Eventually(async () => (await dc.Datapath(3)).Kind == DatapathKind.Vf, "the heavier vm3 got the freed VF");
        var to = (await Moment()).AddSeconds(5);

        var report = await m.Send(new ReplayWithChange(from, to, $"policy FirstComeFirstServed {dc.Pf(1)}"), Ct);
        var outcomes = report.Vnics.Where(v => Enumerable.Range(1, 3).Any(n => v.Vm == dc.Vm(n).Value)).ToDictionary(v => v.Vm); // other tests share the database
        Assert.StartsWith("better", outcomes[dc.Vm(2).Value].Verdict);
        Assert.StartsWith("worse", outcomes[dc.Vm(3).Value].Verdict);
        var mine = dc.Vm(1).Value[..^"vm1".Length];
        Assert.DoesNotContain(report.Divergences, d => d.Contains(mine, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_ids_and_moments_before_history_get_plain_answers()
    {
        var m = fx.Mediator();
        var ghost = Ids.New("ghost");
        Assert.Equal(("vm", ghost), await Kind(() => m.Send(new ExplainDatapath(ghost), Ct)));
        Assert.Equal(("entity", ghost), await Kind(() => m.Send(new GetTimeline(Entity: ghost), Ct)));
        var longAgo = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var nothing = await Assert.ThrowsAsync<NothingExistedException>(() => m.Send(new GetInventoryAt(longAgo), Ct));
        Assert.StartsWith("nothing existed at 2000-01-01", nothing.Message);

        var dc = await Build(fx.Grains, Platform.Kvm, vfs: 1, vms: 1);
        var notYet = await Assert.ThrowsAsync<NotExistingAtException>(() => m.Send(new ExplainDatapath(dc.Vm(1).Value, At: T0.AddDays(-1)), Ct));
        Assert.Equal(T0, notYet.ExistsFrom);
        Assert.Equal(("vnic", $"{dc.Vm(1)}/eth7"), await Kind(() => m.Send(new ExplainDatapath(dc.Vm(1).Value, "eth7"), Ct)));
        Assert.Equal(("nic", "nope/0000:00:00.0"), await Kind(() => m.Send(new ReplayWithChange(T0, T0.AddHours(1), "vfs nope/0000:00:00.0 8"), Ct)));
        var bad = await Assert.ThrowsAsync<RequestValidationException>(() => m.Send(new ReplayWithChange(T0, T0, "more vfs please"), Ct));
        Assert.Equal(2, bad.Problems.Count);

        static async Task<(string, string)> Kind(Func<Task> call)
        {
            var ex = await Assert.ThrowsAsync<EntityNotFoundException>(call);
            return (ex.Kind, ex.Id);
        }
    }
}
