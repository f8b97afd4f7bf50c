using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Projections.History;
using static Twin.Projections.Tests.History.SimulatedHistory;

namespace Twin.Projections.Tests.History;

[Collection(HistoryCollection.Name)]
public sealed class TimelineTests(HistoryServer pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Marten.DocumentStore> TwoStartsAndAStop()
    {
        var history = Seeded(Topology(Platform.HyperV, hosts: 1, vms: 2, vfs: 1));
        history.Step("start-1", T0.AddMinutes(1), p => VmSagas.Start(p, Vm(1)));
        history.Step("start-2", T0.AddMinutes(2), p => VmSagas.Start(p, Vm(2)));
        history.Step("stop-1", T0.AddMinutes(3), p => VmSagas.Stop(p, Vm(1)));
        var store = await pg.NewStoreAsync(windowSize: 8);
        await EventLogWriter.AppendAsync(store, history.Log, ct: Ct);
        await store.CatchUpAsync();
        return store;
    }

    [Fact]
    public async Task A_vms_timeline_holds_its_own_events_and_what_its_pf_did_to_its_vnics_with_operation_and_actor()
    {
        using var store = await TwoStartsAndAStop();
        await using var session = store.QuerySession();
        var timeline = await Timelines.ReadAsync(session, new TimelineQuery(Entity: "vm2"), Ct);
        Assert.Equal(timeline.Entries.OrderBy(e => e.Sequence), timeline.Entries);
        var refused = Assert.Single(timeline.Entries, e => e.Kind == "VfAllocationRejected");
        Assert.Equal((Pf(1).Value, "start-2", "sim"), (refused.Entity, refused.Operation, refused.Actor));
        var handed = Assert.Single(timeline.Entries, e => e.Kind == "VfAllocated");
        Assert.Equal("stop-1", handed.Operation);
        Assert.Contains("handed over", handed.Summary);
        Assert.Contains(timeline.Entries, e => e.Kind == "VnicDatapathChanged" && e.Entity == "vm2");
        Assert.DoesNotContain(timeline.Entries, e => e.Summary.Contains("vm1/net0"));
    }

    [Fact]
    public async Task The_datacenter_timeline_between_two_moments_can_be_filtered_by_event_or_entity_kind_and_limited()
    {
        using var store = await TwoStartsAndAStop();
        await using var session = store.QuerySession();
        var nicEvents = await Timelines.ReadAsync(session, new TimelineQuery(T0.AddMinutes(2), T0.AddMinutes(3), Kinds: ["nic"]), Ct);
        Assert.NotEmpty(nicEvents.Entries);
        Assert.All(nicEvents.Entries, e => Assert.Equal("nic", e.EntityKind));
        Assert.All(nicEvents.Entries, e => Assert.InRange(e.At, T0.AddMinutes(2), T0.AddMinutes(3)));

        var starts = await Timelines.ReadAsync(session, new TimelineQuery(Kinds: ["VmStarted", "vmstopped"]), Ct);
        Assert.Equal(["VmStarted", "VmStarted", "VmStopped"], starts.Entries.Select(e => e.Kind));

        var limited = await Timelines.ReadAsync(session, new TimelineQuery(Limit: 5), Ct);
        Assert.Equal(5, limited.Entries.Count);
        Assert.True(limited.Truncated);
    }
}
