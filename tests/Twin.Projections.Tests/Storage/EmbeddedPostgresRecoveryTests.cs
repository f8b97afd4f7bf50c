using System.Diagnostics;
using System.Globalization;
using Twin.Projections.Storage;
using static Twin.Projections.Tests.Storage.PgTestSupport;

namespace Twin.Projections.Tests.Storage;

/// <summary>Restarts on the same folder, and what crashes and killed owners leave behind.</summary>
public sealed class EmbeddedPostgresRecoveryTests
{
    [Fact]
    public async Task Durable_server_keeps_committed_rows_across_a_restart_and_a_crash_of_its_postmaster()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = NewFolder("durable", onDisk: true) };
        try
        {
            string cluster;
            await using (var first = await EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct))
            {
                cluster = first.ClusterDirectory;
                Assert.True(first.Durable);
                Assert.Equal(("on", "on", "on"), await DurabilitySettingsAsync(first.ConnectionString));
                await ExecuteAsync(first.ConnectionString, "CREATE TABLE nic (name text); INSERT INTO nic VALUES ('eth0')");
            }

            await using (var second = await EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct))
            {
                Assert.Equal("eth0", await ScalarAsync(second.ConnectionString, "SELECT name FROM nic"));
                Assert.Equal(("on", "on", "on"), await DurabilitySettingsAsync(second.ConnectionString));
                await ExecuteAsync(second.ConnectionString, "INSERT INTO nic VALUES ('eth1')");
                // a crash: the postmaster dies at once, leaving postmaster.pid, shared memory and (briefly) its backends
                using var postmaster = Process.GetProcessById(PostmasterPid(cluster));
                postmaster.Kill();
                await postmaster.WaitForExitAsync(Ct);
            } // disposing after the crash must not throw
            Assert.True(File.Exists(Path.Combine(cluster, "postmaster.pid")), "the crash should have left postmaster.pid behind");

            await using var third = await EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct);
            Assert.Equal(2L, await ScalarAsync(third.ConnectionString, "SELECT count(*) FROM nic WHERE name IN ('eth0', 'eth1')"));
        }
        finally
        {
            DeleteFolder(options.DataDirectory);
        }
    }

    [Fact]
    public async Task Server_left_running_by_a_killed_owner_is_stopped_and_started_again()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = NewFolder("leftover"), Durable = false };
        try
        {
            string cluster;
            await using (var first = await EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct))
            {
                cluster = first.ClusterDirectory;
                await ExecuteAsync(first.ConnectionString, "CREATE TABLE host (name text); INSERT INTO host VALUES ('h1')");
            }
            // what an owner killed with SIGKILL leaves: its server still running, its folder lock released by the kernel
            await PgCtlAsync(cluster, "start", "-D", cluster, "-l", Path.Combine(options.DataDirectory, "stray.log"), "-w", "-s",
                "-o", $"-p {FreePort()} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''");
            var stray = PostmasterPid(cluster);
            Assert.True(Procfs.IsAlive(stray));

            await using var second = await EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct);

            Assert.False(Procfs.IsAlive(stray));
            Assert.NotEqual(stray, PostmasterPid(cluster));
            Assert.Equal("h1", await ScalarAsync(second.ConnectionString, "SELECT name FROM host"));
        }
        finally
        {
            DeleteFolder(options.DataDirectory);
        }
    }

    [Fact]
    public async Task Stale_pid_file_naming_a_live_unrelated_process_does_not_block_the_start()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = NewFolder("stale-pid"), Durable = false };
        try
        {
            string cluster;
            await using (var first = await EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct))
                cluster = first.ClusterDirectory;
            // after a reboot the old postmaster's PID can belong to anything; PostgreSQL alone would refuse to start
            await File.WriteAllLinesAsync(Path.Combine(cluster, "postmaster.pid"),
            [
                Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cluster, "1700000000", "5432", "", "127.0.0.1",
                "  5432001         0", "ready   ",
            ], Ct);

            await using var second = await EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct);

            Assert.NotEqual(Environment.ProcessId, PostmasterPid(cluster));
            Assert.Equal(1, await ScalarAsync(second.ConnectionString, "SELECT 1"));
        }
        finally
        {
            DeleteFolder(options.DataDirectory);
        }
    }

    [Fact]
    public async Task Folder_in_use_by_a_running_launcher_is_refused()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = NewFolder("in-use"), Durable = false, DeleteOnDispose = true };
        await using var first = await EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct);

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct));

        Assert.Contains($"in use by process {Environment.ProcessId}", error.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(first.DataDirectory), "the refused launcher must not delete the running server's folder");
        Assert.Equal(1, await ScalarAsync(first.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task Throwaway_folders_of_dead_owners_are_swept_and_live_ones_kept()
    {
        // an abandoned throwaway: server running, lock file present but held by nobody (its owner died)
        var abandoned = Path.Combine(EmbeddedPostgres.ThrowawayParent(), EmbeddedPostgres.ThrowawayPrefix + "abandoned-" + Guid.NewGuid().ToString("N"));
        var cluster = Path.Combine(abandoned, EmbeddedPostgres.ClusterFolderName);
        Directory.CreateDirectory(abandoned);
        var account = await OsAccount.ResolveAsync(null, cluster, TestLog.Instance, Ct);
        await account.PrepareFolderAsync(abandoned, Ct);
        var binaries = await BinariesAsync();
        var initdb = await account.RunAsync(binaries.InitDb, ["-D", cluster, "-U", "postgres", "--auth=trust", "--no-sync"], TimeSpan.FromSeconds(60), Ct);
        Assert.True(initdb.Succeeded, initdb.Output);
        await PgCtlAsync(cluster, "start", "-D", cluster, "-l", Path.Combine(abandoned, "server.log"), "-w", "-s",
            "-o", $"-p {FreePort()} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off");
        var orphan = PostmasterPid(cluster);
        // last: until the lock file exists, sweepers of tests running in parallel take the folder for one being created
        await File.WriteAllTextAsync(Path.Combine(abandoned, FolderLock.LockFileName), "", Ct);

        await using var live = await EmbeddedPostgres.StartThrowawayAsync(log: TestLog.Instance, ct: Ct);
        await EmbeddedPostgres.SweepAbandonedThrowawaysAsync(TestLog.Instance, Ct);

        Assert.False(Directory.Exists(abandoned));
        Assert.False(Procfs.IsAlive(orphan));
        Assert.True(Directory.Exists(live.DataDirectory));
        Assert.Equal(1, await ScalarAsync(live.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task Data_folder_behind_a_parent_the_server_user_cannot_enter_fails_clearly()
    {
        var parent = NewFolder("closed-parent");
        Directory.CreateDirectory(parent);
        try
        {
            var chmod = await OsProcess.RunAsync("chmod", ["700", parent], TimeSpan.FromSeconds(10), Ct);
            Assert.True(chmod.Succeeded, chmod.Output);
            var options = new EmbeddedPostgresOptions { DataDirectory = Path.Combine(parent, "data"), Durable = false, DeleteOnDispose = true };

            if (Procfs.IsRoot)
            {
                // the parent is root's and closed; the server's (non-root) user cannot reach the folder inside it
                var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct));
                TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
                Assert.Contains($"cannot enter '{parent}'", error.Message, StringComparison.Ordinal);
                Assert.Contains($"chmod o+x {parent}", error.Message, StringComparison.Ordinal);
            }
            else
            {
                // the server runs as this very user, for whom its own closed folder is open
                await using var pg = await EmbeddedPostgres.StartAsync(options, TestLog.Instance, Ct);
                Assert.Equal(1, await ScalarAsync(pg.ConnectionString, "SELECT 1"));
            }
        }
        finally
        {
            DeleteFolder(parent);
        }
    }
}
