using JasperFx.Events;
using Marten;

namespace Twin.Grains.Tests;

/// <summary>Reads what the grains appended, straight from Marten.</summary>
internal static class EventLog
{
    /// <summary>Every event of one operation (its correlation id), across all streams, in the global order.</summary>
    public static async Task<IReadOnlyList<IEvent>> OfOperation(IDocumentStore store, string op)
    {
        await using var session = store.QuerySession();
        return await session.Events.QueryAllRawEvents().Where(e => e.CorrelationId == op).OrderBy(e => e.Sequence).ToListAsync();
    }

    /// <summary>One stream, in order.</summary>
    public static async Task<IReadOnlyList<IEvent>> Stream(IDocumentStore store, string key)
    {
        await using var session = store.QuerySession();
        return await session.Events.FetchStreamAsync(key);
    }

    /// <summary>The read model Marten keeps of an aggregate (readable while its grain is busy).</summary>
    public static async Task<T?> ReadModel<T>(IDocumentStore store, string id) where T : class
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<T>(id);
    }

    public static IEnumerable<T> Data<T>(this IEnumerable<IEvent> events) => events.Select(e => e.Data).OfType<T>();
}
