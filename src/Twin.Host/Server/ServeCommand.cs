using System.Diagnostics;
using Npgsql;
using Twin.Host.Cli;
using Twin.Projections.Storage;

namespace Twin.Host.Server;

/// <summary><c>twin serve</c>: the embedded PostgreSQL (unless a server is configured), then the silo, API and dashboard
/// until Ctrl-C or SIGTERM, then a clean stop of both.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ServeSettings settings, CliConsole console, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var configured = settings.ConnectionString
                         ?? (Environment.GetEnvironmentVariable(EmbeddedPostgres.ConnectionStringVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        EmbeddedPostgres? postgres = null;
        string connectionString, storage;
        if (configured is not null)
        {
            connectionString = configured;
            storage = Describe(configured);
            console.Line($"twin: using PostgreSQL {storage}");
        }
        else
        {
            var folder = Path.GetFullPath(settings.DataDirectory);
            console.Line($"twin: starting the embedded PostgreSQL in {folder} ...");
            try
            {
                postgres = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = folder, Durable = true }, ct: ct);
            }
            catch (EmbeddedPostgresException e)
            {
                console.Fail($"twin: cannot start PostgreSQL: {e.Message}");
                console.Fail($"      Use another folder (--data DIR), or an existing server (--connection or {EmbeddedPostgres.ConnectionStringVariable}).");
                return ExitCodes.Failed;
            }
            connectionString = postgres.ConnectionString;
            storage = $"embedded PostgreSQL {postgres.MajorVersion} on 127.0.0.1:{postgres.Port}, data in {postgres.DataDirectory}";
        }

        try
        {
            var app = TwinServer.Build(settings, new TwinServerInfo(connectionString, storage, "", DateTimeOffset.UtcNow));
            await using (app)
            {
                try
                {
                    await TwinServer.StartAsync(app, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // a connection error's message never carries the password; the connection string itself is never printed
                    console.Fail($"twin: cannot start: {Sentence(e)}");
                    if (e is IOException) console.Fail("      Is another `twin serve` listening there? Choose another address with --urls http://127.0.0.1:PORT.");
                    return ExitCodes.Failed;
                }
                var url = TwinServer.Addresses(app).FirstOrDefault() ?? settings.Urls;
                console.Line($"twin: data        {storage}");
                console.Line($"twin: silo        {app.Services.GetRequiredService<TwinServerInfo>().Silo}");
                console.Line($"twin: dashboard   {url}/");
                console.Line($"twin: API         {url}/api  (OpenAPI {url}/openapi/v1.json, metrics {url}/metrics, health {url}/health/ready)");
                console.Line($"twin: ready in {clock.Elapsed.TotalSeconds:0.0} s; Ctrl-C stops it. Clients: twin status --server {url}");
                await app.WaitForShutdownAsync(CancellationToken.None);
                console.Line("twin: stopping (silo shutting down) ...");
            }
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
                console.Line("twin: PostgreSQL stopped");
            }
        }
        console.Line("twin: stopped");
        return ExitCodes.Ok;
    }

    /// <summary>The first line of an exception's message and of its innermost cause (a schema failure's message
    /// goes on with the whole DDL).</summary>
    private static string Sentence(Exception e)
    {
        static string First(string text) => text.Split('\n', 2)[0].Trim();
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == e ? First(e.Message) : $"{First(e.Message)} {First(inner.Message)}";
    }

    /// <summary>A connection string without its password, for messages.</summary>
    internal static string Describe(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{b.Username}@{b.Host}:{b.Port}/{b.Database}";
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }
}
