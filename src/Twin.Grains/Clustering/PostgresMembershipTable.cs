using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace Twin.Grains.Clustering;

/// <summary>
/// Orleans' membership table in Twin's own PostgreSQL (the tables of <see cref="MembershipSchema"/>), so the silos of
/// a cluster find each other through the database that already holds the events and the reminders. Every change of a
/// silo row also moves the cluster's version row, in one transaction that first checks the version's tag: two silos
/// voting at once cannot both win, which is what Orleans' membership protocol relies on.
/// </summary>
public sealed class PostgresMembershipTable : IMembershipTable, IAsyncDisposable
{
    private const int CommandTimeoutSeconds = 10;

    private readonly NpgsqlDataSource _db;
    private readonly string _clusterId;
    private readonly string _versions;
    private readonly string _silos;

    public PostgresMembershipTable(string connectionString, string schema, IOptions<ClusterOptions> cluster)
    {
        // a short timeout: Orleans retries membership calls itself, and a silo must not hang on an unreachable database
        _db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = CommandTimeoutSeconds }.ConnectionString);
        _clusterId = cluster.Value.ClusterId;
        _versions = $"{Quote(schema)}.{MembershipSchema.VersionTable}";
        _silos = $"{Quote(schema)}.{MembershipSchema.SiloTable}";
    }

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        if (!tryInitTableVersion) return;
        await using var command = _db.CreateCommand($"insert into {_versions} (cluster_id, version, etag) values ($1, 0, $2) on conflict (cluster_id) do nothing");
        command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = NewTag() });
        await command.ExecuteNonQueryAsync();
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        await using var connection = await _db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var table in new[] { _silos, _versions })
        {
            await using var command = new NpgsqlCommand($"delete from {table} where cluster_id = $1", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        await using var command = _db.CreateCommand($"delete from {_silos} where cluster_id = $1 and status = $2 and i_am_alive_time < $3 and start_time < $3");
        command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = (int)SiloStatus.Dead });
        command.Parameters.Add(new NpgsqlParameter { Value = beforeDate.UtcDateTime });
        await command.ExecuteNonQueryAsync();
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key) => Read(key);

    public Task<MembershipTableData> ReadAll() => Read(null);

    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        await using var connection = await _db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!await MoveVersion(connection, transaction, tableVersion)) return false;
        await using var insert = new NpgsqlCommand(
            $"""
             insert into {_silos} (cluster_id, silo, status, proxy_port, host_name, silo_name, role_name, update_zone, fault_zone,
                                   start_time, i_am_alive_time, suspect_times, etag)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1)
             on conflict (cluster_id, silo) do nothing
             """, connection, transaction);
        AddRowParameters(insert, entry);
        if (await insert.ExecuteNonQueryAsync() != 1) return false; // the silo is already in the table: roll back
        await transaction.CommitAsync();
        return true;
    }

    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        if (!long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var rowTag)) return false;
        await using var connection = await _db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!await MoveVersion(connection, transaction, tableVersion)) return false;
        await using var update = new NpgsqlCommand(
            $"""
             update {_silos} set status = $3, proxy_port = $4, host_name = $5, silo_name = $6, role_name = $7, update_zone = $8,
                                 fault_zone = $9, start_time = $10, i_am_alive_time = $11, suspect_times = $12, etag = etag + 1
             where cluster_id = $1 and silo = $2 and etag = $13
             """, connection, transaction);
        AddRowParameters(update, entry);
        update.Parameters.Add(new NpgsqlParameter { Value = rowTag });
        if (await update.ExecuteNonQueryAsync() != 1) return false; // gone, or changed since it was read: roll back
        await transaction.CommitAsync();
        return true;
    }

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        // not a membership change: neither the row's tag nor the table version moves
        await using var command = _db.CreateCommand($"update {_silos} set i_am_alive_time = $3 where cluster_id = $1 and silo = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.SiloAddress.ToParsableString() });
        command.Parameters.Add(new NpgsqlParameter { Value = Utc(entry.IAmAliveTime) });
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    /// <summary>The version row and the silo rows in one statement, so they are one consistent snapshot.</summary>
    private async Task<MembershipTableData> Read(SiloAddress? only)
    {
        await using var command = _db.CreateCommand(
            $"""
             select v.version, v.etag, s.silo, s.status, s.proxy_port, s.host_name, s.silo_name, s.role_name, s.update_zone, s.fault_zone,
                    s.start_time, s.i_am_alive_time, s.suspect_times, s.etag
             from {_versions} v left join {_silos} s on s.cluster_id = v.cluster_id {(only is null ? "" : "and s.silo = $2")}
             where v.cluster_id = $1
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
        if (only is not null) command.Parameters.Add(new NpgsqlParameter { Value = only.ToParsableString() });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Tuple<MembershipEntry, string>>();
        TableVersion? version = null;
        while (await reader.ReadAsync())
        {
            version ??= new TableVersion(reader.GetInt32(0), reader.GetString(1));
            if (reader.IsDBNull(2)) continue;
            var entry = new MembershipEntry
            {
                SiloAddress = SiloAddress.FromParsableString(reader.GetString(2)),
                Status = (SiloStatus)reader.GetInt32(3),
                ProxyPort = reader.GetInt32(4),
                HostName = reader.IsDBNull(5) ? "" : reader.GetString(5),
                SiloName = reader.IsDBNull(6) ? "" : reader.GetString(6),
                RoleName = reader.IsDBNull(7) ? null : reader.GetString(7),
                UpdateZone = reader.GetInt32(8),
                FaultZone = reader.GetInt32(9),
                StartTime = reader.GetDateTime(10),
                IAmAliveTime = reader.GetDateTime(11),
                SuspectTimes = ParseSuspects(reader.GetString(12)),
            };
            rows.Add(Tuple.Create(entry, reader.GetInt64(13).ToString(CultureInfo.InvariantCulture)));
        }
        // no version row yet: the first silo has not initialised the table; an empty table at version 0 makes it do so
        return new MembershipTableData(rows, version ?? new TableVersion(0, ""));
    }

    /// <summary>Moves the cluster's version to <paramref name="next"/> if its tag is still the one the caller read.</summary>
    private async Task<bool> MoveVersion(NpgsqlConnection connection, NpgsqlTransaction transaction, TableVersion next)
    {
        await using var command = new NpgsqlCommand($"update {_versions} set version = $2, etag = $3, changed_at = now() where cluster_id = $1 and etag = $4",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = next.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = NewTag() });
        command.Parameters.Add(new NpgsqlParameter { Value = next.VersionEtag ?? "" });
        return await command.ExecuteNonQueryAsync() == 1;
    }

    private void AddRowParameters(NpgsqlCommand command, MembershipEntry entry)
    {
        object Text(string? s) => s is null ? DBNull.Value : s;
        command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.SiloAddress.ToParsableString() });
        command.Parameters.Add(new NpgsqlParameter { Value = (int)entry.Status });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.ProxyPort });
        command.Parameters.Add(new NpgsqlParameter { Value = Text(entry.HostName) });
        command.Parameters.Add(new NpgsqlParameter { Value = Text(entry.SiloName) });
        command.Parameters.Add(new NpgsqlParameter { Value = Text(entry.RoleName) });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.UpdateZone });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.FaultZone });
        command.Parameters.Add(new NpgsqlParameter { Value = Utc(entry.StartTime) });
        command.Parameters.Add(new NpgsqlParameter { Value = Utc(entry.IAmAliveTime) });
        command.Parameters.Add(new NpgsqlParameter { Value = FormatSuspects(entry.SuspectTimes) });
    }

    /// <summary>Votes as "silo=time" pairs separated by spaces (a parsable silo address has neither).</summary>
    internal static string FormatSuspects(IEnumerable<Tuple<SiloAddress, DateTime>>? votes) =>
        votes is null ? "" : string.Join(' ', votes.Select(v => $"{v.Item1.ToParsableString()}={Utc(v.Item2).Ticks.ToString(CultureInfo.InvariantCulture)}"));

    internal static List<Tuple<SiloAddress, DateTime>> ParseSuspects(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v =>
        {
            var at = v.LastIndexOf('=');
            return Tuple.Create(SiloAddress.FromParsableString(v[..at]), new DateTime(long.Parse(v[(at + 1)..], CultureInfo.InvariantCulture), DateTimeKind.Utc));
        })];

    private static DateTime Utc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Utc => t,
        DateTimeKind.Local => t.ToUniversalTime(),
        _ => DateTime.SpecifyKind(t, DateTimeKind.Utc),
    };

    private static string NewTag() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
