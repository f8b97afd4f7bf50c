using System.Data.Common;
using Npgsql;

namespace Twin.Grains.Clustering;

/// <summary>
/// The tables of Orleans' ADO.NET clustering and reminders providers (membership version, one row per silo
/// incarnation, the reminders, and the <c>OrleansQuery</c> table through which the providers issue every statement), created by Twin itself from the
/// provider's own PostgreSQL scripts (<c>Clustering/Sql</c>, embedded verbatim). They live in Twin's schema: the
/// provider's connection string sets that schema as its search path.
/// </summary>
public static class OrleansSchema
{
    /// <summary>The ADO.NET invariant name Orleans looks the Npgsql provider up by.</summary>
    public const string Invariant = "Npgsql";

    // each script with the table whose presence says it ran (scripts are not idempotent: CREATE TABLE, INSERT)
    private static readonly (string Resource, string Table)[] Scripts =
    [
        ("PostgreSQL-Main.sql", "orleansquery"),
        ("PostgreSQL-Clustering.sql", "orleansmembershiptable"),
        ("PostgreSQL-Reminders.sql", "orleansreminderstable"),
    ];

    /// <summary>Registers Npgsql as the ADO.NET provider factory for <see cref="Invariant"/> (idempotent): Orleans
    /// creates its connections through <see cref="DbProviderFactories"/>.</summary>
    public static void RegisterProvider() => DbProviderFactories.RegisterFactory(Invariant, NpgsqlFactory.Instance);

    /// <summary>Most connections the Orleans providers (membership, reminders) open per silo when the connection string
    /// does not say: they issue a statement now and then, and share the server's max_connections with Marten.</summary>
    public const int PoolSize = 10;

    /// <summary><paramref name="connectionString"/> with <paramref name="schema"/> as its search path and its pool capped
    /// (<see cref="PoolSize"/>, see <see cref="Twin.Projections.TwinStore.CapPool"/>), for the providers.</summary>
    public static string ConnectionString(string connectionString, string schema) =>
        new NpgsqlConnectionStringBuilder(Twin.Projections.TwinStore.CapPool(connectionString, PoolSize)) { SearchPath = schema }.ConnectionString;

    /// <summary>Runs each script whose table is missing from <paramref name="schema"/>, in one transaction per script.
    /// The caller holds the schema lock, so that two silos starting together do not both run one.</summary>
    public static async Task<int> ApplyAsync(NpgsqlConnection connection, string schema, CancellationToken ct = default)
    {
        var applied = 0;
        foreach (var (resource, table) in Scripts)
        {
            await using (var exists = new NpgsqlCommand("select to_regclass(quote_ident($1) || '.' || $2) is not null", connection))
            {
                exists.Parameters.Add(new NpgsqlParameter { Value = schema });
                exists.Parameters.Add(new NpgsqlParameter { Value = table });
                if ((bool)(await exists.ExecuteScalarAsync(ct))!) continue;
            }
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var path = new NpgsqlCommand($"create schema if not exists {Quote(schema)}; set local search_path to {Quote(schema)}", connection, tx))
                await path.ExecuteNonQueryAsync(ct);
            await using (var script = new NpgsqlCommand(Read(resource), connection, tx))
                await script.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            applied++;
        }
        return applied;
    }

    /// <summary>Applies the missing scripts under the schema lock on a connection of its own (what a silo does at
    /// start when it manages its schema: the reminders need their table whether or not the silo is clustered).</summary>
    public static async Task EnsureAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var lockCommand = new NpgsqlCommand($"select pg_advisory_lock({SchemaLockId})", connection))
            await lockCommand.ExecuteNonQueryAsync(ct);
        try
        {
            await ApplyAsync(connection, schema, ct);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"select pg_advisory_unlock({SchemaLockId})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The advisory lock every Twin process takes to change the schema (any fixed number, the same in every
    /// Twin process).</summary>
    internal const long SchemaLockId = 0x7477_696E_0001;

    /// <summary>The text of an embedded script.</summary>
    internal static string Read(string resource)
    {
        using var stream = typeof(OrleansSchema).Assembly.GetManifestResourceStream($"Twin.Grains.Clustering.Sql.{resource}")
                           ?? throw new InvalidOperationException($"the embedded Orleans script {resource} is missing from Twin.Grains");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
