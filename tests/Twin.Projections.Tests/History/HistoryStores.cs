using Marten;
using Twin.Projections.History;
using Twin.Projections.Storage;

namespace Twin.Projections.Tests.History;

/// <summary>One throwaway PostgreSQL for the history tests; each test gets its own schema (its own event log).</summary>
public sealed class HistoryServer : IAsyncLifetime
{
    private EmbeddedPostgres? _server;

    public EmbeddedPostgres Server => _server ?? throw new InvalidOperationException("The fixture has not started yet.");

    public async ValueTask InitializeAsync() =>
        _server = await EmbeddedPostgres.StartThrowawayAsync(ct: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>A store on a fresh schema with Twin's configuration, its schema objects created.</summary>
    public async Task<DocumentStore> NewStoreAsync(int windowSize = 16)
    {
        var schema = $"h_{Guid.NewGuid():N}"[..14];
        var store = DocumentStore.For(o => TwinStore.Configure(o, Server.ConnectionString, schema, new HistoryOptions { WindowSize = windowSize }));
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return store;
    }
}

[CollectionDefinition(Name)]
public sealed class HistoryCollection : ICollectionFixture<HistoryServer>
{
    public const string Name = "history";
}

internal static class DaemonRuns
{
    /// <summary>Runs the async daemon until every async projection has caught up with the log, then stops it.</summary>
    public static async Task CatchUpAsync(this IDocumentStore store)
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.CatchUpAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
    }
}
