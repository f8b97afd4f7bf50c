using System.Globalization;
using System.Text.RegularExpressions;

namespace Twin.Host.Import;

/// <summary>
/// Kubernetes SR-IOV captures (YAML or JSON). <c>SriovNetworkNodeState</c> <c>status.interfaces</c> are PFs (pciAddress,
/// totalvfs = ceiling, numVfs = configured, deviceID, vendor, driver, name = netdev, Vfs with vfID); the node is
/// <c>metadata.name</c>. <c>SriovNetworkNodePolicy</c> and the device-plugin ConfigMap's <c>resourceList</c> are pool
/// selectors, matched against the PFs of the import. <c>status.allocatable</c> (JSON or <c>kubectl describe</c>) gives
/// each extended resource's count.
/// </summary>
internal static partial class KubernetesParser
{
    /// <summary>The device plugin's default <c>resourcePrefix</c>.</summary>
    public const string DevicePluginPrefix = "intel.com";

    /// <summary>The SR-IOV network operator's default resource prefix (SRIOV_RESOURCE_PREFIX).</summary>
    public const string OperatorPrefix = "openshift.io";

    [GeneratedRegex(@"^([0-9]+)\s*(Mb/s|Mbps|Gb/s|Gbps)?", RegexOptions.IgnoreCase)]
    private static partial Regex LinkSpeed();

    [GeneratedRegex(@"^([0-9.]+)(?:[eE]([0-9]+))?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$")]
    private static partial Regex Quantity();

    public static ImportFormat? Detect(IReadOnlyList<DataNode> docs)
    {
        foreach (var doc in docs)
        {
            if (doc is DataMap m)
            {
                var kind = m.Str("kind");
                switch (kind)
                {
                    case "SriovNetworkNodeState" or "SriovNetworkNodeStateList": return ImportFormat.K8sSriovNodeState;
                    case "CustomResourceDefinition" when (m.Map("spec")?.Map("names")?.Str("kind") ?? "").StartsWith("SriovNetwork", StringComparison.Ordinal):
                        return ImportFormat.K8sSriovNodeState;
                    case "SriovNetworkNodePolicy" or "SriovNetworkNodePolicyList": return ImportFormat.K8sSriovNodePolicy;
                    case "ConfigMap" when m.Map("data")?.Get("config.json") is not null: return ImportFormat.K8sDevicePluginConfig;
                    case "Node" or "NodeList": return ImportFormat.K8sNodeAllocatable;
                    case "List" when Data.Many(m.Get("items")).OfType<DataMap>().FirstOrDefault() is { } first:
                        return Detect([first]);
                }
                if (m.Has("resourceList")) return ImportFormat.K8sDevicePluginConfig;
                if (m.Map("status")?.Get("interfaces") is not null) return ImportFormat.K8sSriovNodeState;
                if (m.Map("status")?.Map("allocatable") is not null || m.Map("allocatable") is not null) return ImportFormat.K8sNodeAllocatable;
                if (m.Entries.Count > 0 && m.Entries.All(e => e.Value is DataScalar) && (m.Has("cpu") || m.Has("pods") || m.Entries.Any(e => e.Key.Contains('/', StringComparison.Ordinal))))
                    return ImportFormat.K8sNodeAllocatable;
            }
            if (doc is DataList l && l.Items.OfType<DataMap>().Any(i => i.Has("pciAddress"))) return ImportFormat.K8sSriovNodeState;
        }
        return null;
    }

    public static bool LooksLikeDescribe(string text) => Regex.IsMatch(text, @"^Allocatable:\s*$", RegexOptions.Multiline);

    public static void Parse(IReadOnlyList<DataNode> docs, ImportFormat format, ParseContext ctx)
    {
        ctx.Output.PlatformIsCertain = false;
        if (docs is [DataMap single] && single.Map("metadata")?.Str("name") is { } name && single.Str("kind") is "SriovNetworkNodeState" or "Node")
            ctx.Output.NamedHost = name;
        foreach (var doc in docs) Document(doc, format, ctx);
    }

    private static void Document(DataNode doc, ImportFormat format, ParseContext ctx)
    {
        if (doc is DataList list)
        {
            if (format != ImportFormat.K8sSriovNodeState) throw ctx.Error(doc, "is a list, not a Kubernetes object");
            ctx.Info(doc.Line, "a status.interfaces excerpt: the node is not named in it");
            Interfaces(list, null, ctx);
            return;
        }
        if (doc is not DataMap m) return;
        var kind = m.Str("kind");
        if (m.Get("items") is { } items && (kind?.EndsWith("List", StringComparison.Ordinal) ?? false))
        {
            foreach (var item in Data.Many(items)) Document(item, format, ctx);
            return;
        }
        var node = m.Map("metadata")?.Str("name");
        switch (format)
        {
            case ImportFormat.K8sSriovNodeState when kind == "CustomResourceDefinition":
                ctx.Info(m.Line, $"CustomResourceDefinition {node}: a schema, not an inventory; nothing imported");
                break;
            case ImportFormat.K8sSriovNodeState:
                if (m.Map("status")?.Get("interfaces") is not { } ifaces)
                {
                    ctx.Info(m.Line, $"SriovNetworkNodeState {node ?? "(unnamed)"} has no status.interfaces");
                    break;
                }
                if (node is null) ctx.Info(m.Line, "SriovNetworkNodeState without metadata.name: the node is the file's host");
                Interfaces(ifaces, node, ctx);
                break;
            case ImportFormat.K8sSriovNodePolicy:
                Policy(m, ctx);
                break;
            case ImportFormat.K8sDevicePluginConfig:
                DevicePlugin(m, ctx);
                break;
            case ImportFormat.K8sNodeAllocatable:
                var alloc = m.Map("status")?.Map("allocatable") ?? m.Map("allocatable") ?? m;
                Allocatable(alloc.Entries.Select(e => (e.Key, Data.Str(e.Value), e.Value.Line, (DataNode?)e.Value)), node, ctx);
                break;
        }
    }

