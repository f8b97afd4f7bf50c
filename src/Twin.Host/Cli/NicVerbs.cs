using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using static Twin.Host.Cli.Render;

namespace Twin.Host.Cli;

/// <summary><c>twin nic …</c>: PFs and their VF pools.</summary>
internal static class NicVerbs
{
    public static void AddTo(RootCommand root, GlobalOptions g, CliConsole console)
    {
        var nic = new Command("nic", "NIC physical functions (PFs) and their VF pools: install, enable, disable, set-vfs, fail, repair, apply-pending, pool, policy, allocate, release, show");

        var host = new Option<string>("--host") { Description = "Host the PF is in", Required = true, HelpName = "HOST" };
        var pci = new Option<string>("--pci") { Description = "PCI address, e.g. 0000:3b:00.0", Required = true, HelpName = "ADDRESS" };
        var model = new Option<string>("--model") { Description = "Model, e.g. \"Intel E810\"", Required = true };
        var vendor = new Option<NicVendor>("--vendor") { Description = "Vendor", DefaultValueFactory = _ => NicVendor.Other };
        var link = new Option<int>("--link-mbps") { Description = "Link rate in Mbit/s", Required = true, HelpName = "MBPS" };
        var numa = new Option<int>("--numa") { Description = "NUMA node", DefaultValueFactory = _ => 0, HelpName = "NODE" };
        var maxVfs = new Option<int?>("--max-vfs") { Description = "VF ceiling (sriov_totalvfs / MaxNumVFs); omit when the PF reports none", HelpName = "N" };
        var noDriver = new Option<bool>("--no-pf-driver") { Description = "The PF driver lacks SR-IOV support" };
        var vports = new Option<int?>("--vports") { Description = "Hyper-V: VPorts of the PF", HelpName = "N" };
        var queuePairs = new Option<int?>("--queue-pairs") { Description = "Hyper-V: queue pairs of the PF", HelpName = "N" };
        var id = new Option<string?>("--id") { Description = "PF id [default HOST/PCI]", HelpName = "NIC" };
        nic.Add(new Command("install", "Installs a PF on a host; its id is HOST/PCI unless --id says otherwise")
        {
            host, pci, model, vendor, link, numa, maxVfs, noDriver, vports, queuePairs, id,
        }.Client(g, console, (p, c, ct) =>
        {
            var hostId = new HostId(p.GetValue(host)!);
            var nicId = p.GetValue(id) is { Length: > 0 } given ? new NicId(given) : NicId.Of(hostId, p.GetValue(pci)!);
            return Operation(c, HttpMethod.Post, "api/nics", new InstallNic(nicId, hostId, p.GetValue(pci)!, p.GetValue(model)!, p.GetValue(vendor),
                p.GetValue(link), p.GetValue(numa), p.GetValue(maxVfs), !p.GetValue(noDriver), p.GetValue(vports), p.GetValue(queuePairs)), ct);
        }));

        nic.Add(WithCount("enable", "Turns SR-IOV on with --vfs VFs", g, console, asOption: true));
        nic.Add(WithCount("set-vfs", "Changes the VF count (Hyper-V: adapter restart revokes every VF; vSphere: pending a reboot; Linux: N→M refused, go through 0)",
            g, console, asOption: false));
        foreach (var (verb, description) in new[]
                 {
                     ("disable", "Turns SR-IOV off: every VF holder falls back to synthetic"),
                     ("fail", "Marks the PF failed: every VF on it is gone"),
                     ("repair", "Marks a failed PF repaired"),
                     ("apply-pending", "Applies a VF configuration pending a reboot (vSphere)"),
                 })
        {
            var arg = NicArgument();
            nic.Add(new Command(verb, description) { arg }
                .Client(g, console, (p, c, ct) => Operation(c, HttpMethod.Post, $"api/nics/{TwinClient.Segment(p.GetValue(arg)!)}/{verb}", null, ct)));
        }

        var poolNic = NicArgument();
        var poolName = new Argument<string>("NAME") { Description = "Pool name, e.g. sriov_net_a" };
        var poolVfs = new Option<string>("--vfs") { Description = "VF indices: 0-3,8,10-11", Required = true, HelpName = "INDICES" };
        nic.Add(new Command("pool", "Declares a named resource pool of VFs on the PF (pools never share a VF)") { poolNic, poolName, poolVfs }
            .Client(g, console, (p, c, ct) => Operation(c, HttpMethod.Post, $"api/nics/{TwinClient.Segment(p.GetValue(poolNic)!)}/pools",
                new ResourcePoolBody(p.GetValue(poolName)!, Indices(p.GetValue(poolVfs)!)), ct)));

        var policyNic = NicArgument();
        var policy = new Argument<ScarceVfPolicy>("POLICY") { Description = "FirstComeThenWeight (default), FirstComeFirstServed or WeightPreemptive" };
        nic.Add(new Command("policy", "Chooses how the PF arbitrates scarce VFs between vNICs (a modelling assumption for Hyper-V)") { policyNic, policy }
            .Client(g, console, (p, c, ct) => Operation(c, HttpMethod.Put, $"api/nics/{TwinClient.Segment(p.GetValue(policyNic)!)}/policy",
                new PolicyBody(p.GetValue(policy)), ct)));

        var allocNic = NicArgument();
        var allocVnic = VnicArgument();
        var weight = new Option<int>("--weight") { Description = "IovWeight 1–100", DefaultValueFactory = _ => 100 };
        var allocQp = new Option<int>("--queue-pairs") { Description = "Queue pairs", DefaultValueFactory = _ => 1 };
        nic.Add(new Command("allocate", "Asks the PF for one VF for a vNIC directly (no VM saga: the VM records nothing); exit 1 when none was given")
            { allocNic, allocVnic, weight, allocQp }.Client(g, console, async (p, c, ct) =>
        {
            var json = await c.Client.SendAsync(HttpMethod.Post, $"api/nics/{TwinClient.Segment(p.GetValue(allocNic)!)}/allocate",
                new AllocateVfBody(ParseVnic(p.GetValue(allocVnic)!), p.GetValue(weight), p.GetValue(allocQp)), ct);
            var result = json.Deserialize<VfAllocationResult>(TwinJson.Reading)!;
            if (!AsJson(c, json))
                c.Output.Record([("granted", result.Granted ? "yes" : "no"), ("vf", N(result.VfIndex)), ("reason", result.Reason ?? ""), ("operation", result.Operation)],
                    (f, v) => f == "granted" ? v == "yes" ? Ansi.Green : Ansi.Red : null);
            return result.Granted ? ExitCodes.Ok : ExitCodes.Failed;
        }));

        var releaseNic = NicArgument();
        var releaseVnic = VnicArgument();
        var claim = new Option<string?>("--claim") { Description = "Only the VF held under this claim (operation id)", HelpName = "OPERATION" };
        nic.Add(new Command("release", "Gives back the VF a vNIC holds on the PF") { releaseNic, releaseVnic, claim }
            .Client(g, console, (p, c, ct) => Operation(c, HttpMethod.Post, $"api/nics/{TwinClient.Segment(p.GetValue(releaseNic)!)}/release",
                new ReleaseVfBody(ParseVnic(p.GetValue(releaseVnic)!), p.GetValue(claim)), ct)));

        var showNic = NicArgument();
        nic.Add(new Command("show", "One PF: its counters, VF holders and waiting vNICs") { showNic }.Client(g, console, async (p, c, ct) =>
        {
            var (n, json) = await c.Client.GetAsync<NicSnapshot>($"api/nics/{TwinClient.Segment(p.GetValue(showNic)!)}", ct);
            if (AsJson(c, json)) return ExitCodes.Ok;
            c.Output.Record(
            [
                ("id", n.Id), ("host", n.Host.Value), ("platform", n.Platform.ToString()), ("model", $"{n.Model} ({n.Vendor})"), ("pci", n.PciAddress),
                ("status", n.Status.ToString()), ("link", $"{n.LinkMbps} Mbit/s"), ("sriov", n.SriovEnabled ? "on" : "off"),
                ("ceiling", N(n.Ceiling)), ("configured", N(n.Configured)), ("allocatable", N(n.Allocatable)), ("allocated", N(n.Allocated)),
                ("free", N(n.Free)), ("waiting", N(n.Waiting.Count)), ("pending", n.PendingVfs is null ? "-" : $"{n.PendingVfs} VFs after reboot"),
                ("policy", n.Policy.ToString()),
            ], (f, v) => f == "status" ? StatusColour(v) : null);
            if (c.Output.Format == OutputFormat.Csv) return ExitCodes.Ok;
            c.Console.Line("");
            c.Output.Table([new("VF"), new("HOLDER"), new("CLAIM"), new("WEIGHT"), new("QUEUE_PAIRS"), new("POOL")],
                n.Slots.Select(s => (string?[])[N(s.Index), s.Holder?.ToString() ?? "-", s.Claim.Value, N(s.Weight), N(s.QueuePairs), s.ResourcePool ?? "-"]),
                "VFS");
            c.Console.Line("");
            c.Output.Table([new("VNIC"), new("WEIGHT"), new("QUEUE_PAIRS"), new("SINCE_OPERATION")],
                n.Waiting.Select(w => (string?[])[w.Vnic.ToString(), N(w.Weight), N(w.QueuePairs), w.Op.Value]), "WAITING");
            return ExitCodes.Ok;
        }));
        root.Add(nic);
    }

