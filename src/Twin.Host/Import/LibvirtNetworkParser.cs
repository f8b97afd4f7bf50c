using System.Xml.Linq;
using Twin.Events.Platforms;
using Twin.Events.Switches;

namespace Twin.Host.Import;

/// <summary>
/// <c>virsh net-dumpxml</c>. <c>&lt;forward mode='hostdev'&gt;</c> is a VFIO VF pool: a <see cref="SwitchKind.HostdevPool"/>
/// switch and a pool of the VFs of <c>&lt;pf dev=...&gt;</c> (every VF of that PF) or of the listed
/// <c>&lt;address&gt;</c>es. <c>mode='passthrough'</c> (macvtap) also names a <c>&lt;pf&gt;</c> but hands VF netdevs
/// to guests through macvtap, not VFIO: it is an external switch without IOV. Other modes are ordinary switches.
/// </summary>
internal static class LibvirtNetworkParser
{
    public static void Parse(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.Kvm;
        foreach (var network in LibvirtXml.LoadElements(text, ctx))
        {
            if (network.Name.LocalName != "network") throw ctx.Error(network, $"<{network.Name.LocalName}>", "is not a <network>");
            Network(network, ctx);
        }
    }

    private static void Network(XElement network, ParseContext ctx)
    {
        var name = network.Element("name")?.Value.Trim();
        if (string.IsNullOrEmpty(name)) throw ctx.Error(network, "<network> <name>", "is missing");
        var line = ParseContext.LineOf(network);
        var forward = network.Element("forward");
        var mode = forward?.Attribute("mode")?.Value.Trim() ?? (forward is null ? "none" : "nat");
        var pfDev = forward?.Element("pf")?.Attribute("dev")?.Value.Trim();
        var pfRef = string.IsNullOrEmpty(pfDev) ? null : NicRef.By(AliasKind.Netdev, pfDev);
        var output = ctx.Output;
        switch (mode)
        {
            case "hostdev":
                {
                    var addresses = forward!.Elements("address").Select(a => LibvirtXml.Address(a, ctx, "<forward mode='hostdev'>")).ToList();
                    if (pfRef is null && addresses.Count == 0)
                        throw ctx.Error(forward, "<forward mode='hostdev'>", "has neither <pf dev=...> nor <address> entries");
                    if (forward.Elements("pf").Count() > 1)
                        ctx.Warn(ParseContext.LineOf(forward), $"network {name}: libvirt uses only one <pf>; the first ({pfDev}) is read");
                    output.Switches.Add(new(null, name, SwitchKind.HostdevPool, pfRef, true, line, addresses.Count > 0 ? addresses : null, pfRef is not null));
                    break;
                }
            case "passthrough":
                {
                    var interfaces = forward!.Elements("interface").Select(i => i.Attribute("dev")?.Value).OfType<string>().ToList();
                    output.Switches.Add(new(null, name, SwitchKind.External, pfRef, false, line));
                    ctx.Info(line, $"network {name}: forward mode='passthrough' is macvtap over VF netdevs ({(pfDev is null ? "" : $"pf {pfDev}, ")}" +
                                   $"{interfaces.Count} interface(s)), not a VFIO VF pool: imported as an external switch without IOV");
                    break;
                }
            case "bridge" or "private" or "vepa":
                {
                    var dev = forward?.Element("interface")?.Attribute("dev")?.Value ?? pfDev;
                    output.Switches.Add(new(null, name, SwitchKind.External, dev is null ? null : NicRef.By(AliasKind.Netdev, dev), false, line));
                    break;
                }
            default:
                output.Switches.Add(new(null, name, SwitchKind.Internal, null, false, line));
                break;
        }
    }
}
