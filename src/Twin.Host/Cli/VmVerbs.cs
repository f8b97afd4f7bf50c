using System.CommandLine;
using System.Globalization;
using Twin.Events.Common;
using Twin.Events.Vms;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using static Twin.Host.Cli.Render;

namespace Twin.Host.Cli;

/// <summary><c>twin vm …</c>: VMs and their vNICs.</summary>
internal static class VmVerbs
{
    public static void AddTo(RootCommand root, GlobalOptions g, CliConsole console)
    {
        var vm = new Command("vm", "VMs: define, start, stop, migrate, iov, show, timeline, list");

        var id = VmArgument();
        var host = new Option<string>("--host") { Description = "Host it is defined on", Required = true, HelpName = "HOST" };
        var guest = new Option<string>("--guest") { Description = "Guest OS, e.g. \"Windows Server 2022\", \"Ubuntu 22.04\"", Required = true, HelpName = "OS" };
        var vcpus = new Option<int>("--vcpus") { Description = "vCPUs", DefaultValueFactory = _ => 2, HelpName = "N" };
        var memory = new Option<long>("--memory-mib") { Description = "Memory in MiB", DefaultValueFactory = _ => 4096, HelpName = "MIB" };
        var vnics = new Option<string[]>("--vnic")
        {
            Description = "A vNIC (repeat for several): name=net0,switch=SWITCH[,weight=0-100][,qp=N] (weight > 0 = wants a VF)",
            HelpName = "SPEC",
        };
        var noDriver = new Option<bool>("--no-vf-driver") { Description = "The guest has no VF driver for the NIC" };
        vm.Add(new Command("define", "Defines a VM (off) with its vNICs") { id, host, guest, vcpus, memory, vnics, noDriver }.Client(g, console, (p, c, ct) =>
            Operation(c, HttpMethod.Post, "api/vms", new DefineVm(new VmId(p.GetValue(id)!), new HostId(p.GetValue(host)!), p.GetValue(guest)!,
                p.GetValue(vcpus), p.GetValue(memory), [.. (p.GetValue(vnics) ?? []).Select(ParseVnicSpec)], !p.GetValue(noDriver)), ct)));

        foreach (var (verb, description) in new[]
                 {
                     ("start", "Starts a VM: placement, SR-IOV prerequisites, VFs by the platform's rules (Hyper-V falls back to synthetic; vSphere and KVM refuse)"),
                     ("stop", "Stops a VM, freeing its VFs (a freed VF may go to a waiting vNIC)"),
                 })
        {
            var arg = VmArgument();
            vm.Add(new Command(verb, description) { arg }
                .Client(g, console, (p, c, ct) => Operation(c, HttpMethod.Post, $"api/vms/{TwinClient.Segment(p.GetValue(arg)!)}/{verb}", null, ct)));
        }

        var migrateId = VmArgument();
        var to = new Option<string>("--to") { Description = "Destination host", Required = true, HelpName = "HOST" };
        vm.Add(new Command("migrate", "Live-migrates a running VM: a VF is claimed on the destination first, the source VF freed after") { migrateId, to }
            .Client(g, console, (p, c, ct) => Operation(c, HttpMethod.Post, $"api/vms/{TwinClient.Segment(p.GetValue(migrateId)!)}/migrate",
                new MigrateBody(new HostId(p.GetValue(to)!)), ct)));

        var iovId = VmArgument();
        var vnic = new Argument<string>("VNIC") { Description = "vNIC name, e.g. net0" };
        var weight = new Argument<int>("WEIGHT") { Description = "IovWeight: 0 = SR-IOV off, 1–100 = wants a VF" };
        vm.Add(new Command("iov", "Enables (weight 1–100) or disables (0) SR-IOV on a vNIC; on a running VM the VF follows at once") { iovId, vnic, weight }
            .Client(g, console, (p, c, ct) => Operation(c, HttpMethod.Put,
                $"api/vms/{TwinClient.Segment(p.GetValue(iovId)!)}/vnics/{TwinClient.Segment(p.GetValue(vnic)!)}/iov-weight", new IovWeightBody(p.GetValue(weight)), ct)));

        var showId = VmArgument();
        vm.Add(new Command("show", "One VM with each vNIC's datapath and the reason when it is not a VF") { showId }.Client(g, console, async (p, c, ct) =>
        {
            var (v, json) = await c.Client.GetAsync<VmSnapshot>($"api/vms/{TwinClient.Segment(p.GetValue(showId)!)}", ct);
            if (AsJson(c, json)) return ExitCodes.Ok;
            c.Output.Record(
            [
                ("id", v.Id), ("host", v.Host.Value), ("platform", v.Platform.ToString()), ("status", v.Status.ToString()),
                ("guest", v.Guest.Name), ("vcpus", N(v.Vcpus)), ("memory", $"{v.MemoryMiB} MiB"),
                ("operation", v.PendingKind == VmOperationKind.None ? "-" : $"{v.PendingKind} {v.PendingOp}"),
            ], (f, value) => f == "status" ? StatusColour(value) : null);
            if (c.Output.Format == OutputFormat.Csv) return ExitCodes.Ok;
            c.Console.Line("");
            c.Output.Table([new("VNIC"), new("SWITCH"), new("IOV_WEIGHT"), new("DATAPATH", DatapathColour), new("SINCE")],
                v.Vnics.Select(n => (string?[])[n.Spec.Name, n.Spec.Switch.Value, N(n.Spec.IovWeight), n.Datapath.ToString(), Time(n.Since)]), "VNICS");
            return ExitCodes.Ok;
        }));

        var timelineId = VmArgument();
        vm.Add(new Command("timeline", "One VM's history: every event, what it did to the datapaths, and why") { timelineId }.Client(g, console, async (p, c, ct) =>
        {
            var (t, json) = await c.Client.GetAsync<VmTimeline>($"api/vms/{TwinClient.Segment(p.GetValue(timelineId)!)}/timeline", ct);
            if (AsJson(c, json)) return ExitCodes.Ok;
            c.Output.Table([new("AT"), new("VERSION"), new("EVENT"), new("SUMMARY", DatapathColour), new("REASON"), new("OPERATION"), new("ACTOR")],
                t.Entries.Select(e => (string?[])[Time(e.At), N(e.Version), e.Event, e.Summary, e.Reason ?? "", e.Operation ?? "", e.Actor ?? ""]));
            return ExitCodes.Ok;
        }));

        var listHost = new Option<string?>("--host") { Description = "Only this host's VMs", HelpName = "HOST" };
        vm.Add(new Command("list", "Every VM with its status and datapaths") { listHost }.Client(g, console, async (p, c, ct) =>
        {
            var host = p.GetValue(listHost);
            var (inv, json) = await c.Client.GetAsync<Inventory>("api/inventory" + (host is null ? "" : $"?host={Q(host)}"), ct);
            if (c.Output.Format == OutputFormat.Json)
            {
                c.Output.Json(json.GetProperty("vms"));
                return ExitCodes.Ok;
            }
            c.Output.Table([new("ID"), new("HOST"), new("STATUS", StatusColour), new("GUEST"), new("VNICS", DatapathColour)],
                inv.Vms.Select(v => (string?[])[v.Id, v.Host.Value, v.Status.ToString(), v.Guest.Name, Vnics(v)]));
            return ExitCodes.Ok;
        }));
        root.Add(vm);
    }

