using System.Diagnostics;
using Twin.Projections.History;
using Twin.Projections.ReadModels;

namespace Twin.Benchmarks;

/// <summary><c>rebuild</c>: the per-aggregate snapshots refolded, then every Marten projection rebuilt from scratch with
/// the daemon's rebuild; events/s for each.</summary>
internal static class RebuildBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = BenchOptions.Parse(args);
        Console.WriteLine($"rebuild benchmark: {o}; {BenchHistory.Machine()}");
        var (server, store, _, _) = await BenchHistory.PrepareAsync(o);
        try
        {
            // the grains' per-aggregate snapshot documents: every stream refolded with its own decider
            var clock = Stopwatch.StartNew();
            var (events, streams) = await SnapshotRebuilder.RebuildAllAsync(store);
            Console.WriteLine($"  {"snapshots",-18} {clock.Elapsed.TotalSeconds,8:F1} s {events / clock.Elapsed.TotalSeconds,12:N0} events/s ({streams:N0} streams refolded)");
            var report = await ProjectionRebuild.RebuildAsync(store);
            foreach (var p in report.Projections)
                Console.WriteLine($"  {p.Projection,-18} {p.Elapsed.TotalSeconds,8:F1} s {p.EventsPerSecond,12:N0} events/s");
            Console.WriteLine($"rebuilt {report.Projections.Count} projections over {report.Events:N0} events in {report.Total.TotalSeconds:F1} s: " +
                              $"{report.EventsPerSecond:N0} events/s (events x projections / wall time)");
            return 0;
        }
        finally
        {
            store.Dispose();
            if (server is not null) await server.DisposeAsync();
        }
    }
}
