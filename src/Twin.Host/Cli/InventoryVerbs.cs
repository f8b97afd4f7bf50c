using System.CommandLine;
using System.Text.Json;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Platforms;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using static Twin.Host.Cli.Render;

namespace Twin.Host.Cli;

/// <summary>Verbs on the datacenter as a whole: status, inventory, pools, host registration and reboot, reconcile,
/// apply a topology.</summary>
internal static class InventoryVerbs
{
    public static void AddTo(RootCommand root, GlobalOptions g, CliConsole console)
    {
        root.Add(new Command("status", "The server (version, uptime, storage, silo) and the datacenter in a few numbers")
            .Client(g, console, Status));

        var host = HostFilter();
        var at = HistoryVerbs.AtOption("Show the datacenter as it was at this moment (time travel) instead of now");
        root.Add(new Command("inventory", "Every host, PF, switch and VM now, or at a past moment with --at (`--host` for one host's)") { host, at }
            .Client(g, console, (p, c, ct) => Inventory(c, p.GetValue(host), p.GetValue(at), ct)));

        var poolHost = HostFilter();
        var poolAt = HistoryVerbs.AtOption("Show the pools as they were at this moment (refusals counted up to then) instead of now");
        root.Add(new Command("pools", "The VF pool of every PF: ceiling, configured, allocatable, allocated, free, waiting vNICs, pending changes, refusals; "
                                      + "now, or at a past moment with --at") { poolHost, poolAt }
            .Client(g, console, (p, c, ct) => Pools(c, p.GetValue(poolHost), p.GetValue(poolAt), ct)));

        root.Add(HostVerbs(g, console));

        root.Add(new Command("reconcile", "Finds VFs held by vNICs that cannot be using them and frees each exactly once; exit 0 even when it freed some")
            .Client(g, console, Reconcile));

        var file = new Argument<FileInfo>("FILE") { Description = "A topology JSON file (the shape of Twin.Events.Inventory.Topology; `twin import` writes them)" };
        var source = new Option<string?>("--source") { Description = "A name for where the topology came from [default: the file name]" };
        root.Add(new Command("apply", "Makes the twin match a topology file: idempotent (the same file twice appends nothing); exit 1 when something was refused")
            { file, source }.Client(g, console, (p, c, ct) => Apply(c, p.GetValue(file)!, p.GetValue(source), ct)));
    }

    private static Option<string?> HostFilter() => new("--host") { Description = "Only this host's part", HelpName = "HOST" };

    private static async Task<int> Status(ParseResult p, CliContext c, CancellationToken ct)
    {
        var (status, json) = await c.Client.GetAsync<ServerStatus>("api/status", ct);
        var ready = await c.Client.SendAsync(HttpMethod.Get, "health/ready", null, ct);
        if (c.Output.Format == OutputFormat.Json)
        {
            c.Output.Json(JsonSerializer.SerializeToElement(new { status = json, ready }, TwinJson.Options));
            return ExitCodes.Ok;
        }
        c.Output.Record(
        [
            ("server", c.Client.Server.ToString()),
            ("ready", ready.GetProperty("status").GetString()),
            ("version", status.Version),
            ("up since", $"{Time(status.StartedAt)} ({TimeSpan.FromSeconds(status.UptimeSeconds):d\\.hh\\:mm\\:ss})"),
            ("storage", status.Storage),
            ("silo", status.Silo),
            ("cluster", $"{status.ActiveSilos.Count} active silo(s): {string.Join(", ", status.ActiveSilos)}"),
            ("hosts", N(status.Hosts)),
            ("PFs", N(status.Nics)),
            ("switches", N(status.Switches)),
            ("VMs", $"{status.Vms} ({status.VmsRunning} running)"),
            ("VFs", $"{status.VfsAllocated} allocated of {status.VfsConfigured} configured, {status.VfsFree} free"),
            ("vNICs waiting", N(status.VnicsWaiting)),
        ], (field, value) => field == "ready" ? StatusColour(value) : null);
        return ExitCodes.Ok;
    }

