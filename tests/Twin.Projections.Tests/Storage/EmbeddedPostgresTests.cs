using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Twin.Projections.Storage;
using static Twin.Projections.Tests.Storage.PgTestSupport;

namespace Twin.Projections.Tests.Storage;

/// <summary>Starting, using and stopping servers: real initdb, pg_ctl and postgres processes.</summary>
public sealed class EmbeddedPostgresTests(ThrowawayServerFixture shared) : IClassFixture<ThrowawayServerFixture>
{
    [Fact]
    public async Task Throwaway_server_runs_sql_and_leaves_nothing_behind_when_disposed()
    {
        var clock = Stopwatch.StartNew();
        var pg = await EmbeddedPostgres.StartThrowawayAsync(log: TestLog.Instance, ct: Ct);
        var started = clock.Elapsed;
        int postmaster;
        try
        {
            Assert.StartsWith(Path.Combine(EmbeddedPostgres.ThrowawayParent(), EmbeddedPostgres.ThrowawayPrefix), pg.DataDirectory, StringComparison.Ordinal);
            Assert.Contains($"Host=127.0.0.1;Port={pg.Port};Database=twin;Username=postgres", pg.ConnectionString, StringComparison.Ordinal);
            await ExecuteAsync(pg.ConnectionString, "CREATE TABLE vf (id int PRIMARY KEY); INSERT INTO vf SELECT generate_series(1, 10)");
            Assert.Equal(55L, await ScalarAsync(pg.ConnectionString, "SELECT sum(id) FROM vf"));
            Assert.Equal("twin", await ScalarAsync(pg.ConnectionString, "SELECT current_database()"));
            Assert.Equal("127.0.0.1", await ScalarAsync(pg.ConnectionString, "SHOW listen_addresses"));
            Assert.Equal("", await ScalarAsync(pg.ConnectionString, "SHOW unix_socket_directories"));
            postmaster = PostmasterPid(pg.ClusterDirectory);
            Assert.True(Procfs.IsAlive(postmaster));
        }
        finally
        {
            clock.Restart();
            await pg.DisposeAsync();
        }
        var stopped = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"start {started.TotalMilliseconds:0} ms, stop {stopped.TotalMilliseconds:0} ms");

        Assert.False(Procfs.IsAlive(postmaster));
        Assert.False(Directory.Exists(pg.DataDirectory));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(pg.ConnectionString, "SELECT 1"));
        Assert.True(started < TimeSpan.FromSeconds(20), $"start took {started}");
        Assert.True(stopped < TimeSpan.FromSeconds(10), $"stop took {stopped}");
        await pg.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task Throwaway_server_trades_durability_for_speed()
    {
        var pg = shared.Server;

        Assert.False(pg.Durable);
        Assert.Equal(("off", "off", "off"), await DurabilitySettingsAsync(pg.ConnectionString));
    }

    [Fact]
    public async Task Two_servers_started_together_get_different_ports()
    {
        var starting = new[] { EmbeddedPostgres.StartThrowawayAsync(log: TestLog.Instance, ct: Ct), EmbeddedPostgres.StartThrowawayAsync(log: TestLog.Instance, ct: Ct) };
        await Task.WhenAll(starting.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        var servers = starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).ToList();
        try
        {
            Assert.All(starting, t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.ToString()));
            Assert.NotEqual(servers[0].Port, servers[1].Port);
            Assert.NotEqual(servers[0].DataDirectory, servers[1].DataDirectory);
            foreach (var pg in servers)
                Assert.Equal(pg.Port, await ScalarAsync(pg.ConnectionString, "SELECT inet_server_port()"));
        }
        finally
        {
            foreach (var pg in servers) await pg.DisposeAsync();
        }
    }

    [Fact]
    public async Task CreateDatabaseAsync_gives_each_caller_its_own_database_and_is_idempotent()
    {
        var pg = shared.Server;

        var a = await pg.CreateDatabaseAsync("class_a", Ct);
        var b = await pg.CreateDatabaseAsync("Class \"B\"", Ct);
        await ExecuteAsync(a, "CREATE TABLE only_in_a (x int); INSERT INTO only_in_a VALUES (1)");

        Assert.Equal("class_a", await ScalarAsync(a, "SELECT current_database()"));
        Assert.Equal("Class \"B\"", await ScalarAsync(b, "SELECT current_database()"));
        Assert.Equal(0L, await ScalarAsync(b, "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'"));
        Assert.Equal(a, await pg.CreateDatabaseAsync("class_a", Ct));
        Assert.Equal(1L, await ScalarAsync(a, "SELECT count(*) FROM only_in_a"));
        await Assert.ThrowsAsync<ArgumentException>(() => pg.CreateDatabaseAsync(new string('x', 64), Ct));
    }

    [Fact]
    public async Task Server_never_runs_as_root()
    {
        var pg = shared.Server;

        var postmasterUid = Procfs.EffectiveUid(PostmasterPid(pg.ClusterDirectory));
        if (Procfs.IsRoot)
        {
            // PostgreSQL refuses root, so a root process must have switched users
            Assert.NotEqual(0u, postmasterUid);
            Assert.NotEqual("root", pg.OsUser);
        }
        else
        {
            Assert.Equal(Procfs.EffectiveUid(Environment.ProcessId), postmasterUid);
            Assert.Equal(Environment.UserName, pg.OsUser);
        }
        Assert.Equal("postgres", await ScalarAsync(pg.ConnectionString, "SELECT current_user"));
    }

    [Fact]
    public async Task A_fixed_port_that_is_taken_fails_with_the_server_log_and_cleans_up()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var folder = NewFolder("taken-port");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = folder,
            Durable = false,
            Port = port,
            DeleteOnDispose = true,
        }, TestLog.Instance, Ct));

        TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Address already in use", error.Message, StringComparison.Ordinal);
        Assert.Contains(EmbeddedPostgres.LogFileName, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task A_port_taken_between_picking_and_binding_is_retried_with_another()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var picks = 0;

        await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = NewFolder("port-race"),
            Durable = false,
            DeleteOnDispose = true,
            PickPort = () => Interlocked.Increment(ref picks) == 1 ? taken : EmbeddedPostgres.ReserveFreePort(),
        }, TestLog.Instance, Ct);

        Assert.Equal(2, picks);
        Assert.NotEqual(taken, pg.Port);
        Assert.Equal(pg.Port, await ScalarAsync(pg.ConnectionString, "SELECT inet_server_port()"));
    }

    [Fact]
    public async Task A_start_slower_than_StartTimeout_fails_clearly_and_leaves_nothing_running()
    {
        var folder = NewFolder("timeout");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = folder,
            Durable = false,
            DeleteOnDispose = true,
            StartTimeout = TimeSpan.FromMilliseconds(150), // initdb alone takes longer
        }, TestLog.Instance, Ct));

        Assert.Contains("did not start within 0.15 s (StartTimeout)", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
        Assert.Empty(Procfs.ProcessesWorkingIn(Path.Combine(folder, EmbeddedPostgres.ClusterFolderName)));
    }
}
