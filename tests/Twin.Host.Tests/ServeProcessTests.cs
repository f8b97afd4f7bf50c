using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Twin.Host.Cli;

namespace Twin.Host.Tests;

/// <summary><c>twin serve</c> as a real process on the embedded, durable PostgreSQL: it says where it listens and where
/// its data lives, answers, stops cleanly on a signal (silo down, PostgreSQL stopped), and finds its data again.</summary>
public sealed class ServeProcessTests
{
    [Fact]
    public async Task Serve_starts_on_its_data_folder_stops_cleanly_on_a_signal_and_keeps_the_data()
    {
        var data = Directory.CreateTempSubdirectory("twin-serve-test-").FullName;
        try
        {
            var host = Http.NewId("serve-host");
            await using (var first = await Serve.Start(data))
            {
                Assert.Contains($"data in {data}", first.Output);
                Assert.Contains("embedded PostgreSQL", first.Output);
                var register = await CliRunner.InProcess("host", "register", host, "--platform", "Kvm", "--os", "libvirt 9.0", "--cores", "8", "--memory-mib", "16384",
                    "--server", first.Url);
                Assert.True(register.ExitCode == 0, register.ToString());
                var postgresPort = first.PostgresPort();
                await first.StopAsync();
                Assert.Contains("PostgreSQL stopped", first.Output);
                Assert.EndsWith("twin: stopped", first.Output.TrimEnd());
                Assert.False(File.Exists(Path.Combine(data, "pgdata", "postmaster.pid")), "PostgreSQL left its postmaster.pid: it was not stopped");
                Assert.False(Listening(postgresPort), $"PostgreSQL still listens on {postgresPort}");
            }

            await using var second = await Serve.Start(data);
            var inventory = await CliRunner.InProcess("inventory", "--host", host, "-o", "json", "--server", second.Url);
            Assert.True(inventory.ExitCode == 0, $"the host registered before the restart is gone: {inventory}");
            await second.StopAsync();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>One <c>twin serve</c> process.</summary>
    private sealed class Serve : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _error = new();
        private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Serve(Process process) => _process = process;

        public string Url { get; private set; } = "";

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        public static async Task<Serve> Start(string data)
        {
            var port = FreePort();
            var info = CliRunner.StartInfo("serve", "--urls", $"http://127.0.0.1:{port}", "--data", data);
            var clock = Stopwatch.StartNew();
            var serve = new Serve(Process.Start(info)!) { Url = $"http://127.0.0.1:{port}" };
            serve._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (serve._output) serve._output.AppendLine(e.Data);
                if (e.Data.Contains("ready in", StringComparison.Ordinal)) serve._ready.TrySetResult(e.Data);
            };
            serve._process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) lock (serve._error) serve._error.AppendLine(e.Data);
            };
            serve._process.BeginOutputReadLine();
            serve._process.BeginErrorReadLine();
            var exited = serve._process.WaitForExitAsync(Http.Ct);
            var first = await Task.WhenAny(serve._ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(120), Http.Ct));
            Assert.True(first == serve._ready.Task, $"twin serve did not get ready:\n{serve.Output}\n{serve._error}");
            TestContext.Current.TestOutputHelper?.WriteLine($"twin serve ready after {clock.ElapsedMilliseconds} ms (process start to 'ready'): {await serve._ready.Task}");
            return serve;
        }

        public int PostgresPort()
        {
            var line = Output.Split('\n').First(l => l.Contains("embedded PostgreSQL", StringComparison.Ordinal) && l.Contains("127.0.0.1:", StringComparison.Ordinal));
            var start = line.IndexOf("127.0.0.1:", StringComparison.Ordinal) + "127.0.0.1:".Length;
            return int.Parse(line[start..line.IndexOf(',', start)], System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>Ctrl-C when this process may deliver it (a job started in the background of a non-interactive shell
        /// inherits SIGINT ignored, and so does its child), else SIGTERM; both stop the host the same way.</summary>
        public async Task StopAsync()
        {
            var signal = SigIntIgnored() ? "TERM" : "INT";
            var clock = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
                await kill.WaitForExitAsync(Http.Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Http.Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
            _process.WaitForExit();
            TestContext.Current.TestOutputHelper?.WriteLine($"SIG{signal}: stopped in {clock.ElapsedMilliseconds} ms, exit {_process.ExitCode}");
            Assert.True(_process.ExitCode == ExitCodes.Ok, $"exit {_process.ExitCode}:\n{Output}\n{_error}");
        }

        private bool SigIntIgnored()
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 1)) != 0;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }

        private static int FreePort()
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return ((IPEndPoint)socket.LocalEndPoint!).Port;
        }
    }
}