    private static async Task<int> Inventory(CliContext c, string? host, DateTimeOffset? at, CancellationToken ct)
    {
        var (inv, json) = await c.Client.GetAsync<Inventory>("api/inventory" + Query(("host", host), ("at", Moment(at))), ct);
        if (AsJson(c, json)) return ExitCodes.Ok;
        if (host is not null && inv.Hosts.Count == 0) throw new CliException(ExitCodes.NotFound, $"twin: no host '{host}' (see `twin inventory`)");
        if (at is { } moment && c.Output.Format == OutputFormat.Table)
        {
            c.Console.Line(c.Console.Paint(Ansi.Bold, $"AT {Time(moment)}"));
            c.Console.Line("");
        }
        if (c.Output.Format == OutputFormat.Csv)
        {
            c.Output.Table([new("kind"), new("id"), new("host"), new("status"), new("detail")],
            [
                .. inv.Hosts.Select(h => (string?[])["host", h.Id, h.Id, h.Status.ToString(), $"{h.Platform} {h.Os}; {h.Cores} cores; {h.MemoryMiB} MiB; cluster {h.Cluster}"]),
                .. inv.Nics.Select(n => (string?[])["nic", n.Id, n.Host.Value, n.Status.ToString(), $"{n.Model}; {n.Allocated}/{n.Configured} VFs allocated; ceiling {N(n.Ceiling)}"]),
                .. inv.Switches.Select(s => (string?[])["switch", s.Id, s.Host.Value, s.Status.ToString(), $"{s.Kind}; IOV {(s.IovEnabled ? "on" : "off")}; NIC {s.BoundNic?.Value ?? "-"}"]),
                .. inv.Vms.Select(v => (string?[])["vm", v.Id, v.Host.Value, v.Status.ToString(), Vnics(v)]),
            ]);
            return ExitCodes.Ok;
        }
        c.Output.Table([new("ID"), new("PLATFORM"), new("OS"), new("STATUS", StatusColour), new("CLUSTER"), new("CORES"), new("MEMORY_MIB"), new("VMS")],
            inv.Hosts.Select(h => (string?[])[h.Id, h.Platform.ToString(), h.Os, h.Status.ToString(), h.Cluster, N(h.Cores), N(h.MemoryMiB), N(h.Vms.Count(v => v.Placed))]),
            "HOSTS");
        c.Console.Line("");
        c.Output.Table([new("ID"), new("MODEL"), new("STATUS", StatusColour), new("LINK_MBPS"), new("SRIOV"), new("CEILING"), new("CONFIGURED"), new("ALLOCATED"), new("FREE"), new("WAITING")],
            inv.Nics.Select(n => (string?[])[n.Id, n.Model, n.Status.ToString(), N(n.LinkMbps), n.SriovEnabled ? "on" : "off", N(n.Ceiling), N(n.Configured), N(n.Allocated), N(n.Free), N(n.Waiting.Count)]),
            "PFS");
        c.Console.Line("");
        c.Output.Table([new("ID"), new("NAME"), new("KIND"), new("NIC"), new("IOV"), new("PORTS")],
            inv.Switches.Select(s => (string?[])[s.Id, s.Name, s.Kind.ToString(), s.BoundNic?.Value ?? "-", s.IovEnabled ? "on" : "off", N(s.Ports.Count)]),
            "SWITCHES");
        c.Console.Line("");
        c.Output.Table([new("ID"), new("HOST"), new("STATUS", StatusColour), new("GUEST"), new("VCPUS"), new("MEMORY_MIB"), new("VNICS", DatapathColour)],
            inv.Vms.Select(v => (string?[])[v.Id, v.Host.Value, v.Status.ToString(), v.Guest.Name, N(v.Vcpus), N(v.MemoryMiB), Vnics(v)]),
            "VMS");
        return ExitCodes.Ok;
    }

    private static async Task<int> Pools(CliContext c, string? host, DateTimeOffset? at, CancellationToken ct)
    {
        var (pools, json) = await c.Client.GetAsync<IReadOnlyList<PoolSummary>>("api/pools/summary" + Query(("host", host), ("at", Moment(at))), ct);
        if (AsJson(c, json)) return ExitCodes.Ok;
        if (at is { } moment && c.Output.Format == OutputFormat.Table) c.Console.Line(c.Console.Paint(Ansi.Bold, $"AT {Time(moment)}"));
        c.Output.Table(
            [
                new("NIC"), new("HOST"), new("CLUSTER"), new("MODEL"), new("STATUS", StatusColour), new("CEILING"), new("CONFIGURED"),
                new("ALLOCATABLE"), new("ALLOCATED"), new("FREE", v => v == "0" ? Ansi.Red : null), new("WAITING", v => v is "0" or "" ? null : Ansi.Yellow),
                new("PENDING"), new("REJECTED"), new("RESERVED", v => v is "0" or "" ? null : Ansi.Yellow),
            ],
            pools.Select(x => (string?[])[x.Nic, x.Host, x.Cluster, x.Model, x.Status.ToString(), N(x.Ceiling), N(x.Configured), N(x.Allocatable),
                N(x.Allocated), N(x.Free), N(x.Waiting), N(x.PendingVfs), N(x.Rejections), N(x.Reserved)]));
        return ExitCodes.Ok;
    }

