using Marten;
using Npgsql;
using Twin.Grains.Hosting;

namespace Twin.Host.Server;

/// <summary>
/// Production mode's two halves. The administrator's step (<c>twin db migrate</c>, as a role that may create objects)
/// creates or updates Twin's schema — the event store, documents, reminders and membership tables — and grants an
/// application role exactly what the server needs: it may read and write rows, append events but never change or
/// delete them, and it owns nothing, so it cannot drop or alter a table, the schema or the log. The server's side
/// (<see cref="ProductionProblemsAsync"/>) refuses to start as a role that could.
/// </summary>
public static class DatabaseAdmin
{
    /// <summary>What a migration did.</summary>
    public sealed record MigrationReport(string Schema, int Tables, string? Role, bool RoleCreated);

    /// <summary>Creates or updates the schema (idempotent) and, with <paramref name="appRole"/>, grants that role the
    /// server's rights (creating it as a LOGIN role with <paramref name="appPassword"/> when it does not exist).</summary>
    public static async Task<MigrationReport> MigrateAsync(string adminConnectionString, string schema, string? appRole, string? appPassword, CancellationToken ct)
    {
        using (var store = DocumentStore.For(o => TwinGrainsHosting.ConfigureStore(o, adminConnectionString, schema)))
            await TwinGrainsHosting.ApplySchemaAsync(store, adminConnectionString, ct);

        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct);
        var tables = Convert.ToInt32(await Scalar(connection, "select count(*) from pg_tables where schemaname = $1", ct, schema), System.Globalization.CultureInfo.InvariantCulture);
        if (appRole is null) return new MigrationReport(schema, tables, null, false);

        var created = false;
        var role = Quote(appRole);
        if (await Scalar(connection, "select 1 from pg_roles where rolname = $1", ct, appRole) is null)
        {
            // CREATE ROLE takes no parameters: the password is passed as a quoted literal, never logged
            var password = appPassword is null ? "" : $" PASSWORD {Literal(appPassword)}";
            await Execute(connection, $"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT{password}", ct);
            created = true;
        }
        else if (appPassword is not null)
        {
            await Execute(connection, $"ALTER ROLE {role} PASSWORD {Literal(appPassword)}", ct);
        }
        var s = Quote(schema);
        var database = Quote(connection.Database);
        foreach (var grant in new[]
                 {
                     $"GRANT CONNECT ON DATABASE {database} TO {role}",
                     $"REVOKE CREATE ON SCHEMA {s} FROM {role}",
                     $"GRANT USAGE ON SCHEMA {s} TO {role}",
                     $"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {role}",
                     // the event log is append-only for the server: history cannot be rewritten with its credentials
                     $"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.mt_events FROM {role}",
                     $"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {role}",
                     $"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {role}",
                 })
            await Execute(connection, grant, ct);
        return new MigrationReport(schema, tables, appRole, created);
    }

    /// <summary>Why the role of <paramref name="connectionString"/> may not run a production server on
    /// <paramref name="schema"/> (empty: it may): the schema is missing, or the role could drop or alter it.</summary>
    public static async Task<IReadOnlyList<string>> ProductionProblemsAsync(string connectionString, string schema, CancellationToken ct)
    {
        var problems = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var user = (string)(await Scalar(connection, "select current_user::text", ct))!;
        if (await Scalar(connection, "select rolsuper from pg_roles where rolname = current_user", ct) is true)
            problems.Add($"the role '{user}' is a superuser; connect as a role that owns nothing (created by `twin db migrate --app-role`).");
        if (await Scalar(connection, "select 1 from pg_tables where schemaname = $1 and tablename = 'mt_events'", ct, schema) is null)
        {
            problems.Add($"the schema '{schema}' has no event store yet: an administrator must run `twin db migrate --connection <admin connection> --app-role {user}` first.");
            return problems;
        }
        if (await Scalar(connection, "select 1 from pg_namespace where nspname = $1 and pg_has_role(current_user, nspowner, 'USAGE')", ct, schema) is not null)
            problems.Add($"the role '{user}' owns (or is a member of the owner of) the schema '{schema}' and could drop it.");
        if (await Scalar(connection, "select count(*) from pg_tables where schemaname = $1 and pg_has_role(current_user, tableowner, 'USAGE')", ct, schema) is long owned and > 0)
            problems.Add($"the role '{user}' owns {owned} table(s) in '{schema}' and could drop them.");
        if (await Scalar(connection, "select has_schema_privilege(current_user, $1, 'CREATE')", ct, schema) is true)
            problems.Add($"the role '{user}' may create objects in '{schema}'; production mode expects schema changes to be the administrator's.");
        return problems;
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
