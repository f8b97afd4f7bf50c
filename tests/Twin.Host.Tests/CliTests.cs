using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Twin.Host.Cli;

namespace Twin.Host.Tests;

/// <summary>The CLI against the running server: every verb, the output formats and the documented exit codes.</summary>
[Collection(ServerCollection.Name)]
public sealed class CliTests(TwinServerFixture fx)
{
    private string Server => fx.BaseAddress.ToString();

    private Task<CliRun> Twin(params string[] args) => CliRunner.Against(Server, args);

    private Task<CliRun> Ok(params string[] args) => CliRunner.OkAgainst(Server, args);

    [Fact]
    public async Task Every_verb_works_against_a_running_server()
    {
        var host = Http.NewId("cli-host");
        var other = Http.NewId("cli-host");
        var nic = $"{host}/0000:3b:00.0";
        var sw = $"{host}/ext";
        var vm = Http.NewId("cli-vm");
        await Ok("host", "register", host, "--platform", "HyperV", "--os", "Windows Server 2022", "--cores", "32", "--memory-mib", "262144", "--cluster", "cli",
            "--without", "ari", "--chipset", "Intel C621A");
        await Ok("host", "register", other, "--platform", "HyperV", "--os", "Windows Server 2022", "--cores", "32", "--memory-mib", "262144", "--cluster", "cli");
        await Ok("nic", "install", "--host", host, "--pci", "0000:3b:00.0", "--model", "Intel E810", "--vendor", "Intel", "--link-mbps", "25000", "--max-vfs", "128");
        await Ok("nic", "enable", nic, "--vfs", "4");
        await Ok("nic", "set-vfs", nic, "6");
        await Ok("nic", "pool", nic, "tenant-a", "--vfs", "0-1,5");
        Assert.Contains("tenant-a", (await Ok("nic", "show", nic)).Out);
        await Ok("nic", "policy", nic, "FirstComeFirstServed");
        await Ok("switch", "create", sw, "--host", host, "--nic", nic, "--iov");
        // a migration keeps the vNIC on the same-named switch of the destination ("host/name")
        await Ok("nic", "install", "--host", other, "--pci", "0000:3b:00.0", "--model", "Intel E810", "--vendor", "Intel", "--link-mbps", "25000", "--max-vfs", "128");
        await Ok("nic", "enable", $"{other}/0000:3b:00.0", "--vfs", "2");
        await Ok("switch", "create", $"{other}/ext", "--host", other, "--nic", $"{other}/0000:3b:00.0", "--iov");
        await Ok("vm", "define", vm, "--host", host, "--guest", "Windows Server 2022", "--vnic", $"name=net0,switch={sw},weight=50");
        await Ok("vm", "start", vm);
        await Ok("vm", "iov", vm, "net0", "0");
        await Ok("vm", "iov", vm, "net0", "80");
        await Ok("nic", "allocate", nic, "tool/eth0");
        await Ok("nic", "release", nic, "tool/eth0");
        await Ok("vm", "migrate", vm, "--to", other);
        await Ok("vm", "stop", vm);
        await Ok("switch", "recreate", sw, "--iov", "off");
        await Ok("nic", "disable", nic);
        await Ok("nic", "fail", nic);
        await Ok("nic", "repair", nic);
        await Ok("nic", "apply-pending", nic);
        await Ok("host", "reboot", other);
        await Ok("reconcile");

        var topology = Path.Combine(Path.GetTempPath(), $"{Http.NewId("topology")}.json");
        var topoHost = Http.NewId("cli-topo");
        await File.WriteAllTextAsync(topology, $$"""
            { "hosts": [ { "id": "{{topoHost}}", "platform": "Kvm", "os": "libvirt 9.0", "cores": 16, "memoryMiB": 65536, "cluster": "cli" } ],
              "nics": [], "switches": [], "vms": [], "resourcePools": [], "vfHolders": [] }
            """, Http.Ct);
        try
        {
            Assert.Contains("events appended  2", (await Ok("apply", topology)).Out);
            Assert.Contains("events appended  0", (await Ok("apply", topology)).Out);
        }
        finally
        {
            File.Delete(topology);
        }

        var shown = await Ok("vm", "show", vm);
        Assert.Contains($"host       {other}", shown.Out);
        var timeline = await Ok("vm", "timeline", vm);
        Assert.Contains("VmMigrated", timeline.Out);
        Assert.Contains($"{host} → {other}", timeline.Out);
        Assert.Contains("sriov        off", (await Ok("nic", "show", nic)).Out);
        Assert.Contains(vm, (await Ok("vm", "list")).Out);
        Assert.Contains(host, (await Ok("inventory", "--host", host)).Out);
        Assert.Contains("ready          Healthy", (await Ok("status")).Out);
    }