    private static Argument<string> VmArgument() => new("VM") { Description = "VM id, e.g. vm-42" };

    /// <summary>"name=net0,switch=host-07/ext,weight=50,qp=2" → a vNIC spec.</summary>
    internal static VnicSpec ParseVnicSpec(string text)
    {
        string? name = null, sw = null;
        int weight = 0, qp = 1;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) throw Bad(text, $"'{part}' is not key=value");
            var value = kv[1];
            switch (kv[0].ToLowerInvariant())
            {
                case "name": name = value; break;
                case "switch": sw = value; break;
                case "weight" or "iovweight": weight = Int(text, kv[0], value); break;
                case "qp" or "queue-pairs" or "queuepairs": qp = Int(text, kv[0], value); break;
                default: throw Bad(text, $"unknown key '{kv[0]}' (name, switch, weight, qp)");
            }
        }
        if (name is null || sw is null) throw Bad(text, "name= and switch= are required");
        return new VnicSpec(name, new SwitchId(sw), weight, qp);
    }

    private static int Int(string text, string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw Bad(text, $"{key} must be a number, not '{value}'");

    private static CliException Bad(string text, string why) =>
        new(ExitCodes.Usage, $"twin: --vnic '{text}': {why}; e.g. --vnic name=net0,switch=host-07/ext,weight=50");
}
