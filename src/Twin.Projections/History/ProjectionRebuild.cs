using System.Diagnostics;
using Marten;

namespace Twin.Projections.History;

/// <summary>How long one projection took to rebuild from the first event.</summary>
public sealed record ProjectionRebuildTime(string Projection, TimeSpan Elapsed, double EventsPerSecond);

/// <summary>A rebuild of every projection from scratch: the events in the log, each projection's time and rate.</summary>
public sealed record ProjectionRebuildReport(long Events, IReadOnlyList<ProjectionRebuildTime> Projections, TimeSpan Total)
{
    /// <summary>Events replayed per second of wall time, over all projections (events × projections / total time).</summary>
    public double EventsPerSecond => Total.TotalSeconds > 0 ? Events * Projections.Count / Total.TotalSeconds : 0;
}

/// <summary>Rebuilds Twin's projections with Marten's async daemon rebuild: each projection's documents are torn down
/// and every event since the first is replayed through it. Not while another daemon runs the same projections.</summary>
public static class ProjectionRebuild
{
    /// <summary>Every projection of the store (inline snapshots and the async datacenter projection).</summary>
    public static IReadOnlyList<string> Names(IDocumentStore store) =>
        [.. ((StoreOptions)store.Options).Projections.AllProjectionNames().Select(n => n.Trim('\''))]; // Marten quotes them for messages

    public static async Task<ProjectionRebuildReport> RebuildAsync(IDocumentStore store, IEnumerable<string>? projections = null,
        TimeSpan? shardTimeout = null, CancellationToken ct = default)
    {
        var names = (projections ?? Names(store)).ToList();
        var events = (await store.Advanced.FetchEventStoreStatistics(token: ct)).EventCount;
        using var daemon = await store.BuildProjectionDaemonAsync();
        var times = new List<ProjectionRebuildTime>();
        var total = Stopwatch.StartNew();
        foreach (var name in names)
        {
            var one = Stopwatch.StartNew();
            await daemon.RebuildProjectionAsync(name, shardTimeout ?? TimeSpan.FromMinutes(30), ct);
            times.Add(new ProjectionRebuildTime(name, one.Elapsed, one.Elapsed.TotalSeconds > 0 ? events / one.Elapsed.TotalSeconds : 0));
        }
        return new ProjectionRebuildReport(events, times, total.Elapsed);
    }
}
