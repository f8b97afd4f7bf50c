using Npgsql;
using Twin.Host.Server;
using Twin.Projections.Storage;

namespace Twin.Host.Tests.Security;

/// <summary>
/// Production mode on the embedded PostgreSQL: an administrator migrates the schema and creates the application role
/// (<c>twin db migrate</c>); the server, connected as that role, runs the twin (commands, sagas, reminders, queries)
/// but cannot drop, alter or create anything, nor change or delete a past event; and it refuses to start as a role
/// that could.
/// </summary>
public sealed class ProductionModeTests
{
    private const string Role = "twin_app";
    private const string RolePassword = "app-secret-4f2a9c";

    [Fact]
    public async Task The_server_role_owns_nothing_and_cannot_drop_the_schema_or_rewrite_events()
    {
        await using var pg = await EmbeddedPostgres.StartThrowawayAsync(ct: Http.Ct);
        var app = new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Username = Role, Password = RolePassword }.ConnectionString;

        // before the migration, and as the superuser: refused, each with the reason
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => StartProduction(pg.ConnectionString));
        Assert.Contains("superuser", refusal.Message);
        Assert.Contains("twin db migrate", refusal.Message);

        var first = await DatabaseAdmin.MigrateAsync(pg.ConnectionString, "twin", Role, RolePassword, Http.Ct);
        Assert.True(first.RoleCreated);
        Assert.True(first.Tables >= 10, $"{first.Tables} tables");
        var again = await CliRunner.InProcess("db", "migrate", "--connection", pg.ConnectionString, "--app-role", Role);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain(RolePassword, again.ToString());

        await using (var server = await StartProduction(app))
        {
            var url = new Uri(TwinServer.Addresses(server).Single().TrimEnd('/') + "/");
            using var http = TwinServerFixture.Client(url);
            var dc = await Datacenter.Create(http, platform: "Kvm", vfs: 2);
            var vm = await dc.Vm(http, guest: "Ubuntu 22.04");
            (await http.Post($"api/vms/{vm}/stop")).Succeeded();
            (await http.Post($"api/vms/{vm}/start")).Succeeded();
            await http.Post("api/reconcile");
            Assert.Equal(1, (await http.Get("api/pools")).EnumerateArray().Single(p => p.GetProperty("id").GetString() == dc.Nic).GetProperty("allocated").GetInt32());
            await server.StopAsync(Http.Ct);
        }

        await using var connection = new NpgsqlConnection(app);
        await connection.OpenAsync(Http.Ct);
        foreach (var sql in new[]
                 {
                     "DROP SCHEMA twin CASCADE",
                     "DROP TABLE twin.mt_events",
                     "ALTER TABLE twin.mt_streams ADD COLUMN x int",
                     "CREATE TABLE twin.intruder (i int)",
                     "UPDATE twin.mt_events SET type = 'forged'",
                     "DELETE FROM twin.mt_events",
                     "TRUNCATE twin.mt_doc_vmsnapshot",
                     "CREATE TABLE public.intruder (i int)",
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var denied = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(Http.Ct));
            Assert.True(denied.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {denied.SqlState} {denied.MessageText}");
        }

        // a role that may create objects in the schema is refused too
        await using (var admin = new NpgsqlConnection(pg.ConnectionString))
        {
            await admin.OpenAsync(Http.Ct);
            await using var grant = new NpgsqlCommand($"GRANT CREATE ON SCHEMA twin TO {Role}", admin);
            await grant.ExecuteNonQueryAsync(Http.Ct);
        }
        Assert.Contains("may create objects", (await Assert.ThrowsAsync<InvalidOperationException>(() => StartProduction(app))).Message);
    }

    private static async Task<Microsoft.AspNetCore.Builder.WebApplication> StartProduction(string connectionString)
    {
        var server = TwinServer.Build(TwinServerFixture.Settings() with { Production = true },
            new TwinServerInfo(connectionString, ServeCommand.Describe(connectionString), "", DateTimeOffset.UtcNow));
        try
        {
            await TwinServer.StartAsync(server, Http.Ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}
