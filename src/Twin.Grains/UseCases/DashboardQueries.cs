using JasperFx.Events;
using Marten;
using Marten.Events;
using MediatR;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Vms;

namespace Twin.Grains.UseCases;

/// <summary>One VM's history, oldest first: each event with what it meant for the VM's datapaths and why.</summary>
public sealed record GetVmTimeline(string Vm) : IRequest<VmTimeline>;

/// <summary>A VM now and the events that brought it there.</summary>
public sealed record VmTimeline(VmSnapshot Vm, IReadOnlyList<VmTimelineEntry> Entries);

/// <summary>One event of a timeline. <see cref="Datapath"/> is the vNIC's datapath after the event (for datapath
/// changes), <see cref="Reason"/> the machine-readable why (a blocker, a refusal), <see cref="Operation"/> the operation
/// (saga) it belongs to and <see cref="Actor"/> who asked.</summary>
public sealed record VmTimelineEntry(long Version, DateTimeOffset At, string Event, string Summary, string? Vnic, Datapath? Datapath,
    string? Reason, string? Operation, string? Actor);

internal sealed class GetVmTimelineHandler(IQuerySession session) : IRequestHandler<GetVmTimeline, VmTimeline>
{
    public async Task<VmTimeline> Handle(GetVmTimeline q, CancellationToken ct)
    {
        var vm = await session.LoadAsync<VmSnapshot>(q.Vm, ct) is { Status: not VmStatus.Absent } found ? found : throw new EntityNotFoundException("vm", q.Vm);
        var events = await session.Events.FetchStreamAsync(q.Vm, token: ct);
        return new VmTimeline(vm, [.. events.Where(e => e.Data is VmEvent).Select(Entry)]);
    }

    private static VmTimelineEntry Entry(IEvent e)
    {
        var (summary, vnic, datapath, reason) = Describe((VmEvent)e.Data);
        return new VmTimelineEntry(e.Version, e.Timestamp, e.Data.GetType().Name, summary, vnic, datapath, reason,
            string.IsNullOrEmpty(e.CorrelationId) ? null : e.CorrelationId, e.UserName);
    }

    private static (string Summary, string? Vnic, Datapath? Datapath, string? Reason) Describe(VmEvent e) => e switch
    {
        VmEvent.VmDefined x => ($"defined on {x.Host} ({x.Platform}, {x.Guest.Name}, {x.Vcpus} vCPU, {x.MemoryMiB} MiB) with "
                                + (x.Vnics.Count == 0 ? "no vNIC" : string.Join(", ", x.Vnics.Select(v => $"{v.Name} on {v.Switch} (IovWeight {v.IovWeight})"))),
            null, null, null),
        VmEvent.VnicAdded x => ($"vNIC {x.Vnic.Name} added on {x.Vnic.Switch} (IovWeight {x.Vnic.IovWeight})", x.Vnic.Name, null, null),
        VmEvent.VnicRemoved x => ($"vNIC {x.Name} removed", x.Name, null, null),
        VmEvent.IovWeightChanged x => ($"{x.Name}: IovWeight {x.From} → {x.To}" + (x.To == 0 ? " (SR-IOV off)" : x.From == 0 ? " (SR-IOV on)" : ""), x.Name, null, null),
        VmEvent.VfRequested x => ($"{x.Name}: asked for a VF", x.Name, null, null),
        VmEvent.VmStartRequested x => ($"start requested on {x.Host}", null, null, null),
        VmEvent.VnicDatapathChanged x => ($"{x.Name}: {x.From} → {x.To}", x.Name, x.To, x.To.Reason?.ToString()),
        VmEvent.VmStarted x => ($"running on {x.Host}", null, null, null),
        VmEvent.VmStartFailed x => ($"start failed: {x.Detail}", null, null, x.Reason?.ToString()),
        VmEvent.VmStopRequested => ("stop requested", null, null, null),
        VmEvent.VmStopped => ("stopped", null, null, null),
        VmEvent.VmMigrationStarted x => ($"live migration {x.From} → {x.To} started" + (x.SourceVfs.Count == 0 ? "" : $" (keeping {x.SourceVfs.Count} source VF(s) until it ends)"),
            null, null, null),
        VmEvent.VmMigrationRejected x => ($"migration to {x.To} refused: {x.Reason}", null, null, "MigrationRefused"),
        VmEvent.DestinationVfClaimed x => ($"{x.Name}: destination datapath claimed: {x.Datapath}", x.Name, null, x.Datapath.Reason?.ToString()),
        VmEvent.VmMigrated x => ($"moved {x.From} → {x.To}", null, null, null),
        VmEvent.SourceVfReleased x => ($"{x.Name}: source VF {x.VfIndex} on {x.Nic} released", x.Name, null, null),
        VmEvent.VmMigrationAborted x => ($"migration aborted: {x.Reason}", null, null, "MigrationAborted"),
        VmEvent.VmDeleted => ("deleted", null, null, null),
        _ => (e.GetType().Name, null, null, null),
    };
}