    [Fact]
    public async Task Json_output_is_the_api_answer_and_csv_has_a_header_row()
    {
        var dc = await Datacenter.Create(fx.Http, vfs: 1);
        await dc.Vm(fx.Http);
        await dc.Vm(fx.Http);

        var json = await Ok("pools", "--host", dc.Host, "-o", "json");
        var pool = Assert.Single(JsonDocument.Parse(json.Out).RootElement.EnumerateArray());
        Assert.Equal((dc.Nic, 1, 1, 1L), (pool.GetProperty("nic").GetString(), pool.GetProperty("allocated").GetInt32(), pool.GetProperty("waiting").GetInt32(),
            pool.GetProperty("rejections").GetInt64()));

        var csv = (await Ok("pools", "--host", dc.Host, "-o", "csv")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("NIC,HOST,CLUSTER,MODEL,STATUS,CEILING,CONFIGURED,ALLOCATABLE,ALLOCATED,FREE,WAITING,PENDING,REJECTED,RESERVED", csv[0]);
        Assert.Equal($"{dc.Nic},{dc.Host},a,Intel E810,Installed,128,1,1,1,0,1,-,1,0", csv[1]);

        var table = (await Ok("pools", "--host", dc.Host)).Out;
        Assert.StartsWith("NIC", table);
        Assert.DoesNotContain("\u001b[", table);

        var inventory = (await Ok("inventory", "--host", dc.Host, "-o", "csv")).Out;
        Assert.StartsWith("kind,id,host,status,detail", inventory);

        var started = JsonDocument.Parse((await Ok("vm", "stop", (await dc.Vm(fx.Http)), "-o", "json")).Out).RootElement;
        Assert.True(started.GetProperty("succeeded").GetBoolean());
    }

    [Fact]
    public async Task Exit_codes_tell_refused_usage_unreachable_and_not_found_apart()
    {
        var dc = await Datacenter.Create(fx.Http);
        var vm = await dc.Vm(fx.Http);

        var conflict = await Twin("vm", "migrate", vm, "--to", dc.Host);
        Assert.Equal(ExitCodes.Failed, conflict.ExitCode);
        Assert.Contains($"already on {dc.Host}", conflict.Error);

        var plain = $"{dc.Host}/plain";
        await Ok("switch", "create", plain, "--host", dc.Host, "--nic", dc.Nic);
        var refused = await Twin("switch", "set-iov", plain, "on");
        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.Contains("refused", refused.Out);

        var invalid = await Twin("host", "register", Http.NewId("h"), "--platform", "Kvm", "--os", "x", "--cores", "0", "--memory-mib", "-1");
        Assert.Equal(ExitCodes.Usage, invalid.ExitCode);
        Assert.Contains("cores must be positive, not 0", invalid.Error);
        Assert.Contains("memory must be positive", invalid.Error);

        var missing = await Twin("vm", "start");
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("twin vm start --help", missing.Error);
        Assert.Equal(ExitCodes.Usage, (await Twin("vm", "define", "x", "--host", dc.Host, "--guest", "y", "--vnic", "net0")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await Twin("nosuchverb")).ExitCode);

        var notFound = await Twin("vm", "start", Http.NewId("ghost"));
        Assert.Equal(ExitCodes.NotFound, notFound.ExitCode);
        Assert.Contains("no vm", notFound.Error);
    }

    [Fact]
    public async Task An_unreachable_server_says_how_to_start_one()
    {
        var port = ClosedPort();
        var run = await CliRunner.InProcess("pools", "--server", $"http://127.0.0.1:{port}");
        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains($"cannot reach a twin server at http://127.0.0.1:{port}/", run.Error);
        Assert.Contains("twin serve", run.Error);
    }

    [Fact]
    public async Task The_executable_returns_the_exit_codes_and_prints_json_on_stdout()
    {
        var dc = await Datacenter.Create(fx.Http);
        var json = await CliRunner.Process("pools", "--host", dc.Host, "-o", "json", "--server", Server);
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(dc.Nic, JsonDocument.Parse(json.Out).RootElement[0].GetProperty("nic").GetString());
        Assert.DoesNotContain("\u001b[", json.Out);

        var unreachable = await CliRunner.Process("status", "--server", $"http://127.0.0.1:{ClosedPort()}");
        Assert.Equal(ExitCodes.Unreachable, unreachable.ExitCode);
        Assert.Contains("Start one with `twin serve`", unreachable.Error);
        Assert.Empty(unreachable.Out);

        var notFound = await CliRunner.Process("vm", "show", Http.NewId("ghost"), "--server", Server);
        Assert.Equal(ExitCodes.NotFound, notFound.ExitCode);
    }

    [Fact]
    public async Task Every_verb_has_complete_help_with_the_exit_codes()
    {
        var root = TwinCli.Build(new CliConsole(TextWriter.Null, TextWriter.Null, false, false));
        var verbs = new List<string[]>();
        void Walk(Command command, string[] path)
        {
            verbs.Add(path);
            foreach (var sub in command.Subcommands) Walk(sub, [.. path, sub.Name]);
        }
        Walk(root, []);
        Assert.True(verbs.Count > 30, $"only {verbs.Count} verbs");
        foreach (var verb in verbs)
        {
            var help = await CliRunner.InProcess([.. verb, "--help"]);
            Assert.True(help.ExitCode == 0, $"twin {string.Join(' ', verb)} --help: {help}");
            Assert.Contains("Usage:", help.Out);
            Assert.Contains("Exit codes:", help.Out);
            Assert.Contains("3  server unreachable", help.Out);
        }
        foreach (var command in verbs.Select(v => v.Aggregate((Command)root, (c, name) => c.Subcommands.Single(s => s.Name == name))))
        {
            Assert.False(string.IsNullOrWhiteSpace(command.Description), $"{command.Name} has no description");
            Assert.All(command.Options.Concat(command.Arguments.Cast<Symbol>()), s => Assert.False(string.IsNullOrWhiteSpace(s.Description), $"{command.Name} {s.Name} has no description"));
        }
        var process = await CliRunner.Process("--help");
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("serve", process.Out);
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