    private static Command WithCount(string verb, string description, GlobalOptions g, CliConsole console, bool asOption)
    {
        var arg = NicArgument();
        var command = new Command(verb, description) { arg };
        Func<ParseResult, int> count;
        if (asOption)
        {
            var vfs = new Option<int>("--vfs") { Description = "Number of VFs", Required = true, HelpName = "N" };
            command.Add(vfs);
            count = p => p.GetValue(vfs);
        }
        else
        {
            var vfs = new Argument<int>("VFS") { Description = "Number of VFs" };
            command.Add(vfs);
            count = p => p.GetValue(vfs);
        }
        return command.Client(g, console, (p, c, ct) =>
            Operation(c, HttpMethod.Post, $"api/nics/{TwinClient.Segment(p.GetValue(arg)!)}/{verb}", new VfCountBody(count(p)), ct));
    }

    private static Argument<string> NicArgument() => new("NIC") { Description = "PF id, e.g. host-07/0000:3b:00.0" };

    internal static Argument<string> VnicArgument() => new("VNIC") { Description = "vNIC as VM/NAME, e.g. vm-42/net0" };

    /// <summary>"vm-42/net0" → (vm-42, net0); the adapter name is what follows the last slash.</summary>
    internal static VnicRef ParseVnic(string text)
    {
        var slash = text.LastIndexOf('/');
        if (slash <= 0 || slash == text.Length - 1)
            throw new CliException(ExitCodes.Usage, $"twin: '{text}' is not a vNIC; write VM/NAME, e.g. vm-42/net0");
        return new VnicRef(new VmId(text[..slash]), text[(slash + 1)..]);
    }

    /// <summary>"0-3,8" → 0, 1, 2, 3, 8.</summary>
    internal static IReadOnlyList<int> Indices(string text)
    {
        var result = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', 2);
            if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || range.Length == 2 && !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                throw new CliException(ExitCodes.Usage, $"twin: '{part}' is not a VF index or range (e.g. 0-3,8)");
            var to = range.Length == 2 ? int.Parse(range[1], CultureInfo.InvariantCulture) : from;
            if (to < from) throw new CliException(ExitCodes.Usage, $"twin: the range '{part}' runs backwards");
            for (var i = from; i <= to; i++) result.Add(i);
        }
        return result;
    }
}