    private static Command HostVerbs(GlobalOptions g, CliConsole console)
    {
        var id = new Argument<string>("HOST") { Description = "Host id, e.g. host-07 (unique across the datacenter)" };
        var platform = new Option<Platform>("--platform") { Description = "Hypervisor platform", Required = true };
        var os = new Option<string>("--os") { Description = "Hypervisor release, e.g. \"Windows Server 2022\", \"ESXi 8.0u3\", \"libvirt 9.0\"", Required = true };
        var cores = new Option<int>("--cores") { Description = "Physical cores", Required = true };
        var memory = new Option<long>("--memory-mib") { Description = "Memory in MiB", Required = true, HelpName = "MIB" };
        var cluster = new Option<string>("--cluster") { Description = "Cluster name", DefaultValueFactory = _ => "default" };
        var without = new Option<string[]>("--without")
        {
            Description = "Chipset/firmware capabilities it lacks: iommu, interrupt-remapping, dma-remapping, slat, acs, ari, bios-sriov, osc",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "CAPABILITY",
        };
        without.AcceptOnlyFromAmong("iommu", "interrupt-remapping", "dma-remapping", "slat", "acs", "ari", "bios-sriov", "osc");
        var busVfs = new Option<int?>("--max-vfs-by-bus") { Description = "Most VFs one PF can get for lack of PCIe bus numbers", HelpName = "N" };
        var barVfs = new Option<int?>("--max-vfs-by-bar") { Description = "Most VFs one PF can get for lack of VF BAR space", HelpName = "N" };
        var chipset = new Option<string?>("--chipset") { Description = "Chipset/firmware description, e.g. \"Intel C621A, BIOS 2.1\"", HelpName = "TEXT" };
        var vectors = new Option<int?>("--interrupt-vectors") { Description = "vSphere: the host's interrupt-vector budget for passthrough", HelpName = "N" };
        var register = new Command("register", "Registers a host and its chipset (idempotent when the facts are the same; refused when they differ)")
        {
            id, platform, os, cores, memory, cluster, without, busVfs, barVfs, chipset, vectors,
        }.Client(g, console, (p, c, ct) =>
        {
            var lacks = (p.GetValue(without) ?? []).ToHashSet();
            var caps = new ChipsetCapabilities(
                Iommu: !lacks.Contains("iommu"), InterruptRemapping: !lacks.Contains("interrupt-remapping"), DmaRemapping: !lacks.Contains("dma-remapping"),
                Slat: !lacks.Contains("slat"), Acs: !lacks.Contains("acs"), Ari: !lacks.Contains("ari"), BiosSriovEnabled: !lacks.Contains("bios-sriov"),
                OscHandoff: !lacks.Contains("osc"), MaxVfsByBusNumbers: p.GetValue(busVfs), MaxVfsByBarSpace: p.GetValue(barVfs));
            var body = new RegisterHost(new HostId(p.GetValue(id)!), p.GetValue(platform), p.GetValue(os)!, p.GetValue(cores), p.GetValue(memory),
                p.GetValue(cluster) ?? "default", caps, p.GetValue(chipset), p.GetValue(vectors));
            return Operation(c, HttpMethod.Post, "api/hosts", body, ct);
        });
        var rebootId = new Argument<string>("HOST") { Description = "Host id" };
        var reboot = new Command("reboot", "Reboots a host: its running VMs stop, then configurations pending a reboot (vSphere VF counts) take effect")
            { rebootId }.Client(g, console, (p, c, ct) => Operation(c, HttpMethod.Post, $"api/hosts/{TwinClient.Segment(p.GetValue(rebootId)!)}/reboot", null, ct));
        return new Command("host", "Hosts: register, reboot") { register, reboot };
    }

    private static async Task<int> Reconcile(ParseResult p, CliContext c, CancellationToken ct)
    {
        var json = await c.Client.SendAsync(HttpMethod.Post, "api/reconcile", null, ct);
        if (AsJson(c, json)) return ExitCodes.Ok;
        var report = json.Deserialize<ReconciliationReport>(TwinJson.Reading)!;
        if (c.Output.Format == OutputFormat.Table)
        {
            c.Console.Line($"checked {report.NicsChecked} PFs and {report.VmsChecked} VMs; {report.Findings.Count} finding(s); operation {report.Operation}");
            if (report.Findings.Count == 0) return ExitCodes.Ok;
        }
        c.Output.Table([new("NIC"), new("VF"), new("VNIC"), new("CLAIM"), new("FINDING"), new("FREED")],
            report.Findings.Select(f => (string?[])[f.Nic.Value, N(f.VfIndex), f.Vnic.ToString(), f.Claim.Value, f.Finding, f.Freed ? "yes" : "no"]));
        return ExitCodes.Ok;
    }

    private static async Task<int> Apply(CliContext c, FileInfo file, string? source, CancellationToken ct)
    {
        if (!file.Exists) throw new CliException(ExitCodes.Usage, $"twin: no file '{file.FullName}'");
        var text = await File.ReadAllTextAsync(file.FullName, ct);
        var json = await c.Client.SendAsync(HttpMethod.Post, $"api/topology?source={Q(source ?? file.Name)}", text, ct);
        var report = json.Deserialize<ImportReport>(TwinJson.Reading)!;
        if (!AsJson(c, json))
        {
            c.Output.Record(
            [
                ("source", report.Source),
                ("events appended", N(report.EventsAppended)),
                ("commands run", N(report.CommandsRun)),
                ("VMs started", N(report.VmsStarted)),
                ("refusals", N(report.Refusals.Count)),
                ("operation", report.Operation),
            ]);
            foreach (var r in report.Refusals) c.Console.Fail($"  refused: {r}");
        }
        return report.Refusals.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
