using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Twin.Host.Api;
using Twin.Host.Server;
using Twin.Projections.Storage;

namespace Twin.Host.Tests;

/// <summary>
/// The real server in this process: a throwaway PostgreSQL, the Orleans silo, Marten, the use cases and Kestrel on a
/// free loopback port, built by the same <see cref="TwinServer"/> as <c>twin serve</c>. Nothing is mocked. Tests share
/// it and use unique ids.
/// </summary>
public class TwinServerFixture : IAsyncLifetime
{
    public EmbeddedPostgres Postgres { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Postgres = await EmbeddedPostgres.StartThrowawayAsync(ct: TestContext.Current.CancellationToken);
        App = TwinServer.Build(Settings() with { MaxRequestBytes = 64 * 1024 },
            new TwinServerInfo(Postgres.ConnectionString, $"throwaway PostgreSQL on 127.0.0.1:{Postgres.Port}", "localhost clustering", DateTimeOffset.UtcNow));
        await TwinServer.StartAsync(App, TestContext.Current.CancellationToken);
        BaseAddress = new Uri(TwinServer.Addresses(App).Single().TrimEnd('/') + "/");
        Http = Client(BaseAddress);
    }

    /// <summary>The write token of every server the tests start (in this process and as child processes, which
    /// inherit it through <c>TWIN_TOKEN</c>), so the CLI run in this process sends it too.</summary>
    public static string WriteToken => Environment.GetEnvironmentVariable(ApiTokens.WriteVariable)!;

    /// <summary>The read-only token of the same servers.</summary>
    public static string ReadToken => Environment.GetEnvironmentVariable(ApiTokens.ReadVariable)!;

    /// <summary>Before any test, once: fresh tokens in this process's environment. Never call it again: servers
    /// already started keep the tokens they were given, and a test or CLI child sending the new ones is refused.</summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void InitTokens()
    {
        Environment.SetEnvironmentVariable(ApiTokens.WriteVariable, ApiTokens.Generate());
        Environment.SetEnvironmentVariable(ApiTokens.ReadVariable, ApiTokens.Generate());
    }

    /// <summary>Settings of an in-process test server: any free loopback port, the tests' tokens.</summary>
    public static ServeSettings Settings() => new() { Urls = "http://127.0.0.1:0", WriteToken = WriteToken, ReadToken = ReadToken };

    /// <summary>A client of <paramref name="baseAddress"/> sending <paramref name="token"/> (the write token by default).</summary>
    public static HttpClient Client(Uri baseAddress, string? token = null)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token ?? WriteToken);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        if (Postgres is not null) await Postgres.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<TwinServerFixture>
{
    public const string Name = "twin-server";
}

/// <summary>Shorthands for tests that talk to the server.</summary>
internal static class Http
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh id, so tests sharing one server never see each other's entities.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    public static string Seg(string id) => Uri.EscapeDataString(id);

    public static async Task<JsonElement> Json(this HttpResponseMessage response, int expectedStatus = 200)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == expectedStatus, $"expected {expectedStatus}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> Post(this HttpClient http, string path, object? body = null, int expectedStatus = 200) =>
        await (await http.PostAsync(path, body is null ? null : Content(body), Ct)).Json(expectedStatus);

    public static async Task<JsonElement> Put(this HttpClient http, string path, object body, int expectedStatus = 200) =>
        await (await http.PutAsync(path, Content(body), Ct)).Json(expectedStatus);

    public static async Task<JsonElement> Get(this HttpClient http, string path, int expectedStatus = 200) =>
        await (await http.GetAsync(path, Ct)).Json(expectedStatus);

    public static HttpContent Content(object body) =>
        body is string text ? new StringContent(text, System.Text.Encoding.UTF8, "application/json") : JsonContent.Create(body, body.GetType(), options: TwinJson.Options);

    /// <summary>Polls until <paramref name="condition"/> holds: what other aggregates learn from a command (a VM told
    /// that its VF was revoked or handed over) is delivered one-way, after the command's answer.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {seconds} s: {what}");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Asserts an operation succeeded (or was refused) and returns its summary.</summary>
    public static string Succeeded(this JsonElement result, bool expected = true)
    {
        Assert.True(result.GetProperty("succeeded").GetBoolean() == expected, $"expected succeeded={expected}: {result}");
        return result.GetProperty("summary").GetString()!;
    }
}
