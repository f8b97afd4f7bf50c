using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using Twin.Projections.Storage;

namespace Twin.Host.Tests.Faults;

/// <summary>
/// The topology of <c>scripts/cluster.sh</c>, started the same way: one PostgreSQL from the embedded launcher (on a
/// fixed port, so it can be stopped and started again under load) and N <c>twin serve</c> processes with
/// <c>TWIN_CLUSTERING=adonet</c> on it, each with its own API port, silo port and data folder; failure detection
/// tuned down through configuration so a killed silo is declared dead within seconds. The connection string (with a
/// password, which trust authentication ignores) and the tokens reach the silos through the environment only, and
/// everything a silo prints goes to a log file that the tests search for secrets.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private readonly EmbeddedPostgresOptions _postgresOptions;

    private LocalCluster(string folder, EmbeddedPostgresOptions postgres, string password)
    {
        Folder = folder;
        _postgresOptions = postgres;
        Password = password;
    }

    public string Folder { get; }

    /// <summary>The password in the silos' connection string (never to be printed).</summary>
    public string Password { get; }

    public EmbeddedPostgres? Postgres { get; private set; }

    public List<SiloProcess> Silos { get; } = [];

    /// <summary>What the silos connect with (user postgres, a password).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = _postgresOptions.Port!.Value, Database = "twin", Username = "postgres", Password = Password,
    }.ConnectionString;

    /// <summary>For the checker and for setup, without a pool that would outlive a PostgreSQL restart.</summary>
    public string AuditConnectionString => new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 5 }.ConnectionString;

    public static async Task<LocalCluster> StartAsync(int silos)
    {
        var folder = Directory.CreateTempSubdirectory("twin-cluster-test-").FullName;
        // as root, PostgreSQL runs as another OS user, which must be able to enter this folder to reach its own
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var options = new EmbeddedPostgresOptions { DataDirectory = Path.Combine(folder, "pg"), Durable = false, Port = FreePort() };
        var cluster = new LocalCluster(folder, options, "pw-" + Guid.NewGuid().ToString("N"));
        await cluster.StartPostgresAsync();
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= silos; i++) cluster.Silos.Add(SiloProcess.Start(cluster, i));
        await Task.WhenAll(cluster.Silos.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(120))));
        await cluster.WaitForActiveSilosAsync(silos, TimeSpan.FromSeconds(60));
        Log($"cluster of {silos} silos ready in {clock.ElapsedMilliseconds} ms");
        return cluster;
    }

    public async Task StartPostgresAsync() => Postgres = await EmbeddedPostgres.StartAsync(_postgresOptions, ct: Http.Ct);

    /// <summary>pg_ctl stop -m fast: running transactions are cut off, connections closed.</summary>
    public async Task StopPostgresAsync()
    {
        if (Postgres is null) return;
        await Postgres.DisposeAsync();
        Postgres = null;
    }

    /// <summary>Until every silo's API reports <paramref name="count"/> active silos.</summary>
    public async Task WaitForActiveSilosAsync(int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var silo in Silos.Where(s => s.Alive))
        {
            while (true)
            {
                try
                {
                    var status = await silo.Api.Get("api/status");
                    if (status.GetProperty("activeSilos").GetArrayLength() == count) break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                {
                    // not answering yet
                }
                Assert.True(deadline.Elapsed < timeout, $"silo {silo.Number} did not see {count} active silos within {timeout.TotalSeconds} s:\n{silo.LogTail()}");
                await Task.Delay(250, Http.Ct);
            }
        }
    }

    /// <summary>Everything every silo printed.</summary>
    public string AllLogs() => string.Join("\n", Silos.Select(s => s.Log()));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos) await silo.DisposeAsync();
        await StopPostgresAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // a log file still open: the temp folder keeps it
        }
    }

    internal static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {line}");

    internal static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

/// <summary>One <c>twin serve</c> silo process of a <see cref="LocalCluster"/>.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly StringBuilder _text = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(int number, Process process, Uri url, StreamWriter log)
    {
        Number = number;
        _process = process;
        Url = url;
        _log = log;
        Api = TwinServerFixture.Client(url);
        Api.Timeout = TimeSpan.FromSeconds(30);
    }

    public int Number { get; }

    public Uri Url { get; }

    public HttpClient Api { get; }

    public int Pid => _process.Id;

    public bool Alive => !_process.HasExited;

    public static SiloProcess Start(LocalCluster cluster, int number)
    {
        var port = LocalCluster.FreePort();
        var folder = Path.Combine(cluster.Folder, $"silo{number}");
        var info = CliRunner.StartInfo("serve", "--urls", $"http://127.0.0.1:{port}", "--data", folder,
            "--silo-port", LocalCluster.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", LocalCluster.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--verbose");
        info.Environment[EmbeddedPostgres.ConnectionStringVariable] = cluster.ConnectionString;
        info.Environment["TWIN_CLUSTERING"] = "adonet";
        info.Environment["TWIN_ADVERTISED_IP"] = "127.0.0.1";
        // a dead silo declared within ~3 s instead of ~30 s
        info.Environment["Twin__Membership__ProbeTimeout"] = "00:00:01";
        info.Environment["Twin__Membership__NumMissedProbesLimit"] = "2";
        info.Environment["Twin__Membership__NumVotesForDeathDeclaration"] = "1";
        info.Environment["Twin__Membership__TableRefreshTimeout"] = "00:00:01";
        info.Environment["Twin__Membership__IAmAliveTablePublishTimeout"] = "00:00:02";
        var log = new StreamWriter(Path.Combine(cluster.Folder, $"silo{number}.log")) { AutoFlush = true };
        var silo = new SiloProcess(number, Process.Start(info)!, new Uri($"http://127.0.0.1:{port}/"), log);
        silo._process.OutputDataReceived += (_, e) => silo.Append(e.Data, stdout: true);
        silo._process.ErrorDataReceived += (_, e) => silo.Append(e.Data, stdout: false);
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        return silo;
    }

    private void Append(string? line, bool stdout)
    {
        if (line is null) return;
        lock (_text)
        {
            _text.AppendLine(line);
            _log.WriteLine(line);
        }
        if (stdout && line.Contains("ready in", StringComparison.Ordinal)) _ready.TrySetResult();
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync(Http.Ct);
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout, Http.Ct));
        Assert.True(first == _ready.Task, $"silo {Number} did not get ready:\n{LogTail()}");
    }

    public string Log()
    {
        lock (_text) return _text.ToString();
    }

    public string LogTail(int lines = 40) => string.Join("\n", Log().Split('\n').TakeLast(lines));

    /// <summary>SIGKILL: no shutdown, no goodbye to the cluster.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
                await term.WaitForExitAsync();
            if (!_process.WaitForExit(20_000)) _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
        _process.Dispose();
        Api.Dispose();
        lock (_text) _log.Dispose();
    }
}