    private static void Interfaces(DataNode interfaces, string? node, ParseContext ctx)
    {
        foreach (var item in Data.Many(interfaces))
        {
            if (item is not DataMap i) throw ctx.Error(item, "is not an interface");
            var pciText = i.Str("pciAddress") ?? throw ctx.Error(i, "has no pciAddress");
            var pci = Pci.TryParseHex(pciText) ?? throw ctx.Error(i.Get("pciAddress")!, $"'{pciText}' is not a PCI address");
            var o = ctx.Output.Pf(pci, i.Line, node).Alias(AliasKind.Netdev, i.Str("name"));
            o.AssertsPf = true;
            o.VendorId = Vendors.Hex4(i.Str("vendor"));
            o.Vendor = Vendors.FromId(o.VendorId);
            o.DeviceId = Vendors.Hex4(i.Str("deviceID"));
            o.Model = Vendors.DeviceName(o.VendorId, o.DeviceId);
            o.Driver = i.Str("driver");
            o.MaxVfs = i.Int("totalvfs", ctx);
            if (i.Str("linkSpeed") is { } speed && LinkSpeed().Match(speed.Trim()) is { Success: true } sm)
            {
                if (!int.TryParse(sm.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v > int.MaxValue / 1000)
                    throw ctx.Error(i.Get("linkSpeed")!, $"'{speed}' is out of range");
                o.LinkMbps = sm.Groups[2].Value.StartsWith('G') ? v * 1000 : v;
            }
            var vfs = Data.Many(i.Get("Vfs"));
            o.ConfiguredVfs = i.Int("numVfs", ctx) ?? vfs.Count;
            o.SriovEnabled = o.ConfiguredVfs > 0;
            if (o.MaxVfs is not null) o.PfDriverSupportsSriov = true;
            else ctx.Info(i.Line, $"{pci}: no totalvfs: ceiling not reported, not zero");
            var missingIds = false;
            for (var n = 0; n < vfs.Count; n++)
            {
                if (vfs[n] is not DataMap vf) throw ctx.Error(vfs[n], "is not a VF");
                var vfText = vf.Str("pciAddress") ?? throw ctx.Error(vf, "has no pciAddress");
                var vfPci = Pci.TryParseHex(vfText) ?? throw ctx.Error(vf.Get("pciAddress")!, $"'{vfText}' is not a PCI address");
                var id = vf.Int("vfID", ctx);
                missingIds |= id is null;
                var deviceId = Vendors.Hex4(vf.Str("deviceID"));
                o.VfDeviceId ??= deviceId;
                ctx.Output.Vfs.Add(new(node, vfPci, NicRef.ByPci(pci), id ?? n, vf.Line, deviceId, vf.Str("driver")));
            }
            if (missingIds) ctx.Info(i.Line, $"{pci}: Vfs without vfID: indices taken from list order");
            if (vfs.Count > 0 && vfs.Count != o.ConfiguredVfs)
                ctx.Warn(i.Line, $"{pci}: numVfs {o.ConfiguredVfs} but {vfs.Count.ToString(CultureInfo.InvariantCulture)} Vfs listed");
        }
    }

    private static void Policy(DataMap m, ParseContext ctx)
    {
        var spec = m.Map("spec") ?? throw ctx.Error(m, "has no spec");
        var name = spec.Str("resourceName") ?? throw ctx.Error(spec, "has no resourceName");
        var selector = spec.Map("nicSelector") ?? throw ctx.Error(spec, "has no nicSelector");
        var numVfs = spec.Int("numVfs", ctx) ?? throw ctx.Error(spec, "has no numVfs");
        var vendor = selector.Str("vendor");
        var device = selector.Str("deviceID");
        ctx.Output.Selectors.Add(new(null, $"{OperatorPrefix}/{name}", vendor is null ? [] : [vendor], [], device is null ? [] : [device], [],
            selector.Strings("pfNames"), selector.Strings("rootDevices"), numVfs, true, m.Line));
        ctx.Info(m.Line, $"SriovNetworkNodePolicy {m.Map("metadata")?.Str("name")}: desired state (numVfs {numVfs.ToString(CultureInfo.InvariantCulture)}, " +
                         $"resource {OperatorPrefix}/{name}); it becomes a pool on the PFs of the import it selects; nodeSelector is not evaluated");
    }

    private static void DevicePlugin(DataMap m, ParseContext ctx)
    {
        var config = m;
        if (m.Str("kind") == "ConfigMap")
        {
            var node = m.Map("data")!.Get("config.json")!;
            var json = Data.Str(node) ?? throw ctx.Error(node, "is empty");
            // A literal block scalar's text starts on the line after its '|' indicator.
            config = JsonText.Parse(json, ctx, lineOffset: node.Line) as DataMap ?? throw ctx.Error(node, "is not a JSON object");
        }
        var resources = config.Get("resourceList") ?? throw ctx.Error(config, "has no resourceList");
        foreach (var item in Data.Many(resources))
        {
            if (item is not DataMap r) throw ctx.Error(item, "is not a resource");
            var name = r.Str("resourceName") ?? throw ctx.Error(r, "has no resourceName");
            var prefix = r.Str("resourcePrefix") ?? config.Str("resourcePrefix") ?? DevicePluginPrefix;
            var selectors = Data.Many(r.Get("selectors"));
            if (selectors.Count == 0) throw ctx.Error(r, "has no selectors");
            foreach (var s in selectors)
            {
                if (s is not DataMap sel) throw ctx.Error(s, "is not a selector object");
                if (sel.Bool("isRdma", ctx) == true || sel.Strings("linkTypes").Count > 0 || sel.Strings("pciAddresses").Count > 0)
                    ctx.Info(sel.Line, $"{prefix}/{name}: isRdma / linkTypes / pciAddresses selectors are not evaluated");
                ctx.Output.Selectors.Add(new(null, $"{prefix}/{name}", sel.Strings("vendors"), sel.Strings("devices"), [], sel.Strings("drivers"),
                    sel.Strings("pfNames"), sel.Strings("rootDevices"), null, false, sel.Line));
            }
        }
    }

    /// <summary>The <c>Allocatable:</c> block of <c>kubectl describe node</c> (and its <c>Name:</c>).</summary>
    public static void ParseDescribe(string text, ParseContext ctx)
    {
        ctx.Output.PlatformIsCertain = false;
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        string? node = null;
        var entries = new List<(string, string?, int, DataNode?)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("Name:", StringComparison.Ordinal)) node = lines[i][5..].Trim();
            if (lines[i].Trim() != "Allocatable:") continue;
            for (var j = i + 1; j < lines.Length && lines[j].StartsWith(' '); j++)
            {
                var colon = lines[j].IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) entries.Add((lines[j][..colon].Trim(), lines[j][(colon + 1)..].Trim(), j + 1, null));
            }
        }
        Allocatable(entries, node, ctx);
    }

    private static void Allocatable(IEnumerable<(string Key, string? Value, int Line, DataNode? Node)> entries, string? node, ParseContext ctx)
    {
        var any = false;
        foreach (var (key, value, line, at) in entries)
        {
            // Extended resources are the names with a domain prefix; cpu, memory, pods and hugepages-* are not pools.
            if (!key.Contains('/', StringComparison.Ordinal)) continue;
            any = true;
            var count = ParseQuantity(value);
            if (count is null)
                throw at is null ? ctx.Error(line, null, key, $"'{value}' is not a Kubernetes quantity") : ctx.Error(at, $"'{value}' is not a Kubernetes quantity");
            if (count > int.MaxValue) throw ctx.Error(line, null, key, $"'{value}' is out of range");
            ctx.Output.Usages.Add(new(node, null, key, (int)count, null, line));
        }
        if (!any) ctx.Info(null, "no extended resources (domain/name) among the allocatable ones");
    }

    /// <summary>An integer Kubernetes quantity: <c>8</c>, <c>32k</c> (×1000), <c>1Ki</c> (×1024), <c>1e3</c>.</summary>
    internal static long? ParseQuantity(string? text)
    {
        if (text is null) return null;
        var m = Quantity().Match(text.Trim());
        if (!m.Success || !decimal.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return null;
        decimal factor = m.Groups[3].Value switch
        {
            "" => 1m,
            "m" => 0.001m,
            "k" => 1e3m, "M" => 1e6m, "G" => 1e9m, "T" => 1e12m, "P" => 1e15m, "E" => 1e18m,
            "Ki" => 1024m, "Mi" => 1024m * 1024, "Gi" => 1024m * 1024 * 1024, "Ti" => 1024m * 1024 * 1024 * 1024,
            "Pi" => 1024m * 1024 * 1024 * 1024 * 1024, "Ei" => 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
            _ => 1m,
        };
        // an exponent beyond 18 cannot give a count that fits a long (and would overflow decimal arithmetic)
        if (m.Groups[2].Success)
        {
            if (!int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exponent) || exponent > 18) return null;
            factor *= (decimal)Math.Pow(10, exponent);
        }
        decimal v;
        try
        {
            v = number * factor;
        }
        catch (OverflowException)
        {
            return null;
        }
        return v == decimal.Truncate(v) && v <= long.MaxValue ? (long)v : null;
    }
}
