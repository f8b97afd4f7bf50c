using System.Diagnostics;
using System.Text.Json;
using MediatR;
using Twin.Events.Vms;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using Twin.Host.WhatIf;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Metrics;

/// <summary>
/// <c>GET /metrics</c>: per PF the four VF counters (ceiling, configured, allocatable, allocated), free VFs, vNICs
/// waiting for a VF (unmet demand), VF configuration pending a reboot, and refusals; VMs per status; requests and their
/// latency; events appended. PF series carry nic, host, cluster, model and platform labels so they can be summed per
/// host or cluster. Days to exhaustion per PF come from the last what-if run on this twin now (a saved scenario run by
/// the server), counted from the scrape: absent for PFs that did not run out within its horizon, and altogether when
/// no such run exists.
/// </summary>
internal static class MetricsEndpoint
{
    public static async Task<IResult> Scrape(IMediator mediator, TwinMetrics metrics, RejectionTally rejections, TimeProvider clock, CancellationToken ct)
    {
        var inventory = await mediator.Send(new GetInventory(), ct);
        var refused = await rejections.ReadAsync(mediator, ct);
        var clusters = inventory.Hosts.ToDictionary(h => h.Id, h => h.Cluster);
        var w = new PrometheusWriter();

        (string, string)[] Labels(Twin.Events.Nics.NicSnapshot n) =>
            [("nic", n.Id), ("host", n.Host.Value), ("cluster", clusters.GetValueOrDefault(n.Host.Value, "")), ("model", n.Model), ("platform", n.Platform.ToString())];

        void PerNic(string name, string help, Func<Twin.Events.Nics.NicSnapshot, double?> value, string type = "gauge")
        {
            w.Family(name, help, type);
            foreach (var n in inventory.Nics)
                if (value(n) is { } v) w.Sample(name, v, Labels(n));
        }

        PerNic("twin_vf_ceiling", "VFs the PF's hardware and firmware allow (sriov_totalvfs, maxCount, MaxNumVFs); absent when the PF reports none.",
            n => n.Ceiling);
        PerNic("twin_vf_configured", "VFs configured and in effect on the PF (sriov_numvfs, NumVFs, numVirtualFunction).", n => n.Configured);
        PerNic("twin_vf_allocatable", "VFs a scheduler may hand out now (0 when the PF is failed or SR-IOV is off).", n => n.Allocatable);
        PerNic("twin_vf_allocated", "VFs held by a vNIC.", n => n.Allocated);
        PerNic("twin_vf_free", "Allocatable VFs nobody holds.", n => n.Free);
        PerNic("twin_vf_waiting_vnics", "vNICs that asked this PF for a VF and wait for one (unmet demand; Hyper-V runs them synthetic meanwhile).",
            n => n.Waiting.Count);
        PerNic("twin_vf_pending_configured", "VFs requested but not in effect until the host reboots (vSphere); absent when nothing is pending.",
            n => n.PendingVfs);
        PerNic("twin_vf_rejections_total", "VF requests this PF refused (VfAllocationRejected events), over the twin's whole history.",
            n => refused.GetValueOrDefault(n.Id), "counter");

        if (await LastLiveForecast(mediator, ct) is var (scenario, ranAt, report))
        {
            var nics = inventory.Nics.ToDictionary(n => n.Id);
            var elapsed = (clock.GetUtcNow() - ranAt).TotalDays;
            w.Family("twin_vf_forecast_days_to_exhaustion",
                "Days from now until the PF first runs out of VFs (P50 over the replications of the last what-if run on this twin now, "
                + "its baseline); absent when the PF lasted the horizon.", "gauge");
            foreach (var pf in report.Baseline.PfResults)
                if (pf.FirstExhaustion.P50 is { } day && nics.TryGetValue(pf.Nic, out var n))
                    w.Sample("twin_vf_forecast_days_to_exhaustion", Math.Max(0, Math.Round(day - elapsed, 3)), [.. Labels(n), ("scenario", scenario)]);
            w.Family("twin_vf_forecast_horizon_days", "Horizon of the what-if run the forecast comes from, in days.", "gauge");
            w.Sample("twin_vf_forecast_horizon_days", report.HorizonDays, ("scenario", scenario));
            w.Family("twin_vf_forecast_run_timestamp_seconds", "When that what-if ran, since the Unix epoch.", "gauge");
            w.Sample("twin_vf_forecast_run_timestamp_seconds", ranAt.ToUnixTimeMilliseconds() / 1000.0, ("scenario", scenario));
        }

        w.Family("twin_hosts", "Hosts known to the twin, per status.", "gauge");
        foreach (var g in inventory.Hosts.GroupBy(h => h.Status).OrderBy(g => g.Key))
            w.Sample("twin_hosts", g.Count(), ("status", g.Key.ToString()));
        w.Family("twin_vms", "VMs per status.", "gauge");
        foreach (var g in inventory.Vms.GroupBy(v => v.Status).OrderBy(g => g.Key))
            w.Sample("twin_vms", g.Count(), ("status", g.Key.ToString()));
        w.Family("twin_vnics", "vNICs of running VMs per datapath (Vf, Synthetic, Disconnected).", "gauge");
        foreach (var g in inventory.Vms.Where(v => v.Status == VmStatus.Running).SelectMany(v => v.Vnics).GroupBy(v => v.Datapath.Kind).OrderBy(g => g.Key))
            w.Sample("twin_vnics", g.Count(), ("datapath", g.Key.ToString()));

        w.Family("twin_events_appended_total", "Events this process appended to the event store, per aggregate kind.", "counter");
        foreach (var (aggregate, count) in metrics.EventsAppended.OrderBy(x => x.Key))
            w.Sample("twin_events_appended_total", count, ("aggregate", aggregate));

        w.Family("twin_http_requests_total", "HTTP requests answered, per method, route template and status code.", "counter");
        foreach (var ((method, route, status), count) in metrics.Requests.OrderBy(x => x.Key.Route).ThenBy(x => x.Key.Method).ThenBy(x => x.Key.Status))
            w.Sample("twin_http_requests_total", count, ("method", method), ("route", route), ("status", status));
        w.Family("twin_http_request_duration_seconds", "Time to answer HTTP requests, per method and route template.", "histogram");
        foreach (var ((method, route), histogram) in metrics.Durations.OrderBy(x => x.Key.Route).ThenBy(x => x.Key.Method))
        {
            var (cumulative, count, sum) = histogram.Read();
            for (var i = 0; i < TwinMetrics.Buckets.Length; i++)
                w.Sample("twin_http_request_duration_seconds_bucket", cumulative[i], ("method", method), ("route", route),
                    ("le", PrometheusWriter.Format(TwinMetrics.Buckets[i])));
            w.Sample("twin_http_request_duration_seconds_bucket", count, ("method", method), ("route", route), ("le", "+Inf"));
            w.Sample("twin_http_request_duration_seconds_sum", sum, ("method", method), ("route", route));
            w.Sample("twin_http_request_duration_seconds_count", count, ("method", method), ("route", route));
        }

        w.Family("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", "gauge");
        w.Sample("process_start_time_seconds", new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0);
        return Results.Text(w.ToString(), PrometheusWriter.ContentType);
    }

