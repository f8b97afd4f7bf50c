using System.CommandLine;
using System.Runtime.InteropServices;
using Npgsql;
using Twin.Host.Server;
using Twin.Projections;
using Twin.Projections.Storage;

namespace Twin.Host.Cli;

/// <summary>
/// The verbs that run on the database itself, without a twin server: <c>twin db migrate</c> (production mode's
/// administrator step) and <c>twin postgres</c> (the embedded PostgreSQL on its own, for a cluster of several
/// <c>twin serve</c> processes on one machine, as <c>scripts/cluster.sh</c> starts them).
/// </summary>
internal static class AdminVerbs
{
    /// <summary>The environment variable with the password <c>twin db migrate</c> gives the application role.</summary>
    public const string AppPasswordVariable = "TWIN_APP_DB_PASSWORD";

    public static void AddTo(RootCommand root, CliConsole console)
    {
        root.Add(new Command("db", "The database Twin runs on") { Migrate(console) });
        root.Add(Postgres(console));
    }

    private static Command Migrate(CliConsole console)
    {
        var connection = new Option<string?>("--connection")
        {
            Description = $"An administrator's connection string (a role that may create objects) [env {EmbeddedPostgres.ConnectionStringVariable}]",
            HelpName = "CONNECTION_STRING",
        };
        var role = new Option<string?>("--app-role")
        {
            Description = $"The role `twin serve --production` connects as: created when missing (password from env {AppPasswordVariable}) and granted "
                          + "rows, never ownership (it cannot drop or alter anything, nor change past events)",
            HelpName = "ROLE",
        };
        var command = new Command("migrate",
            "Creates or updates Twin's schema (event store, documents, reminders, cluster membership) — idempotent — and grants the "
            + "application role what the server needs: the administrator's step of production mode.")
        { connection, role };
        command.SetAction(async (p, ct) =>
        {
            var admin = p.GetValue(connection) ?? Environment.GetEnvironmentVariable(EmbeddedPostgres.ConnectionStringVariable);
            if (string.IsNullOrWhiteSpace(admin))
            {
                console.Fail($"twin: give the administrator's connection string with --connection or {EmbeddedPostgres.ConnectionStringVariable}.");
                return ExitCodes.Usage;
            }
            try
            {
                var password = Environment.GetEnvironmentVariable(AppPasswordVariable) is { Length: > 0 } pw ? pw : null;
                var report = await DatabaseAdmin.MigrateAsync(admin, TwinStore.DefaultSchema, p.GetValue(role), password, ct);
                console.Line($"twin: schema '{report.Schema}' is up to date on {ServeCommand.Describe(admin)} ({report.Tables} tables)");
                if (report.Role is not null)
                    console.Line($"twin: role '{report.Role}' {(report.RoleCreated ? "created and " : "")}granted rows only (no ownership, events append-only)");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException)
            {
                console.Fail($"twin: migration failed on {ServeCommand.Describe(admin)}: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    private static Command Postgres(CliConsole console)
    {
        var data = new Option<string>("--data") { Description = "Folder of the cluster (created when missing, reused when there)", Required = true, HelpName = "DIR" };
        var port = new Option<int?>("--port") { Description = "Port on 127.0.0.1 [default: a free one]", HelpName = "PORT" };
        var fast = new Option<bool>("--fast") { Description = "fsync off: fast and not durable (tests)" };
        var command = new Command("postgres",
            "Runs the embedded PostgreSQL alone, in the foreground, until Ctrl-C or SIGTERM: the shared database of several `twin serve` silos "
            + "on one machine (scripts/cluster.sh). Prints its connection string (trust authentication on 127.0.0.1, no password).")
        { data, port, fast };
        command.SetAction(async (p, ct) =>
        {
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
            EmbeddedPostgres server;
            try
            {
                server = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
                {
                    DataDirectory = p.GetValue(data)!,
                    Port = p.GetValue(port),
                    Durable = !p.GetValue(fast),
                }, ct: ct);
            }
            catch (EmbeddedPostgresException e)
            {
                console.Fail($"twin: cannot start PostgreSQL: {e.Message}");
                return ExitCodes.Failed;
            }
            await using (server)
            {
                console.Line($"twin: PostgreSQL {server.MajorVersion} ready on 127.0.0.1:{server.Port}, data in {server.DataDirectory}");
                console.Line($"twin: connection {server.ConnectionString}");
                console.Out.Flush();
                await stop.Task.WaitAsync(ct);
                console.Line("twin: stopping PostgreSQL ...");
            }
            console.Line("twin: PostgreSQL stopped");
            return ExitCodes.Ok;
        });
        return command;
    }
}
