using System.Globalization;
using Twin.Simulation.Model;

namespace Twin.Simulation.WhatIf;

/// <summary>Turns a variant's replications into its <see cref="VariantOutcome"/>: bands per PF, host, cluster, platform
/// and for the datacenter, and the comparison with the baseline.</summary>
internal static class Outcomes
{
    public static VariantOutcome Of(AppliedVariant v, SimulationOptions o, SimulationSummary s, VariantOutcome? baseline)
    {
        var runs = s.Runs;
        Band B(Func<RunResult, double> f) => Band.Of(runs.Select(f));
        var first = runs[0];

        var pfs = s.Nics.Select((n, i) => new PfOutcome(n.Id, n.Host, n.Cluster, first.Nics[i].Platform.ToString(), first.Nics[i].Ceiling, first.Nics[i].Configured,
            n.Allocatable, B(r => r.Nics[i].VfRequests), B(r => r.Nics[i].Granted), n.FellBackToSynthetic, n.FailedStarts, n.PeakAllocated, n.MeanAllocated,
            ExhaustionDays.FromHours([.. runs.Select(r => r.Nics[i].FirstExhaustionHours)]), n.HoursExhausted)).ToList();

        var hosts = first.Hosts.Select((h, i) => new HostOutcome(h.Id, h.Cluster, h.Platform.ToString(),
            ExhaustionDays.FromHours([.. runs.Select(r => r.Hosts[i].FirstExhaustionHours)]),
            B(r => r.Hosts[i].VmsPlaced), B(r => r.Hosts[i].FailedStarts), B(r => r.Hosts[i].NetworkCpuCoreHours))).ToList();

        var clusters = s.Clusters.Select((c, i) =>
        {
            var shape = first.Clusters[i];
            return new ClusterOutcome(c.Cluster, shape.Hosts, shape.Pfs, shape.VfsAllocatable, ExhaustionDays.FromHours([.. runs.Select(r => r.Clusters[i].FirstExhaustionHours)]), c.MostConstrainedPf,
                ExhaustionDays.FromHours([.. runs.Select(r => r.Clusters[i].AllPfsExhaustedHours)]), c.FellBackToSynthetic, c.FailedStarts,
                B(r => shape.VfsAllocatable > 0 ? 100 * r.Clusters[i].AllocatedMeanSeries.DefaultIfEmpty(0).Max() / shape.VfsAllocatable : 0));
        }).ToList();

        var allocatable = first.Nics.Sum(n => n.Allocatable);
        var series = runs.Select(r =>
        {
            var sum = new double[o.SeriesBuckets];
            foreach (var c in r.Clusters)
                for (var b = 0; b < sum.Length && b < c.AllocatedMeanSeries.Length; b++) sum[b] += c.AllocatedMeanSeries[b];
            return sum.Select(x => allocatable > 0 ? 100 * x / allocatable : 0).ToArray();
        }).ToList();
        var buckets = Enumerable.Range(0, o.SeriesBuckets).Select(b => Band.Of(series.Select(x => x[b]))).ToList();
        var utilisation = new UtilisationSeries(s.HorizonHours / o.SeriesBuckets, allocatable,
            [.. buckets.Select(b => b.P50)], [.. buckets.Select(b => b.P95)], [.. buckets.Select(b => b.Min)], [.. buckets.Select(b => b.Max)]);

        var platforms = first.Nics.Select(n => n.Platform).Distinct().OrderBy(p => p).Select(p => new PlatformDemand(p.ToString(),
            B(r => r.Nics.Where(n => n.Platform == p).Sum(n => n.VfRequests)),
            B(r => r.Nics.Where(n => n.Platform == p).Sum(n => n.FellBackToSynthetic)),
            B(r => r.Nics.Where(n => n.Platform == p).Sum(n => n.FailedStarts)))).ToList();
        var demand = new DemandOutcome(B(r => r.VmsArrived), B(r => r.VmsStarted), B(r => r.VmsRefusedForRoom), B(r => r.VnicsWantingVf),
            B(r => r.VnicsFellBack - r.VnicsInFailedStarts), B(r => r.VnicsInFailedStarts),
            B(r => r.VnicsWantingVf > 0 ? 100.0 * r.VnicsFellBack / r.VnicsWantingVf : 0), B(r => r.FailedStarts), platforms);

        var throughput = new ThroughputOutcome(B(r => r.Throughput.OfferedGbps), B(r => r.Throughput.DeliveredGbps), B(r => r.Throughput.VfPathGbps),
            B(r => r.Throughput.SyntheticPathGbps), B(r => r.Throughput.AllSyntheticGbps), B(r => r.Throughput.AllVfGbps), B(r => r.Throughput.GainOverSyntheticGbps),
            B(r => r.Throughput.GainOverSyntheticPercent), B(r => r.Throughput.NetworkCpuCores), B(r => r.Throughput.CpuCoresSaved),
            B(r => r.Throughput.MeanLatencyUs), B(r => r.Throughput.AllSyntheticMeanLatencyUs));

        var exhaustion = ExhaustionDays.FromHours([.. runs.Select(r => r.Nics.Select(n => n.FirstExhaustionHours).Where(h => h is not null).DefaultIfEmpty(null).Min())]);
        var mostConstrained = pfs.Where(p => p.FirstExhaustion.ReplicationsExhausted > 0)
            .OrderByDescending(p => p.FirstExhaustion.ReplicationsExhausted).ThenBy(p => p.FirstExhaustion.P50 ?? double.MaxValue).ThenBy(p => p.FirstExhaustion.Earliest).ThenByDescending(p => p.HoursExhausted.P50)
            .ThenBy(p => p.Nic, StringComparer.Ordinal).FirstOrDefault()?.Nic;

        var disruptions = new DisruptionOutcome(
            B(r => r.Disruptions.HostFailures), B(r => r.Disruptions.NicFailures), B(r => r.Hosts.Sum(h => h.HoursDown)), B(r => r.Nics.Sum(n => n.HoursFailed)),
            B(r => r.Disruptions.VmsInterrupted), B(r => r.Disruptions.RestartedElsewhere), B(r => r.Disruptions.RestartedAtRepair), B(r => r.Disruptions.NotRestarted),
            B(r => r.Disruptions.VmHoursDown), B(r => r.Disruptions.VfsRevokedByNicFailures),
            B(r => r.Disruptions.Stops), B(r => r.Disruptions.Starts), B(r => r.Disruptions.StartsRefused), B(r => r.Disruptions.StartsFailed),
            B(r => r.Disruptions.MigrationsAsked), B(r => r.Disruptions.Migrated), B(r => r.Disruptions.MigrationsRefusedForSriov),
            B(r => r.Disruptions.MigrationsRefusedForRoom), B(r => r.Disruptions.VnicsOnVfBeforeMigration), B(r => r.Disruptions.VnicsOnVfAfterMigration),
            B(r => r.Disruptions.DemandChanges))
        {
            MaintenanceWindows = B(r => r.Disruptions.MaintenanceWindows),
            HostHoursInMaintenance = B(r => r.Hosts.Sum(h => h.HoursInMaintenance)),
            VmsMovedForMaintenance = B(r => r.Disruptions.VmsMovedForMaintenance),
            VmsShutDownForMaintenance = B(r => r.Disruptions.VmsShutDownForMaintenance),
            RestartedAfterMaintenance = B(r => r.Disruptions.RestartedAfterMaintenance),
        };

        var outcome = new VariantOutcome(v.Name, v.Description, v.BasedOn, v.Applied, v.Topology.Hosts.Count, pfs.Count, allocatable, v.Placement,
            v.ScarceVfPolicy?.ToString() ?? "each PF's own", exhaustion, mostConstrained,
            ExhaustionDays.FromHours([.. runs.Select(r => r.Clusters.Select(c => c.AllPfsExhaustedHours).Where(h => h is not null).DefaultIfEmpty(null).Min())]), demand, throughput, utilisation, clusters, hosts, pfs, null)
        {
            Disruptions = disruptions,
        };
        return baseline is null ? outcome : outcome with { VersusBaseline = Compare(baseline, outcome, s.HorizonHours / 24) };
    }

