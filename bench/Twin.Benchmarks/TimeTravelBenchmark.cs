using System.Diagnostics;
using Twin.Projections.History;

namespace Twin.Benchmarks;

/// <summary><c>timetravel</c>: the whole datacenter at random moments of the history, from the history index
/// (checkpoints + at most a couple of windows of raw events), compared once with folding the raw log from the start.</summary>
internal static class TimeTravelBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = BenchOptions.Parse(args);
        Console.WriteLine($"time-travel benchmark: {o}; {BenchHistory.Machine()}");
        var (server, store, first, last) = await BenchHistory.PrepareAsync(o);
        try
        {
            var index = Stopwatch.StartNew();
            var rebuilt = await ProjectionRebuild.RebuildAsync(store, [DatacenterProjection.ProjectionName]);
            Console.WriteLine($"history index (datacenter projection) built from scratch in {index.Elapsed.TotalSeconds:F1} s " +
                              $"({rebuilt.Events / index.Elapsed.TotalSeconds:N0} events/s)");
            await using var session = store.QuerySession();
            var windows = await HistoryReader.WindowsAsync(session);
            Console.WriteLine($"{windows.Count} windows of {o.WindowSize:N0} events; history from {first:u} to {last:u}");

            var random = new Random(o.Seed);
            var span = (last - first).Ticks;
            var moments = Enumerable.Range(0, o.Moments).Select(_ => first.AddTicks((long)(random.NextDouble() * span))).Append(last).ToList();
            await TimeTravel.StateAtAsync(session, moments[0]); // warm-up (JIT, connection pool)
            var times = new List<double>();
            foreach (var at in moments)
            {
                var sw = Stopwatch.StartNew();
                var state = await TimeTravel.StateAtAsync(session, at);
                times.Add(sw.Elapsed.TotalMilliseconds);
                Console.WriteLine($"  state at {at:u}: {state.Streams.Count(),6} aggregates, {state.EventsApplied,8:N0} raw events folded, {sw.Elapsed.TotalMilliseconds,8:F0} ms");
            }
            times.Sort();
            Console.WriteLine($"state at T over {o.Events:N0}+ events: median {times[times.Count / 2]:F0} ms, p95 {times[(int)(times.Count * 0.95)]:F0} ms, " +
                              $"max {times[^1]:F0} ms ({times.Count} moments)");

            // the alternative without an index: fold the raw log from the first event, and check both agree
            var mid = moments[moments.Count / 2];
            var raw = Stopwatch.StartNew();
            var folded = new DatacenterState();
            long read = 0;
            await foreach (var e in HistoryReader.ReadAsync(session, 0, long.MaxValue))
            {
                read++;
                folded.Apply(e, mid);
            }
            Console.WriteLine($"without the index: {read:N0} raw events read and folded in {raw.Elapsed.TotalSeconds:F1} s");
            var indexed = await TimeTravel.StateAtAsync(session, mid);
            var same = folded.Streams.Count() == indexed.Streams.Count()
                       && folded.Streams.All(kv => Equals(kv.Value.Snapshot(), indexed.Stream(kv.Key)?.Snapshot()));
            Console.WriteLine($"index and raw fold agree at {mid:u}: {same}");
            return same ? 0 : 1;
        }
        finally
        {
            store.Dispose();
            if (server is not null) await server.DisposeAsync();
        }
    }
}
