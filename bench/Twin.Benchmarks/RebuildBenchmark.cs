using Twin.Projections.History;

namespace Twin.Benchmarks;

/// <summary><c>rebuild</c>: every projection rebuilt from scratch with Marten's daemon rebuild; events/s per projection.</summary>
internal static class RebuildBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = BenchOptions.Parse(args);
        Console.WriteLine($"rebuild benchmark: {o}; {BenchHistory.Machine()}");
        var (server, store, _, _) = await BenchHistory.PrepareAsync(o);
        try
        {
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
