using Npgsql;
using Twin.Projections.Storage;

namespace Twin.Projections.Tests.Storage;

/// <summary>Helpers that poke at clusters from outside the launcher, the way a crash or an operator would.</summary>
internal static class PgTestSupport
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A new folder path that the throwaway sweeper does not touch (it only takes twin-pg-*): where throwaway clusters go
    /// (RAM when available, for speed), or on disk for the durability tests.
    /// </summary>
    public static string NewFolder(string purpose, bool onDisk = false) =>
        Path.Combine(onDisk ? Path.GetTempPath() : EmbeddedPostgres.ThrowawayParent(), $"twin-test-{purpose}-{Guid.NewGuid():N}");

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static int PostmasterPid(string cluster) =>
        int.Parse(File.ReadLines(Path.Combine(cluster, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<PostgresBinaries> BinariesAsync() =>
        await PostgresBinaries.LocateAsync(null, Environment.GetEnvironmentVariable("PATH"), PostgresBinaries.DistributionPatterns, null, Ct)
        ?? throw new InvalidOperationException($"No PostgreSQL binaries on this machine. {PostgresBinaries.HowToGetThem}");

    /// <summary>Runs pg_ctl on a cluster as the OS user that owns it (root cannot run it).</summary>
    public static async Task PgCtlAsync(string cluster, params string[] arguments)
    {
        var binaries = await BinariesAsync();
        var owner = await OsAccount.OwnerOfAsync(cluster, Ct);
        var result = await owner.RunAsync(binaries.PgCtl, arguments, TimeSpan.FromSeconds(60), Ct);
        Assert.True(result.Succeeded, $"pg_ctl {string.Join(' ', arguments)} failed: {result.Output}");
    }

    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(Ct);
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    public static async Task<(string Fsync, string SynchronousCommit, string FullPageWrites)> DurabilitySettingsAsync(string connectionString) =>
        ((string)(await ScalarAsync(connectionString, "SHOW fsync"))!,
         (string)(await ScalarAsync(connectionString, "SHOW synchronous_commit"))!,
         (string)(await ScalarAsync(connectionString, "SHOW full_page_writes"))!);

    public static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
