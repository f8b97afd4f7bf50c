namespace Twin.Simulation.Model;

/// <summary>
/// Runs replications of a simulation — in parallel, each on its own model and its own random stream — and sums them
/// up as P50/P95 bands. Replication r of seed s always produces the same result, alone or among others.
/// </summary>
public static class SimulationRunner
{
    /// <summary>Runs <paramref name="replications"/> replications; <paramref name="workload"/> gives replication r's
    /// workload (its randomness must come from (seed, r)), <paramref name="progress"/> hears (done, total).</summary>
    public static SimulationSummary Run(SimulationOptions options, Func<ulong, IEnumerable<SimVm>> workload, ulong seed, int replications,
        int maxParallelism = 0, Action<int, int>? progress = null, CancellationToken ct = default)
    {
        if (replications < 1) throw new ArgumentOutOfRangeException(nameof(replications), replications, "at least one replication");
        var runs = new RunResult[replications];
        var done = 0;
        Parallel.For(0, replications, new ParallelOptions
        {
            MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount,
            CancellationToken = ct,
        }, r =>
        {
            runs[r] = new SimulationModel(options).Run(workload((ulong)r), seed, (ulong)r);
            progress?.Invoke(Interlocked.Increment(ref done), replications);
        });
        return Summarize(options, seed, runs);
    }

    /// <summary>Bands across replications for every headline figure, per PF and per cluster.</summary>
    public static SimulationSummary Summarize(SimulationOptions options, ulong seed, IReadOnlyList<RunResult> runs)
    {
        Band B(Func<RunResult, double> f) => Band.Of(runs.Select(f));
        var nics = runs[0].Nics.Select((n, i) => new NicSummary(n.Id, n.Host, n.Cluster, n.Allocatable,
            Exhaustion(runs.Select(r => r.Nics[i].FirstExhaustionHours)),
            B(r => r.Nics[i].HoursExhausted), B(r => r.Nics[i].FellBackToSynthetic), B(r => r.Nics[i].FailedStarts),
            B(r => r.Nics[i].PeakAllocated), B(r => r.Nics[i].MeanAllocated),
            SeriesBands(runs.Select(r => r.Nics[i].AllocatedMeanSeries)))).ToList();
        var clusters = runs[0].Clusters.Select((c, i) => new ClusterSummary(c.Cluster,
            Exhaustion(runs.Select(r => r.Clusters[i].FirstExhaustionHours)),
            runs.Select(r => r.Clusters[i].MostConstrainedPf).Where(p => p is not null).GroupBy(p => p).OrderByDescending(g => g.Count()).FirstOrDefault()?.Key,
            B(r => r.Clusters[i].FellBackToSynthetic), B(r => r.Clusters[i].FailedStarts),
            SeriesBands(runs.Select(r => r.Clusters[i].AllocatedMeanSeries)))).ToList();
        var first = Exhaustion(runs.Select(r => r.Nics.Select(n => n.FirstExhaustionHours).Where(h => h is not null).Min()));
        return new SimulationSummary(seed, runs.Count, runs[0].HorizonHours, options.Epoch, options.Placement, [.. options.Throughput.Describe()],
            B(r => r.VmsStarted), B(r => r.FailedStarts), B(r => r.VnicsFellBack),
            B(r => r.Throughput.DeliveredGbps), B(r => r.Throughput.AllSyntheticGbps), B(r => r.Throughput.GainOverSyntheticGbps),
            B(r => r.Throughput.GainOverSyntheticPercent), B(r => r.Throughput.CpuCoresSaved), B(r => r.Throughput.MeanLatencyUs),
            first, nics, clusters, runs);
    }

    private static ExhaustionBand Exhaustion(IEnumerable<double?> hours)
    {
        var all = hours.ToList();
        var exhausted = all.Where(h => h is not null).Select(h => h!.Value).ToList();
        return new ExhaustionBand(exhausted.Count, all.Count, exhausted.Count == 0 ? null : Band.Of(exhausted));
    }

    private static Band[] SeriesBands(IEnumerable<double[]> series)
    {
        var all = series.ToList();
        return [.. Enumerable.Range(0, all[0].Length).Select(b => Band.Of(all.Select(s => s[b])))];
    }
}
