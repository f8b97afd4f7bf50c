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
        var output = new Option<FileInfo?>("--out") { Description = "Write the topology JSON here instead of sending it to the server (no server needed)", HelpName = "FILE" };
        var command = new Command("import", "Imports real inventory (libvirt node-device/network/domain XML, sysfs trees or ttar captures, ip link, Hyper-V "
            + "PowerShell text/JSON, esxcli, vSphere HostSriovInfo, OpenStack Placement, Kubernetes SR-IOV node state). Idempotent: the same "
            + "capture twice appends nothing; a changed capture appends the difference. A malformed file fails naming file, line and field, and nothing is written.")
            { paths, host, format, cluster, skip, output };
        command.SetAction(async (p, ct) =>
        {
            var result = Read(p.GetValue(paths)!, p.GetValue(host), p.GetValue(format), p.GetValue(cluster)!, p.GetValue(skip), console);
            if (result is null) return ExitCodes.Usage;
            foreach (var d in result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning)) console.Fail($"twin: warning: {d}");
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

    private static ImportResult? Read(string[] paths, string? host, string? format, string cluster, bool skip, CliConsole console)
    {
        try
        {
            var files = CaptureFiles.Read(paths, host);
            var options = new ImportOptions(host, format is null ? null : ImportFormats.Parse(format), cluster, skip);
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