/// <summary>VF-pool counters over time, per PF, from <see cref="Since"/> until now (replayed from each PF's events with
/// the domain's own Evolve); optionally one host's PFs.</summary>
public sealed record GetPoolHistory(DateTimeOffset Since, string? Host = null) : IRequest<PoolHistory>;

/// <summary>Each PF's counters at the start of the window and after every change in it.</summary>
public sealed record PoolHistory(DateTimeOffset Since, DateTimeOffset Until, IReadOnlyList<PoolSeries> Pools);

/// <summary>One PF's series; <see cref="Rejections"/> counts VF requests refused within the window.</summary>
public sealed record PoolSeries(string Nic, string Host, IReadOnlyList<PoolPoint> Points, int Rejections);

/// <summary>A PF's counters at one moment (the VF ceiling does not change over time often enough to chart).</summary>
public sealed record PoolPoint(DateTimeOffset At, int Configured, int Allocatable, int Allocated, int Waiting);

internal sealed class GetPoolHistoryHandler(IQuerySession session, TimeProvider clock) : IRequestHandler<GetPoolHistory, PoolHistory>
{
    public async Task<PoolHistory> Handle(GetPoolHistory q, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var nics = await session.Query<NicSnapshot>().OrderBy(n => n.Id).ToListAsync(ct);
        var series = new List<PoolSeries>();
        foreach (var nic in nics.Where(n => q.Host is null || n.Host.Value == q.Host))
        {
            var events = await session.Events.FetchStreamAsync(nic.Id, token: ct);
            var nicType = Twin.Events.Common.Aggregates.Nic;
            var state = nicType.Decider.Initial();
            var points = new List<PoolPoint>();
            var rejections = 0;
            var started = false;
            foreach (var e in events)
            {
                if (e.Data is not NicEvent data) continue;
                if (!started && e.Timestamp >= q.Since)
                {
                    // the state just before the window: a flat line from its start
                    if (state.Status != NicStatus.Absent) points.Add(Point(q.Since, state));
                    started = true;
                }
                state = nicType.Decider.Evolve(state, data);
                if (!started) continue;
                if (data is NicEvent.VfAllocationRejected) rejections++;
                var point = Point(e.Timestamp, state);
                // several events of one append share a timestamp: keep the last state of the instant
                if (points.Count > 0 && points[^1].At == point.At) points[^1] = point;
                else points.Add(point);
            }
            if (!started && state.Status != NicStatus.Absent) points.Add(Point(q.Since, state));
            if (points.Count > 0) points.Add(points[^1] with { At = now });
            series.Add(new PoolSeries(nic.Id, nic.Host.Value, points, rejections));
        }
        return new PoolHistory(q.Since, now, series);
    }

    private static PoolPoint Point(DateTimeOffset at, Nic n) => new(at, n.Configured, n.Allocatable, n.Allocated, n.Waiting.Count);
}

/// <summary>The VF requests PFs refused (VfAllocationRejected events) with an event sequence above
/// <see cref="AfterSequence"/>, oldest first, so that a poller (the metrics endpoint) can read only what is new; at most
/// <see cref="Limit"/> of them when one is given.</summary>
public sealed record GetVfRejections(long AfterSequence = 0, int? Limit = null) : IRequest<IReadOnlyList<VfRejection>>;

/// <summary>One refusal: its event sequence (store-wide order), the PF, the vNIC, the reason and when.</summary>
public sealed record VfRejection(long Sequence, string Nic, VnicRef Vnic, string Reason, DateTimeOffset At);

internal sealed class GetVfRejectionsHandler(IQuerySession session) : IRequestHandler<GetVfRejections, IReadOnlyList<VfRejection>>
{
    public async Task<IReadOnlyList<VfRejection>> Handle(GetVfRejections q, CancellationToken ct)
    {
        var query = session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > q.AfterSequence && e.EventTypesAre(typeof(NicEvent.VfAllocationRejected)))
            .OrderBy(e => e.Sequence);
        var events = q.Limit is { } limit ? await query.Take(limit).ToListAsync(ct) : await query.ToListAsync(ct);
        return [.. events.Select(e => (e, r: (NicEvent.VfAllocationRejected)e.Data))
            .Select(x => new VfRejection(x.e.Sequence, x.e.StreamKey ?? x.r.Nic.Value, x.r.Vnic, x.r.Reason.ToString(), x.e.Timestamp))];
    }
}
