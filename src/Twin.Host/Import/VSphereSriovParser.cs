using System.Globalization;
using Twin.Events.Platforms;

namespace Twin.Host.Import;

/// <summary>
/// vSphere <c>HostSriovInfo</c> as JSON: raw objects (pyVmomi / govc, with the PF's PCI <c>id</c>), a list of them, or
/// the Ansible <c>vmware_host_sriov</c> result (<c>diff.after</c> keyed by host name; the state after the change).
/// <c>maxVirtualFunctionSupported</c> is the ceiling, <c>numVirtualFunction</c> the VFs in effect,
/// <c>numVirtualFunctionRequested</c> ≠ <c>numVirtualFunction</c> a change waiting for a host reboot (as is
/// <c>sriovEnabled</c> without <c>sriovActive</c>); <c>rebootRequired</c> comes from <c>host.summary</c> (a HostSystem-like
/// object with <c>name</c>, <c>summary.rebootRequired</c> and <c>config.pciPassthruInfo</c>) or, in the Ansible result,
/// from the entry itself.
/// </summary>
internal static class VSphereSriovParser
{
    public static bool Looks(DataNode root) => Infos(root, null).Any();

    public static void Parse(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.VSphere;
        var root = JsonText.Parse(text, ctx);
        var infos = Infos(root, null).ToList();
        if (infos.Count == 0) throw ctx.Error(root, "has no HostSriovInfo object (maxVirtualFunctionSupported / numVirtualFunction)");
        if (root is DataMap top && top.Map("diff") is { } diff && diff.Map("before") is not null)
            ctx.Info(diff.Line, "Ansible vmware_host_sriov result: the 'after' state is imported");
        foreach (var (host, info, reboot) in infos) Info(host, info, reboot, ctx);
    }

    /// <summary>The HostSriovInfo objects, the host each belongs to (null = the file's host) and the host's
    /// summary.rebootRequired when the capture has it.</summary>
    private static IEnumerable<(string? Host, DataMap Info, DataNode? Reboot)> Infos(DataNode node, string? host, DataNode? reboot = null)
    {
        switch (node)
        {
            case DataList l:
                foreach (var i in l.Items) foreach (var x in Infos(i, host, reboot)) yield return x;
                break;
            case DataMap m when IsInfo(m):
                yield return (host, m, reboot);
                break;
            case DataMap m when m.Map("diff") is { } diff:
                if ((diff.Map("after") ?? diff.Map("before")) is { } state)
                    foreach (var e in state.Entries)
                        if (e.Value is DataMap info && IsInfo(info)) yield return (e.Key, info, null);
                break;
            case DataMap m when m.Str("name") is { } name && m.Map("config")?.Get("pciPassthruInfo") is { } passthru:
                foreach (var x in Infos(passthru, name, m.Map("summary")?.Get("rebootRequired"))) yield return x;
                break;
            case DataMap m:
                foreach (var e in m.Entries)
                    if (e.Value is DataMap info && IsInfo(info)) yield return (e.Key, info, reboot);
                    else if (e.Value is DataList list) foreach (var x in Infos(list, host, reboot)) yield return x;
                break;
        }
    }

    private static bool IsInfo(DataMap m) => m.Get("maxVirtualFunctionSupported") is not null || m.Get("numVirtualFunctionRequested") is not null;

    private static void Info(string? host, DataMap info, DataNode? hostReboot, ParseContext ctx)
    {
        var pci = info.Str("id") is { } id ? Pci.TryParseHex(id) ?? throw ctx.Error(info.Get("id")!, $"'{id}' is not a PCI address") : null;
        var o = ctx.Output.Pf(pci, info.Line, host);
        if (pci is null)
        {
            var name = info.Str("device") ?? info.Str("vmnic");
            o.Alias(name is null ? AliasKind.Unnamed : AliasKind.VmNic, name ?? "unnamed-pf");
            if (name is null)
                ctx.Warn(info.Line, $"{host ?? "host"}: HostSriovInfo without the PF's PCI id or vmnic (the Ansible result omits it): keyed as 'unnamed-pf'");
        }
        o.AssertsPf = true;
        o.MaxVfs = info.Int("maxVirtualFunctionSupported", ctx);
        o.ConfiguredVfs = info.Int("numVirtualFunction", ctx);
        var requested = info.Int("numVirtualFunctionRequested", ctx);
        var enabled = info.Bool("sriovEnabled", ctx);
        var active = info.Bool("sriovActive", ctx);
        o.PfDriverSupportsSriov = info.Bool("sriovCapable", ctx);
        o.SriovEnabled = active ?? enabled;
        var reboot = info.Bool("rebootRequired", ctx);
        if (Data.Bool(hostReboot, ctx) is { } fromSummary) reboot = fromSummary;
        var label = $"{host ?? "host"} {(pci ?? o.Aliases.FirstOrDefault().Value)}";
        if (requested is { } r && r != (o.ConfiguredVfs ?? 0))
        {
            o.RequestedVfs = r;
            ctx.Info(info.Line, $"{label}: {r.ToString(CultureInfo.InvariantCulture)} VFs requested, {(o.ConfiguredVfs ?? 0).ToString(CultureInfo.InvariantCulture)} in effect: pending a host reboot" +
                                (reboot == true ? " (rebootRequired)" : ""));
        }
        if (enabled == true && active == false)
            ctx.Info(info.Line, $"{label}: SR-IOV enabled but not active until the host reboots");
        if (reboot == true && requested is null) ctx.Info(info.Line, $"{label}: the host needs a reboot for its SR-IOV settings");
    }
}
