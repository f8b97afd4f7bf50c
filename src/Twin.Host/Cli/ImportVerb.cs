using System.CommandLine;
using System.Text.Json;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using Twin.Host.Import;
using static Twin.Host.Cli.Render;

namespace Twin.Host.Cli;

/// <summary><c>twin import FILE|DIR…</c>: reads real inventory captures (format detected, or <c>--format</c>), and makes
/// the twin match them — idempotently — or writes the topology with <c>--out</c> without a server.</summary>
internal static class ImportVerb
{
    public static void AddTo(RootCommand root, GlobalOptions g, CliConsole console)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Capture files or folders (each sub-folder of a folder is a host named after it)", Arity = ArgumentArity.OneOrMore };
        var host = new Option<string?>("--host") { Description = "Host of files that do not name their host [default: the folder name, else 'localhost']", HelpName = "HOST" };
        var format = new Option<string?>("--format") { Description = "Read every file as this format instead of detecting it (e.g. nodedev, sysfs, hyperv-json, esxcli, placement, k8s-nodestate)", HelpName = "FORMAT" };
        var cluster = new Option<string>("--cluster") { Description = "Cluster of the imported hosts", DefaultValueFactory = _ => "", HelpName = "NAME" };
        var skip = new Option<bool>("--skip-unknown") { Description = "Skip files of no known format instead of failing" };
        var cores = new Option<int?>("--cores") { Description = "Cores of hosts whose captures do not say (a host facts file, kind: TwinHost, says it per host)", HelpName = "N" };
        var memory = new Option<double?>("--memory-gib") { Description = "Memory of hosts whose captures do not say", HelpName = "GIB" };
        var os = new Option<string?>("--os") { Description = "Host OS of hosts whose captures do not say (e.g. 'Windows Server 2022')", HelpName = "OS" };
        var output = new Option<FileInfo?>("--out") { Description = "Write the topology JSON here instead of sending it to the server (no server needed)", HelpName = "FILE" };
        var command = new Command("import", "Imports real inventory (libvirt node-device/network/domain XML, sysfs trees or ttar captures, ip link, Hyper-V "
            + "PowerShell text/JSON, esxcli, vSphere HostSriovInfo, OpenStack Placement, Kubernetes SR-IOV node state). Idempotent: the same "
            + "capture twice appends nothing; a changed capture appends the difference. A malformed file fails naming file, line and field, and nothing is written.")
            { paths, host, format, cluster, skip, cores, memory, os, output };
        command.SetAction(async (p, ct) =>
        {
            var defaults = Defaults(p.GetValue(cores), p.GetValue(memory), p.GetValue(os), console);
            if (defaults is null) return ExitCodes.Usage;
            var result = Read(p.GetValue(paths)!, p.GetValue(host), p.GetValue(format), p.GetValue(cluster)!, p.GetValue(skip), defaults, console);
            if (result is null) return ExitCodes.Usage;
            if (result.HostsMissingFacts() is { Count: > 0 } missing)
            {
                foreach (var m in missing) console.Fail($"twin: {m}");
                console.Fail("      the twin places VMs by cores and memory: add a host facts file to the host's folder");
                console.Fail("      (kind: TwinHost with cores, memoryGiB, os, platform; see docs/import.md) or pass --cores and --memory-gib.");
                console.Fail("      nothing was imported.");
                return ExitCodes.Usage;
            }
            foreach (var d in result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning)) console.Fail($"twin: {d}");
            if (p.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(result.Topology, TwinJson.Options), ct);
                console.Out.WriteLine($"twin: wrote {file.FullName}: {Summary(result)}");
                return ExitCodes.Ok;
            }
            return await TwinCli.RunClientAsync(p, g, console, async (c, token) =>
            {
                var body = JsonSerializer.Serialize(result.Topology, TwinJson.Options);
                var source = string.Join(",", p.GetValue(paths)!.Select(Path.GetFileName));
                var json = await c.Client.SendAsync(HttpMethod.Post, $"api/topology?source={Q(source)}", body, token);
                var report = json.Deserialize<ImportReport>(TwinJson.Reading)!;
                if (!AsJson(c, json))
                {
                    c.Output.Record(
                    [
                        ("read", Summary(result)),
                        ("events appended", N(report.EventsAppended)),
                        ("VMs started", N(report.VmsStarted)),
                        ("refusals", N(report.Refusals.Count)),
                        ("operation", report.Operation),
                    ]);
                    foreach (var r in report.Refusals) c.Console.Fail($"  refused: {r}");
                }
                return report.Refusals.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
            }, ct);
        });
        root.Add(command);
    }

    private sealed record HostDefaults(int? Cores, long? MemoryMiB, string? Os);

    private static HostDefaults? Defaults(int? cores, double? memoryGib, string? os, CliConsole console)
    {
        if (cores is <= 0)
        {
            console.Fail($"twin: --cores must be a positive number, not {cores}");
            return null;
        }
        if (memoryGib is { } m && (m <= 0 || !double.IsFinite(m) || m > 1 << 30))
        {
            console.Fail($"twin: --memory-gib must be a positive amount, not {m}");
            return null;
        }
        if (os is not null && string.IsNullOrWhiteSpace(os))
        {
            console.Fail("twin: --os must not be empty");
            return null;
        }
        return new HostDefaults(cores, memoryGib is { } g ? (long)Math.Round(g * 1024) : null, os?.Trim());
    }

    private static ImportResult? Read(string[] paths, string? host, string? format, string cluster, bool skip, HostDefaults defaults, CliConsole console)
    {
        try
        {
            var files = CaptureFiles.Read(paths, host);
            var options = new ImportOptions(host, format is null ? null : ImportFormats.Parse(format), cluster, skip, defaults.Cores, defaults.MemoryMiB, defaults.Os);
            return InventoryImporter.Import(files, options);
        }
        catch (Exception e) when (e is ImportException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            console.Fail($"twin: {e.Message}");
            console.Fail("      nothing was imported.");
            return null;
        }
    }

    private static string Summary(ImportResult r) =>
        $"{r.Topology.Hosts.Count} host(s), {r.Topology.Nics.Count} PF(s), {r.Topology.Switches.Count} switch(es), {r.Topology.Vms.Count} VM(s) from {r.Files.Count} file(s)";
}
