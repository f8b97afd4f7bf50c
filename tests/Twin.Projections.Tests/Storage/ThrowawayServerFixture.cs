using Twin.Projections.Storage;

namespace Twin.Projections.Tests.Storage;

/// <summary>One throwaway server shared by a test class, the way database-backed test classes are meant to use the launcher.</summary>
public sealed class ThrowawayServerFixture : IAsyncLifetime
{
    private EmbeddedPostgres? _server;

    public EmbeddedPostgres Server => _server ?? throw new InvalidOperationException("The fixture has not started yet.");

    public async ValueTask InitializeAsync() =>
        _server = await EmbeddedPostgres.StartThrowawayAsync(log: TestLog.Instance, ct: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
