using System.CommandLine;
using Twin.Events.Common;
using Twin.Events.Switches;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using static Twin.Host.Cli.Render;

namespace Twin.Host.Cli;

/// <summary><c>twin switch …</c>: virtual switches.</summary>
internal static class SwitchVerbs
{
    public static void AddTo(RootCommand root, GlobalOptions g, CliConsole console)
    {
        var id = new Argument<string>("SWITCH") { Description = "Switch id, e.g. host-07/vswitch-iov" };
        var host = new Option<string>("--host") { Description = "Host the switch is on", Required = true, HelpName = "HOST" };
        var name = new Option<string?>("--name") { Description = "Its name on the host [default: the id's last part]" };
        var kind = new Option<SwitchKind>("--kind") { Description = "External, Internal, Private or HostdevPool", DefaultValueFactory = _ => SwitchKind.External };
        var nic = new Option<string?>("--nic") { Description = "PF it is bound to (external and hostdev switches)", HelpName = "NIC" };
        var iov = new Option<bool>("--iov") { Description = "Create it with SR-IOV (Hyper-V: only possible now)" };
        var create = new Command("create", "Creates a virtual switch") { id, host, name, kind, nic, iov }.Client(g, console, (p, c, ct) =>
        {
            var switchId = p.GetValue(id)!;
            var body = new CreateSwitch(new SwitchId(switchId), new HostId(p.GetValue(host)!), p.GetValue(name) ?? switchId[(switchId.LastIndexOf('/') + 1)..],
                p.GetValue(kind), p.GetValue(nic) is { Length: > 0 } n ? new NicId(n) : null, p.GetValue(iov));
            return Operation(c, HttpMethod.Post, "api/switches", body, ct);
        });

        var setId = new Argument<string>("SWITCH") { Description = "Switch id" };
        var onOff = OnOff("IOV");
        var setIov = new Command("set-iov", "Turns IOV on or off on an existing switch (Hyper-V refuses: the answer is the recreate plan and the vNICs it disconnects)")
            { setId, onOff }.Client(g, console, (p, c, ct) =>
                Operation(c, HttpMethod.Put, $"api/switches/{TwinClient.Segment(p.GetValue(setId)!)}/iov", new SwitchIovBody(p.GetValue(onOff) == "on"), ct));

        var recreateId = new Argument<string>("SWITCH") { Description = "Switch id" };
        var recreateIov = new Option<string>("--iov") { Description = "IOV of the new switch: on or off", Required = true, HelpName = "on|off" };
        recreateIov.AcceptOnlyFromAmong("on", "off");
        var recreate = new Command("recreate", "Deletes and recreates a switch with another IOV mode: its vNICs are disconnected, reconnected, and ask for VFs again")
            { recreateId, recreateIov }.Client(g, console, (p, c, ct) =>
                Operation(c, HttpMethod.Post, $"api/switches/{TwinClient.Segment(p.GetValue(recreateId)!)}/recreate", new SwitchIovBody(p.GetValue(recreateIov) == "on"), ct));

        root.Add(new Command("switch", "Virtual switches: create, set-iov, recreate") { create, setIov, recreate });
    }

    internal static Argument<string> OnOff(string what)
    {
        var argument = new Argument<string>(what) { Description = "on or off", HelpName = "on|off" };
        argument.AcceptOnlyFromAmong("on", "off");
        return argument;
    }
}
