using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Twin.Projections.Storage;

/// <summary>
/// A PostgreSQL server run from the machine's own binaries: the durable store of <c>twin serve</c> when no connection
/// string is configured, and the throwaway database of the tests. It listens on 127.0.0.1 only, on a free port, with
/// trust authentication for the <c>postgres</c> superuser; disposing it stops the server.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    /// <summary>The environment variable holding the connection string of an existing server, which makes this launcher unnecessary.</summary>
    public const string ConnectionStringVariable = "TWIN_CONNECTION_STRING";

    /// <summary>The environment variable naming the folder with initdb, pg_ctl and postgres; it overrides the search.</summary>
    public const string BinDirectoryVariable = "TWIN_PG_BIN";

    internal const string ThrowawayPrefix = "twin-pg-";
    internal const string ClusterFolderName = "pgdata";
    internal const string LogFileName = "server.log";
    private const string Superuser = "postgres";
    private const long LogRotationBytes = 16 * 1024 * 1024;
    private const int PortAttempts = 5;
    private const string RamFolder = "/dev/shm";
    private const long RamFolderMinimumFree = 1L << 30;

    // ports handed to launchers of this process that have not bound them yet or still use them
    private static readonly ConcurrentDictionary<int, byte> ReservedPorts = new();

    private readonly PostgresBinaries _binaries;
    private readonly OsAccount _account;
    private readonly FolderLock _lock;
    private readonly ILogger _log;
    private readonly bool _deleteOnDispose;
    private readonly ConcurrentDictionary<string, byte> _connectionStrings = new();
    private readonly EventHandler _stopOnExit;
    private readonly Lock _gate = new();
    private Task? _stopping;

    private EmbeddedPostgres(
        EmbeddedPostgresOptions options, string dataDirectory, int port, int majorVersion,
        PostgresBinaries binaries, OsAccount account, FolderLock folderLock, ILogger log)
    {
        DataDirectory = dataDirectory;
        Port = port;
        MajorVersion = majorVersion;
        Durable = options.Durable;
        _binaries = binaries;
        _account = account;
        _lock = folderLock;
        _log = log;
        _deleteOnDispose = options.DeleteOnDispose;
        ConnectionString = ConnectionStringFor(options.Database);
        // a process that ends without disposing (unhandled exception, test host teardown) still stops its server
        _stopOnExit = (_, _) => StopOnceAsync().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += _stopOnExit;
    }

    /// <summary>The Npgsql connection string of the database named in the options.</summary>
    public string ConnectionString { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The launcher's folder (cluster, server log, lock).</summary>
    public string DataDirectory { get; }

    /// <summary>The PostgreSQL data directory (PGDATA) inside <see cref="DataDirectory"/>.</summary>
    public string ClusterDirectory => Path.Combine(DataDirectory, ClusterFolderName);

    /// <summary>The server's log file.</summary>
    public string LogFile => Path.Combine(DataDirectory, LogFileName);

    /// <summary>The OS user the server runs as.</summary>
    public string OsUser => _account.Name;

    /// <summary>The PostgreSQL major version of the cluster (and of the binaries running it).</summary>
    public int MajorVersion { get; }

    /// <summary>Whether the server runs with fsync, synchronous_commit and full_page_writes on.</summary>
    public bool Durable { get; }

    /// <summary>
    /// Starts a server on <see cref="EmbeddedPostgresOptions.DataDirectory"/>, initialising the cluster when the folder has none.
    /// Finds (or installs) the binaries, stops a server a killed previous owner left running, clears a stale postmaster.pid,
    /// then waits until a connection succeeds and the database exists.
    /// </summary>
    /// <exception cref="EmbeddedPostgresException">Binaries missing and not installable, folder in use or unusable, or the server did not start (with the log's tail).</exception>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger? log = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException(
                $"The embedded PostgreSQL launcher runs on Linux only; set {ConnectionStringVariable} to the connection string of a PostgreSQL server.");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        ValidateDatabaseName(options.Database);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StartTimeout, TimeSpan.Zero);
        if (options.Port is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be between 1 and 65535.");
        log ??= NullLogger.Instance;

        var root = Path.GetFullPath(options.DataDirectory);
        var cluster = Path.Combine(root, ClusterFolderName);
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new EmbeddedPostgresException($"Cannot create the PostgreSQL data folder '{root}': {e.Message}", e);
        }
        var folderLock = FolderLock.TryAcquire(root)
            ?? throw new EmbeddedPostgresException(
                $"The PostgreSQL data folder '{root}' is in use by {FolderLock.DescribeOwner(root)}, which runs a server on it. "
                + "Stop that process, or use another folder.");
        int? port = null;
        OsAccount? account = null;
        PostgresBinaries? binaries = null;
        try
        {
            folderLock.RecordOwner(root);
            var existingMajor = ClusterMajorVersion(cluster);
            binaries = await PostgresBinaries.LocateOrInstallAsync(
                options.BinDirectory ?? (Environment.GetEnvironmentVariable(BinDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null),
                options.AllowInstall, existingMajor, log, ct).ConfigureAwait(false);

            // the start timeout runs from here: installing a package may legitimately take minutes
            var clock = Stopwatch.StartNew();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(options.StartTimeout);
            TimeSpan Remaining() => options.StartTimeout - clock.Elapsed;
            try
            {
                void Step(string step) => EmbeddedPostgresLog.StepDone(log, root, step, clock.ElapsedMilliseconds);
                account = await OsAccount.ResolveAsync(options.OsUser, cluster, log, deadline.Token).ConfigureAwait(false);
                await account.PrepareFolderAsync(root, deadline.Token).ConfigureAwait(false);
                Step("OS user");
                await StopStrayServerAsync(binaries, account, cluster, "fast", log, deadline.Token).ConfigureAwait(false);
                if (existingMajor is null)
                {
                    await InitialiseAsync(binaries, account, cluster, options.Durable, Remaining(), log, deadline.Token).ConfigureAwait(false);
                    Step("initdb");
                }
                var major = ClusterMajorVersion(cluster) ?? throw new EmbeddedPostgresException($"initdb left no PG_VERSION in '{cluster}'.");
                port = await StartServerAsync(binaries, account, root, options, Remaining, log, deadline.Token).ConfigureAwait(false);
                Step("pg_ctl start");
                await WaitUntilReadyAsync(port.Value, deadline.Token).ConfigureAwait(false);
                Step("first connection");
                await EnsureDatabaseAsync(port.Value, options.Database, deadline.Token).ConfigureAwait(false);
                Step("database");

                var server = new EmbeddedPostgres(options, root, port.Value, major, binaries, account, folderLock, log);
                EmbeddedPostgresLog.Ready(log, major, options.Durable ? "durable" : "fast, not durable", port.Value,
                    clock.ElapsedMilliseconds, root, account.Name);
                return server;
            }
            // the budget ran out: either the deadline cancelled a step, or a step's own timeout (what remained of the
            // budget) killed its process a moment before the deadline fired
            catch (Exception e) when (!ct.IsCancellationRequested
                                      && (e is OperationCanceledException || (e is EmbeddedPostgresException && clock.Elapsed >= options.StartTimeout)))
            {
                throw new EmbeddedPostgresException(
                    $"PostgreSQL in '{root}' did not start within {options.StartTimeout.TotalSeconds:0.###} s (StartTimeout).{LogTail(Path.Combine(root, LogFileName), 0)}", e);
            }
        }
        catch
        {
            if (port is not null && account is not null && binaries is not null)
                await StopServerAsync(binaries, account, cluster, log).ConfigureAwait(false);
            if (port is not null) ReservedPorts.TryRemove(port.Value, out _);
            folderLock.Dispose();
            if (options.DeleteOnDispose) TryDeleteFolder(root, log);
            throw;
        }
    }

    /// <summary>
    /// Starts a fast, non-durable server in a new folder, deleted on dispose: one per test run or fixture. The folder is in
    /// /dev/shm when that is a RAM file system with room to spare, else in the temp folder (/tmp). First removes throwaway
    /// folders whose owning process died without disposing (stopping their servers).
    /// </summary>
    public static async Task<EmbeddedPostgres> StartThrowawayAsync(string database = "twin", ILogger? log = null, CancellationToken ct = default)
    {
        log ??= NullLogger.Instance;
        await SweepAbandonedThrowawaysAsync(log, ct).ConfigureAwait(false);
        var folder = Path.Combine(ThrowawayParent(), ThrowawayPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return await StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = folder,
            Durable = false,
            Database = database,
            DeleteOnDispose = true,
        }, log, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Where throwaway clusters go. Creating the ~1000 files of a cluster (initdb, CREATE DATABASE) dominates their start,
    /// and on a RAM file system it is several times faster than on a disk (here: initdb 0.4 s instead of 1.1 s); nothing
    /// in them is meant to survive anyway. Docker's default /dev/shm of 64 MB is too small, hence the free-space floor.
    /// </summary>
    internal static string ThrowawayParent()
    {
        try
        {
            var shm = new DriveInfo(RamFolder);
            if (shm.IsReady && shm.DriveFormat == "tmpfs" && shm.AvailableFreeSpace >= RamFolderMinimumFree && Directory.Exists(RamFolder))
                return RamFolder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // no usable /dev/shm: the temp folder below
        }
        return Path.GetTempPath();
    }

    /// <summary>
    /// Creates database <paramref name="name"/> on this server when it does not exist yet and returns its connection string.
    /// On a throwaway server a new name gives a fresh, empty database (tests use one per test class).
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        ValidateDatabaseName(name);
        lock (_gate) ObjectDisposedException.ThrowIf(_stopping is not null, this);
        await EnsureDatabaseAsync(Port, name, ct).ConfigureAwait(false);
        return ConnectionStringFor(name);
    }

    /// <summary>Stops the server (pg_ctl stop -m fast) and, for throwaway clusters, deletes the folder.</summary>
    public ValueTask DisposeAsync() => new(StopOnceAsync());

    private Task StopOnceAsync()
    {
        lock (_gate) return _stopping ??= Task.Run(StopAsync);
    }

    private async Task StopAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _stopOnExit;
        var clock = Stopwatch.StartNew();
        foreach (var connectionString in _connectionStrings.Keys)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
        await StopServerAsync(_binaries, _account, ClusterDirectory, _log).ConfigureAwait(false);
        EmbeddedPostgresLog.Stopped(_log, Port, clock.ElapsedMilliseconds);
        ReservedPorts.TryRemove(Port, out _);
        _lock.Dispose();
        if (_deleteOnDispose) TryDeleteFolder(DataDirectory, _log);
    }

    private string ConnectionStringFor(string database)
    {
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = IPAddress.Loopback.ToString(),
            Port = Port,
            Database = database,
            Username = Superuser,
        }.ConnectionString;
        _connectionStrings.TryAdd(connectionString, 0);
        return connectionString;
    }

    private static string AdminConnectionString(int port) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = port,
        Database = "postgres",
        Username = Superuser,
        Pooling = false,
        Timeout = 5,
    }.ConnectionString;

    private static void ValidateDatabaseName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        // longer names are silently truncated by PostgreSQL (NAMEDATALEN 64), so two of them could meet in one database
        if (Encoding.UTF8.GetByteCount(name) > 63 || name.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"'{name}' is not a usable PostgreSQL database name (at most 63 bytes, no NUL).", nameof(name));
    }

    private static int? ClusterMajorVersion(string cluster)
    {
        var file = Path.Combine(cluster, "PG_VERSION");
        if (File.Exists(file))
        {
            var text = File.ReadAllText(file).Trim();
            // "15"; before PostgreSQL 10 "9.6", whose major is the pair: unsupported here, so reject it clearly
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
                ? major
                : throw new EmbeddedPostgresException($"'{file}' says '{text}': clusters older than PostgreSQL 10 are not supported.");
        }
        if (Directory.Exists(cluster) && Directory.EnumerateFileSystemEntries(cluster).Any())
            throw new EmbeddedPostgresException(
                $"'{cluster}' exists but is not a PostgreSQL cluster (no PG_VERSION). Move it away, or use another data folder.");
        return null;
    }

    private static async Task InitialiseAsync(
        PostgresBinaries binaries, OsAccount account, string cluster, bool durable, TimeSpan timeout, ILogger log, CancellationToken ct)
    {
        EmbeddedPostgresLog.Initialising(log, durable ? "durable" : "fast (not durable)", cluster, account.Name);
        // initdb into a side folder and rename it: a crash half-way leaves no half-initialised cluster to trip over
        var staging = cluster + ".initdb";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        if (Directory.Exists(cluster)) Directory.Delete(cluster);
        string[] arguments =
        [
            "-D", staging, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--no-locale",
            .. durable ? Array.Empty<string>() : ["--no-sync"],
        ];
        var result = await account.RunAsync(binaries.InitDb, arguments, timeout, ct).ConfigureAwait(false);
        if (!result.Succeeded)
            throw new EmbeddedPostgresException(
                $"initdb failed (exit {result.ExitCode}) for '{cluster}' as OS user '{account.Name}':\n{PostgresBinaries.Tail(result.Output, 30)}");
        Directory.Move(staging, cluster);
    }

    private static string ServerOptions(int port, EmbeddedPostgresOptions options)
    {
        var durability = options.Durable ? "on" : "off";
        // No unix socket: clients use TCP, and socket paths are limited to ~107 bytes (deep temp folders break them).
        // pg_ctl -w reads readiness from postmaster.pid, so it does not need the socket.
        return string.Join(' ',
            $"-p {port}",
            "-c listen_addresses=127.0.0.1",
            "-c unix_socket_directories=''",
            $"-c max_connections={options.MaxConnections.ToString(CultureInfo.InvariantCulture)}",
            // explicit even when durable, so a hand-edited postgresql.conf cannot weaken the server's guarantee
            $"-c fsync={durability}",
            $"-c synchronous_commit={durability}",
            $"-c full_page_writes={durability}",
            // a throwaway cluster may live in RAM: keep its WAL small (checkpoints are cheap without fsync)
            options.Durable ? "" : "-c max_wal_size=256MB -c min_wal_size=32MB").TrimEnd();
    }

    private static async Task<int> StartServerAsync(
        PostgresBinaries binaries, OsAccount account, string root, EmbeddedPostgresOptions options,
        Func<TimeSpan> remaining, ILogger log, CancellationToken ct)
    {
        var cluster = Path.Combine(root, ClusterFolderName);
        var logFile = Path.Combine(root, LogFileName);
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port ?? options.PickPort();
            RotateLog(logFile);
            var logStart = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;
            var waitSeconds = Math.Max(1, (int)Math.Ceiling(remaining().TotalSeconds));
            ProcessResult result;
            try
            {
                result = await account.RunAsync(
                    binaries.PgCtl,
                    ["start", "-D", cluster, "-l", logFile, "-w", "-t", waitSeconds.ToString(CultureInfo.InvariantCulture), "-s",
                        "-o", ServerOptions(port, options)],
                    TimeSpan.FromSeconds(waitSeconds + 15), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // cancelled while the server was coming up: it must not outlive the failed start
                await StopServerAsync(binaries, account, cluster, log, mode: "immediate").ConfigureAwait(false);
                ReservedPorts.TryRemove(port, out _);
                throw;
            }
            if (result.Succeeded) return port;

            ReservedPorts.TryRemove(port, out _);
            var tail = LogTail(logFile, logStart);
            if (options.Port is null && attempt < PortAttempts && tail.Contains("Address already in use", StringComparison.Ordinal))
            {
                EmbeddedPostgresLog.PortTaken(log, port);
                continue;
            }
            // pg_ctl gave up waiting, but the server may still come up: leave nothing running behind the exception
            await StopServerAsync(binaries, account, cluster, log, mode: "immediate").ConfigureAwait(false);
            throw new EmbeddedPostgresException(
                $"PostgreSQL did not start in '{cluster}' on 127.0.0.1:{port} (pg_ctl exit {result.ExitCode}: {result.Output.Trim()}).{tail}");
        }
    }

    internal static int ReserveFreePort()
    {
        while (true)
        {
            // the kernel picks a free ephemeral port; someone may take it before the server binds it (then StartServerAsync retries)
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (ReservedPorts.TryAdd(port, 0)) return port;
        }
    }

    private static async Task WaitUntilReadyAsync(int port, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString(port));
                await connection.OpenAsync(ct).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (NpgsqlException) when (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task EnsureDatabaseAsync(int port, string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(port));
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = database });
            if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null) return;
        }
        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        try
        {
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // created concurrently by another caller: that is what was asked for
        }
    }

    /// <summary>
    /// Makes sure no server runs on <paramref name="cluster"/> and no postmaster.pid blocks a new one. A live postmaster
    /// of this cluster (its owner was killed) is stopped rather than reused: its port and durability settings are unknown,
    /// and the owner that knew them is gone. A pid file whose PID is dead or belongs to an unrelated process is removed
    /// once no process of the cluster is left.
    /// </summary>
    internal static async Task StopStrayServerAsync(
        PostgresBinaries binaries, OsAccount account, string cluster, string mode, ILogger log, CancellationToken ct)
    {
        var pidFile = Path.Combine(cluster, "postmaster.pid");
        if (!File.Exists(pidFile)) return;
        var realCluster = Procfs.RealPath(cluster);
        var pid = ReadPostmasterPid(pidFile);
        if (pid is { } livePid && Procfs.IsAlive(livePid))
        {
            var workingDirectory = Procfs.WorkingDirectory(livePid);
            if (workingDirectory == realCluster)
            {
                EmbeddedPostgresLog.StoppingLeftover(log, livePid, cluster);
                await StopServerAsync(binaries, account, cluster, log, mode).ConfigureAwait(false);
                return;
            }
            // unreadable: another user's process; it might be this cluster's postmaster, so leave the interlock to PostgreSQL
            if (workingDirectory is null) return;
        }
        EmbeddedPostgresLog.RemovingStalePidFile(log, cluster, pid ?? 0);
        await KillOrphansAsync(realCluster, TimeSpan.FromSeconds(5), log, ct).ConfigureAwait(false);
        File.Delete(pidFile);
    }

    private static int? ReadPostmasterPid(string pidFile)
    {
        try
        {
            var first = File.ReadLines(pidFile).FirstOrDefault();
            return int.TryParse(first, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign,
                CultureInfo.InvariantCulture, out var pid) ? Math.Abs(pid) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Backends of a dead postmaster normally exit at once; any left keep the old shared memory busy, so they are killed.</summary>
    private static async Task KillOrphansAsync(string realCluster, TimeSpan grace, ILogger log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var orphans = Procfs.ProcessesWorkingIn(realCluster);
        while (orphans.Count > 0 && clock.Elapsed < grace)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
            orphans = Procfs.ProcessesWorkingIn(realCluster);
        }
        if (orphans.Count == 0) return;
        EmbeddedPostgresLog.KillingOrphans(log, orphans.Count, realCluster);
        foreach (var pid in orphans) Kill(pid);
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
    }

    /// <summary>Stops the server with pg_ctl; escalates to immediate shutdown and then to killing its processes. Never throws.</summary>
    private static async Task StopServerAsync(PostgresBinaries binaries, OsAccount account, string cluster, ILogger log, string mode = "fast")
    {
        var pidFile = Path.Combine(cluster, "postmaster.pid");
        if (!File.Exists(pidFile)) return;
        var postmaster = ReadPostmasterPid(pidFile);
        try
        {
            var result = await account.RunAsync(
                binaries.PgCtl, ["stop", "-D", cluster, "-m", mode, "-w", "-t", "60", "-s"], TimeSpan.FromSeconds(75), CancellationToken.None)
                .ConfigureAwait(false);
            if (result.Succeeded)
            {
                await WaitForExitAsync(postmaster).ConfigureAwait(false);
                return;
            }
            EmbeddedPostgresLog.StopFailed(log, cluster, $"pg_ctl stop -m {mode}: {result.Output.Trim()}");
            if (mode != "immediate")
            {
                result = await account.RunAsync(
                    binaries.PgCtl, ["stop", "-D", cluster, "-m", "immediate", "-w", "-t", "30", "-s"], TimeSpan.FromSeconds(45), CancellationToken.None)
                    .ConfigureAwait(false);
                if (result.Succeeded) return;
            }
            await KillOrphansAsync(Procfs.RealPath(cluster), TimeSpan.Zero, log, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EmbeddedPostgresException or IOException or UnauthorizedAccessException)
        {
            EmbeddedPostgresLog.StopFailed(log, cluster, e.Message);
        }
    }

    /// <summary>pg_ctl stop -w returns once postmaster.pid is gone, which the postmaster removes on its way out, a moment
    /// before it has exited: wait for that moment (a few seconds at most), so a stopped server has left nothing running.</summary>
    private static async Task WaitForExitAsync(int? postmaster)
    {
        if (postmaster is not { } pid) return;
        var clock = Stopwatch.StartNew();
        while (Procfs.IsAlive(pid) && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes throwaway folders whose owner died without disposing: a folder whose lock can be taken has no live owner
    /// (the kernel dropped the lock with the process). Its server, if still running, is stopped first.
    /// </summary>
    internal static async Task SweepAbandonedThrowawaysAsync(ILogger log, CancellationToken ct)
    {
        var parents = new[] { RamFolder, Path.GetTempPath() }.Where(Directory.Exists).Distinct(StringComparer.Ordinal);
        foreach (var folder in parents.SelectMany(p => Directory.EnumerateDirectories(p, ThrowawayPrefix + "*")))
        {
            try
            {
                // a folder without a lock file is either being created right now or broken; give the creator a minute
                if (!File.Exists(Path.Combine(folder, FolderLock.LockFileName))
                    && DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) < TimeSpan.FromMinutes(1))
                    continue;
                using var folderLock = FolderLock.TryAcquire(folder);
                if (folderLock is null) continue;
                EmbeddedPostgresLog.Sweeping(log, folder);
                var cluster = Path.Combine(folder, ClusterFolderName);
                if (File.Exists(Path.Combine(cluster, "postmaster.pid")))
                {
                    var binaries = await PostgresBinaries.LocateAsync(
                        Environment.GetEnvironmentVariable(BinDirectoryVariable), Environment.GetEnvironmentVariable("PATH"),
                        PostgresBinaries.DistributionPatterns, ClusterMajorVersion(cluster), ct).ConfigureAwait(false);
                    if (binaries is not null)
                    {
                        var owner = await OsAccount.OwnerOfAsync(cluster, ct).ConfigureAwait(false);
                        await StopStrayServerAsync(binaries, owner, cluster, "immediate", log, ct).ConfigureAwait(false);
                    }
                    await KillOrphansAsync(Procfs.RealPath(cluster), TimeSpan.Zero, log, ct).ConfigureAwait(false);
                }
                Directory.Delete(folder, recursive: true);
            }
            catch (UnauthorizedAccessException)
            {
                // another user's throwaway: not ours to judge
            }
            catch (Exception e) when (e is IOException or EmbeddedPostgresException)
            {
                EmbeddedPostgresLog.SweepFailed(log, folder, e.Message);
            }
        }
    }

    private static void RotateLog(string logFile)
    {
        if (File.Exists(logFile) && new FileInfo(logFile).Length > LogRotationBytes)
            File.Move(logFile, logFile + ".1", overwrite: true);
    }

    private static string LogTail(string logFile, long from)
    {
        try
        {
            if (!File.Exists(logFile)) return "";
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(from, stream.Length - 16 * 1024), SeekOrigin.Begin);
            var text = new StreamReader(stream).ReadToEnd();
            return text.Length == 0 ? "" : $"\nServer log ({logFile}), last lines:\n{PostgresBinaries.Tail(text.TrimEnd(), 30)}";
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static void TryDeleteFolder(string folder, ILogger log)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            EmbeddedPostgresLog.SweepFailed(log, folder, e.Message);
        }
    }
}
