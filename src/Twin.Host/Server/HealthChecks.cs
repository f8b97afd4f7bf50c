using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Twin.Host.Server;

/// <summary>Ready when this process's silo is an active member of its cluster.</summary>
internal sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo {silo.SiloAddress} is active")
            : HealthCheckResult.Unhealthy($"silo {silo.SiloAddress} is {status}, not active yet"));
    }
}

/// <summary>Ready when PostgreSQL answers a query within a few seconds.</summary>
internal sealed class PostgresHealthCheck(TwinServerInfo server) : IHealthCheck
{
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Timeout = 3, CommandTimeout = 3 }.ConnectionString;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy($"PostgreSQL ({server.Storage}) answers");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL ({server.Storage}) does not answer: {e.Message}");
        }
    }
}