    private static Comparison Compare(VariantOutcome b, VariantOutcome v, double horizonDays)
    {
        double? x = b.FirstExhaustion.P50, y = v.FirstExhaustion.P50;
        var (gained, verdict) = (x, y) switch
        {
            (null, null) => ((double?)null, "neither runs out of VFs in most replications within the horizon"),
            ({ } bx, null) => (horizonDays - bx, $"no VF exhaustion within {Num(horizonDays)} days in most replications (baseline: day {Num(bx)}): at least {Num(horizonDays - bx)} days gained"),
            (null, { } vy) => (-(horizonDays - vy), $"runs out of VFs on day {Num(vy)} (P50) where the baseline lasts the {Num(horizonDays)} days"),
            ({ } bx, { } vy) => (vy - bx, vy >= bx
                ? $"first VF exhaustion on day {Num(vy)} instead of {Num(bx)} (P50): {Num(vy - bx)} days gained"
                : $"first VF exhaustion on day {Num(vy)} instead of {Num(bx)} (P50): {Num(bx - vy)} days sooner"),
        };
        if (b.FirstClusterRunsOut.P50 is { } bc && v.FirstClusterRunsOut.P50 is not { } && v.FirstExhaustion.P50 is { })
            verdict += $"; no cluster runs out of VFs entirely (baseline: day {Num(bc)})";
        else if (b.FirstClusterRunsOut.P50 != v.FirstClusterRunsOut.P50 && v.FirstClusterRunsOut.P50 is { } vc)
            verdict += $"; a whole cluster runs out on day {Num(vc)}" + (b.FirstClusterRunsOut.P50 is { } bc2 ? $" instead of {Num(bc2)}" : " (the baseline's never does)");
        var fellBack = v.Demand.VnicsFellBack.P50 - b.Demand.VnicsFellBack.P50;
        verdict += fellBack switch
        {
            < 0 => $"; {Num(-fellBack)} fewer vNICs fall back to synthetic",
            > 0 => $"; {Num(fellBack)} more vNICs fall back to synthetic",
            _ => "",
        };
        var failed = v.Demand.FailedStarts.P50 - b.Demand.FailedStarts.P50;
        verdict += failed switch
        {
            < 0 => $"; {Num(-failed)} fewer failed power-ons",
            > 0 => $"; {Num(failed)} more failed power-ons",
            _ => "",
        };
        // a PF running out is routine when placement packs VMs: say when it cost no VM its VF
        if (b.Demand.UnmetPercent.Max == 0 && v.Demand.UnmetPercent.Max == 0) verdict += "; no vNIC went without a VF in either";
        var (downBefore, downAfter) = (b.Disruptions?.VmHoursDown.P50 ?? 0, v.Disruptions?.VmHoursDown.P50 ?? 0);
        if (downBefore != downAfter) verdict += $"; {Num(downAfter)} VM-hours down to {DownTo(b.Disruptions, v.Disruptions)} instead of {Num(downBefore)} (P50)";
        return new Comparison(x, y, gained, fellBack, v.Demand.FailedStarts.P50 - b.Demand.FailedStarts.P50,
            v.Throughput.DeliveredGbps.P50 - b.Throughput.DeliveredGbps.P50, v.Throughput.GainGbps.P50 - b.Throughput.GainGbps.P50,
            v.Throughput.CpuCoresSaved.P50 - b.Throughput.CpuCoresSaved.P50, v.Throughput.MeanLatencyUs.P50 - b.Throughput.MeanLatencyUs.P50, verdict)
        {
            VmHoursDownChange = downAfter - downBefore,
        };
    }

    /// <summary>What took VMs down in either: host failures, maintenance, or both (the model counts their VM-hours together).</summary>
    private static string DownTo(DisruptionOutcome? b, DisruptionOutcome? v)
    {
        var failures = b?.Failures == true || v?.Failures == true;
        var maintenance = b?.Maintenance == true || v?.Maintenance == true;
        return failures && maintenance ? "host failures and maintenance" : maintenance ? "maintenance" : "host failures";
    }

    private static string Num(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
