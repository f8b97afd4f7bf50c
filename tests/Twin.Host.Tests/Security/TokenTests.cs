using System.Net;
using Npgsql;
using Twin.Host.Cli;
using Twin.Host.Server;

namespace Twin.Host.Tests.Security;

/// <summary>Commands need the write token; the read-only token queries and is refused (403) on commands; a missing or
/// wrong token is 401 with nothing written; queries are open on loopback unless reads are protected; the CLI sends
/// the token from TWIN_TOKEN or, for a local server, from its data folder.</summary>
[Collection(ServerCollection.Name)]
public sealed class TokenTests(TwinServerFixture fx)
{
    private async Task<long> Events()
    {
        await using var connection = new NpgsqlConnection(fx.Postgres.ConnectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand("select count(*) from twin.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync(Http.Ct))!;
    }

    [Fact]
    public async Task Commands_need_the_write_token_and_the_read_only_token_only_queries()
    {
        var body = new { host = Http.NewId("h"), platform = "Kvm", os = "libvirt 9.0", cores = 8, memoryMiB = 8192, cluster = "a" };
        using var anonymous = new HttpClient { BaseAddress = fx.BaseAddress };
        using var wrong = TwinServerFixture.Client(fx.BaseAddress, "not-the-token-0123456789");
        using var reader = TwinServerFixture.Client(fx.BaseAddress, TwinServerFixture.ReadToken);
        var before = await Events();

        var none = await anonymous.PostAsync("api/hosts", Http.Content(body), Http.Ct);
        Assert.Equal("unauthorized", (await none.Json(401)).GetProperty("code").GetString());
        Assert.Contains("Bearer", none.Headers.WwwAuthenticate.ToString());
        Assert.Equal("unauthorized", (await (await wrong.PostAsync("api/hosts", Http.Content(body), Http.Ct)).Json(401)).GetProperty("code").GetString());
        var refused = await (await reader.PostAsync("api/hosts", Http.Content(body), Http.Ct)).Json(403);
        Assert.Equal("read-only-token", refused.GetProperty("code").GetString());
        foreach (var path in new[] { "api/reconcile", "api/resume", "api/simulations/sweep" })
            await (await reader.PostAsync(path, Http.Content(new { }), Http.Ct)).Json(403);
        await (await reader.PutAsync($"api/nics/x/policy", Http.Content(new { policy = "FirstCome" }), Http.Ct)).Json(403);
        Assert.Equal(before, await Events());

        // queries: open on loopback, and the read-only token works too
        await (await anonymous.GetAsync("api/status", Http.Ct)).Json();
        await (await reader.GetAsync("api/pools", Http.Ct)).Json();
        (await fx.Http.Post("api/hosts", body)).Succeeded();
        Assert.True(await Events() > before);
    }

    [Fact]
    public async Task The_cli_sends_the_token_and_says_when_it_is_refused()
    {
        using var http = new HttpClient();
        var asReader = new TwinClient(fx.BaseAddress, http, token: TwinServerFixture.ReadToken);
        var e = await Assert.ThrowsAsync<CliException>(() => asReader.SendAsync(HttpMethod.Post, "api/reconcile", null, Http.Ct));
        Assert.Equal(ExitCodes.Denied, e.ExitCode);
        Assert.Contains("read-only token", e.Message);
        var anonymous = new TwinClient(fx.BaseAddress, http);
        Assert.Equal(ExitCodes.Denied, (await Assert.ThrowsAsync<CliException>(() => anonymous.SendAsync(HttpMethod.Post, "api/reconcile", null, Http.Ct))).ExitCode);
        var writer = new TwinClient(fx.BaseAddress, http, token: TwinServerFixture.WriteToken);
        await writer.SendAsync(HttpMethod.Post, "api/reconcile", null, Http.Ct);
    }

    [Fact]
    public void The_cli_takes_the_token_from_the_environment_or_from_a_local_servers_data_folder_only()
    {
        var data = Directory.CreateTempSubdirectory("twin-token-test-").FullName;
        try
        {
            var (stored, source) = ApiTokens.Resolve("TWIN_TEST_UNSET_TOKEN", data, ApiTokens.WriteFile, _ => null);
            Assert.Contains("generated now", source);
            Assert.True(stored.Length >= 32);
            var file = ApiTokens.PathOf(data, ApiTokens.WriteFile);
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            var read = ApiTokens.Resolve("TWIN_TEST_UNSET_READ", data, ApiTokens.ReadFile, _ => null);
            // the first start shows the generated values once
            var first = string.Join("\n", ApiTokens.StartMessages((stored, source), read));
            Assert.Contains(stored, first);
            Assert.Contains(read.Token, first);
            var again = ApiTokens.Resolve("TWIN_TEST_UNSET_TOKEN", data, ApiTokens.WriteFile, _ => null);
            Assert.Equal(stored, again.Token); // kept across restarts
            // a restart (or a token from the environment) names where the token is, never its value
            var later = string.Join("\n", ApiTokens.StartMessages(again, ApiTokens.Resolve("TWIN_TEST_UNSET_READ", data, ApiTokens.ReadFile, _ => null)));
            Assert.DoesNotContain(stored, later);
            Assert.DoesNotContain(read.Token, later);
            Assert.Contains(file, later);
            Assert.Throws<ArgumentException>(() => ApiTokens.Resolve("X", data, ApiTokens.WriteFile, _ => "short"));

            string? Env(string name) => name == GlobalOptions.DataVariable ? data : null;
            Assert.Equal(stored, GlobalOptions.Token(new Uri("http://127.0.0.1:5077/"), Env));
            Assert.Equal(stored, GlobalOptions.Token(new Uri("http://localhost:5077/"), Env));
            Assert.Null(GlobalOptions.Token(new Uri("http://twin.example.net:5077/"), Env)); // a stored token never leaves the machine
            Assert.Equal("from-env-0123456789", GlobalOptions.Token(new Uri("http://twin.example.net/"), n => n == ApiTokens.WriteVariable ? "from-env-0123456789" : null));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task With_reads_protected_queries_and_metrics_need_a_token_and_health_does_not()
    {
        await using var app = TwinServer.Build(TwinServerFixture.Settings() with { ProtectReads = true },
            new TwinServerInfo(fx.Postgres.ConnectionString, "shared test PostgreSQL", "", DateTimeOffset.UtcNow));
        await TwinServer.StartAsync(app, Http.Ct);
        var url = new Uri(TwinServer.Addresses(app).Single().TrimEnd('/') + "/");
        using var anonymous = new HttpClient { BaseAddress = url };
        using var reader = TwinServerFixture.Client(url, TwinServerFixture.ReadToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/pools", Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("metrics", Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health", Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("openapi/v1.json", Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("api/pools", Http.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("metrics", Http.Ct)).StatusCode);
        await app.StopAsync(Http.Ct);
    }

    [Fact]
    public void Reads_are_protected_by_default_beyond_loopback()
    {
        Assert.True(ServeOptions.LoopbackOnly("http://127.0.0.1:5077"));
        Assert.True(ServeOptions.LoopbackOnly("http://localhost:5077;http://[::1]:5078"));
        Assert.False(ServeOptions.LoopbackOnly("http://0.0.0.0:8080"));
        Assert.False(ServeOptions.LoopbackOnly("http://*:8080"));
        Assert.False(ServeOptions.LoopbackOnly("http://127.0.0.1:5077;http://10.0.0.5:5077"));
    }
}
