using System.Diagnostics;

namespace Twin.Host.Tests;

/// <summary>When PostgreSQL stops answering, the API says so with 503 and readiness fails; liveness does not. Its own
/// server, because the test stops that server's PostgreSQL.</summary>
public sealed class StorageOutageTests : IClassFixture<StorageOutageTests.OwnServer>
{
    private readonly OwnServer _fx;

    public StorageOutageTests(OwnServer fx) => _fx = fx;

    /// <summary>A server of its own.</summary>
    public sealed class OwnServer : TwinServerFixture;

    [Fact]
    public async Task With_postgres_down_queries_and_commands_answer_503_and_readiness_fails()
    {
        await Datacenter.Create(_fx.Http);
        await _fx.Postgres.DisposeAsync();

        var clock = Stopwatch.StartNew();
        var query = await _fx.Http.GetAsync("api/pools", Http.Ct);
        var problem = await query.Json(503);
        TestContext.Current.TestOutputHelper?.WriteLine($"503 after {clock.ElapsedMilliseconds} ms: {problem}");
        Assert.Equal("storage-unavailable", problem.GetProperty("code").GetString());
        Assert.Contains("PostgreSQL", problem.GetProperty("detail").GetString());
        Assert.True(query.Headers.RetryAfter is not null);

        var command = await _fx.Http.PostAsync("api/vms/any/start", null, Http.Ct);
        Assert.Equal("storage-unavailable", (await command.Json(503)).GetProperty("code").GetString());

        var ready = await _fx.Http.GetAsync("health/ready", Http.Ct);
        var report = await ready.Json(503);
        Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal("Healthy", (await _fx.Http.Get("health")).GetProperty("status").GetString());
    }
}