    /// <summary>The saved scenario that ran last on the live twin as it was then (not at a past moment, not a file).</summary>
    private static async Task<(string Scenario, DateTimeOffset RanAt, WhatIfReport Report)?> LastLiveForecast(IMediator mediator, CancellationToken ct)
    {
        foreach (var listing in (await mediator.Send(new ListScenarios(), ct)).Where(l => l.LastRunAt is not null).OrderByDescending(l => l.LastRunAt))
        {
            var saved = await mediator.Send(new GetScenario(listing.Name), ct);
            if (saved.LastRun is not { } run) continue;
            var report = JsonSerializer.Deserialize<WhatIfReport>(run.ReportJson, TwinJson.Reading);
            if (report is not null && report.Base.StartsWith(MediatorLiveTwin.Now, StringComparison.Ordinal)) return (saved.Id, run.RanAt, report);
        }
        return null;
    }
}

/// <summary>
/// Refusals per PF over the whole history, read incrementally from the event store. Event sequences are taken when a
/// transaction appends but become visible when it commits, so a lower sequence can appear after a higher one was read:
/// each read goes back <see cref="Overlap"/> sequences and skips the refusals it already counted.
/// </summary>
internal sealed class RejectionTally
{
    internal const long Overlap = 5_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, long> _perNic = [];
    private readonly SortedSet<long> _recent = [];
    private long _highest;

    public async Task<IReadOnlyDictionary<string, long>> ReadAsync(IMediator mediator, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var after = Math.Max(0, _highest - Overlap);
            foreach (var r in await mediator.Send(new GetVfRejections(after), ct))
            {
                if (!_recent.Add(r.Sequence)) continue;
                _perNic[r.Nic] = _perNic.GetValueOrDefault(r.Nic) + 1;
                _highest = Math.Max(_highest, r.Sequence);
            }
            _recent.RemoveWhere(s => s <= _highest - Overlap);
            return new Dictionary<string, long>(_perNic);
        }
        finally
        {
            _gate.Release();
        }
    }
}
