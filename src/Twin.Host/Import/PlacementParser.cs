using System.Globalization;
using System.Text.RegularExpressions;

namespace Twin.Host.Import;

/// <summary>
/// OpenStack Placement API JSON. A root provider with VCPU / MEMORY_MB is a compute node (a host); a provider with
/// <c>SRIOV_NET_VF</c> inventory is a PF (neutron and nova's PCI-in-placement nest one under the compute node; its name
/// may carry the PCI address or the netdev). Its pool capacity is total − reserved (allocation candidates report
/// capacity directly); usage is reported as an observed pool count. Recognised documents: a provider's
/// <c>inventories</c> or <c>usages</c> (the provider named by the file name, which these responses do not carry),
/// <c>allocation_requests</c> + <c>provider_summaries</c>, a <c>resource_providers</c> list (names the providers of
/// the whole import; entries may embed their <c>inventories</c> and <c>usages</c>), <c>resource_classes</c>, and the
/// per-project <c>usages</c> of microversion 1.38.
/// </summary>
internal static partial class PlacementParser
{
    public const string VfClass = "SRIOV_NET_VF";

    [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Uuid();

    public static bool Looks(DataNode root) =>
        root is DataMap m && (m.Has("inventories") || m.Has("allocation_requests") || m.Has("provider_summaries") || m.Has("resource_providers")
                              || m.Has("resource_classes") || (m.Has("usages") && !m.Has("diff")));

    public static void Parse(string text, ParseContext ctx)
    {
        ctx.Output.PlatformIsCertain = false;
        var root = (DataMap)JsonText.Parse(text, ctx);
        var fileProvider = Uuid().Match(ctx.Source) is { Success: true } u ? u.Value : Path.GetFileNameWithoutExtension(ctx.Source);
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (root.Get("resource_providers") is { } providers)
        {
            foreach (var p in Data.Many(providers).OfType<DataMap>())
            {
                var uuid = p.Str("uuid") ?? throw ctx.Error(p, "has no uuid");
                if (p.Str("name") is { } n) names[uuid] = n;
            }
            foreach (var (uuid, name) in names) ctx.Output.ProviderNames[uuid] = name;
            foreach (var p in Data.Many(providers).OfType<DataMap>())
            {
                var uuid = p.Str("uuid")!;
                var parent = p.Str("parent_provider_uuid");
                var rootUuid = p.Str("root_provider_uuid") ?? uuid;
                if (p.Map("inventories") is { } inv) Inventories(inv, uuid, rootUuid, parent is not null, ctx);
                if (p.Map("usages") is { } use) Usages(use, uuid, rootUuid, ctx);
            }
            ctx.Info(root.Line, $"resource provider list: {names.Count.ToString(CultureInfo.InvariantCulture)} provider name(s) used for this import");
        }
        if (root.Map("inventories") is { } inventories) Inventories(inventories, fileProvider, null, false, ctx);
        if (root.Map("usages") is { } usages)
        {
            if (usages.Entries.Any(e => e.Value is DataMap))
                ctx.Info(usages.Line, "per-project usages by consumer type (microversion 1.38): not tied to a provider; nothing imported");
            else Usages(usages, fileProvider, null, ctx);
        }
        if (root.Map("provider_summaries") is { } summaries) Summaries(summaries, ctx);
        if (root.Get("resource_classes") is { } classes)
        {
            var hasVf = Data.Many(classes).OfType<DataMap>().Any(c => c.Str("name") == VfClass);
            ctx.Info(classes.Line, $"resource class list ({(hasVf ? "defines" : "does not define")} {VfClass}): reference data, nothing imported");
        }
    }

    /// <summary>A provider's inventory. <paramref name="host"/> is its compute node (null: the file's host, for a lone
    /// inventories response); <paramref name="nested"/> says the provider is a child of that compute node.</summary>
    private static void Inventories(DataMap inventories, string provider, string? host, bool nested, ParseContext ctx)
    {
        int Field(DataMap rc, string key, string cls, bool required = true)
        {
            var v = rc.Int(key, ctx);
            if (v is null)
            {
                if (required) throw ctx.Error(rc, $"has no {key}");
                return key == "reserved" ? 0 : 1;
            }
            if (v < 0) throw ctx.Error(rc.Get(key)!, $"'{v}' is negative");
            return v.Value;
        }
        foreach (var (cls, value) in inventories.Entries)
        {
            if (value is not DataMap rc) throw ctx.Error(value, "is not an inventory record");
            var total = Field(rc, "total", cls);
            var reserved = Field(rc, "reserved", cls, required: false);
            var ratio = rc.Double("allocation_ratio", ctx) ?? 1.0;
            switch (cls)
            {
                case "VCPU" when !nested:
                    ctx.Output.Hosts.Add(new HostObs { Host = host, Cores = total, Line = rc.Line });
                    break;
                case "MEMORY_MB" when !nested:
                    ctx.Output.Hosts.Add(new HostObs { Host = host, MemoryMiB = total, Line = rc.Line });
                    break;
                case VfClass:
                    {
                        Field(rc, "min_unit", cls, required: false);
                        var maxUnit = rc.Int("max_unit", ctx);
                        var step = Field(rc, "step_size", cls, required: false);
                        if (reserved > total) throw ctx.Error(rc.Get("reserved")!, $"reserved {reserved} exceeds total {total}");
                        var nic = VfProvider(provider, host, nested, rc.Line, ctx);
                        nic.ConfiguredVfs = total;
                        nic.SriovEnabled = total > 0;
                        ctx.Output.Pools.Add(new(host, nic.Ref, VfClass, null, total - reserved, false, null, rc.Line));
                        if (Math.Abs(ratio - 1.0) > 1e-9)
                            ctx.Warn(rc.Line, $"{VfClass} allocation_ratio {ratio.ToString(CultureInfo.InvariantCulture)} would over-commit VFs; the pool is total − reserved = {(total - reserved).ToString(CultureInfo.InvariantCulture)}");
                        if (step != 1 || maxUnit is { } mu && mu < total - reserved)
                            ctx.Info(rc.Line, $"{VfClass}: at most {maxUnit?.ToString(CultureInfo.InvariantCulture) ?? "?"} per allocation, step {step.ToString(CultureInfo.InvariantCulture)} (not modelled)");
                        break;
                    }
            }
        }
        if (inventories.Get(VfClass) is null && !nested)
            ctx.Info(inventories.Line, $"no {VfClass} inventory for provider {provider}");
    }

    private static void Usages(DataMap usages, string provider, string? host, ParseContext ctx)
    {
        if (usages.Get(VfClass) is not { } node)
        {
            ctx.Info(usages.Line, $"no {VfClass} usage for provider {provider}");
            return;
        }
        var used = Data.Int(node, ctx) ?? 0;
        ctx.Output.Usages.Add(new(host, VfRef(provider), VfClass, null, used, node.Line));
    }

    private static void Summaries(DataMap summaries, ParseContext ctx)
    {
        foreach (var (uuid, value) in summaries.Entries)
        {
            if (value is not DataMap s) throw ctx.Error(value, "is not a provider summary");
            var resources = s.Map("resources");
            var parent = s.Str("parent_provider_uuid");
            var root = s.Str("root_provider_uuid") ?? uuid;
            var isCompute = resources is not null && (resources.Has("VCPU") || resources.Has("MEMORY_MB"));
            if (parent is null && isCompute) ctx.Output.Hosts.Add(new HostObs { Host = uuid, Line = s.Line });
            else if (parent is null && resources?.Get(VfClass) is null)
                ctx.Info(s.Line, $"provider {uuid} is not a compute node (traits {string.Join(", ", s.Strings("traits"))}); skipped");
            if (resources?.Map(VfClass) is not { } vf) continue;
            var capacity = vf.Int("capacity", ctx) ?? throw ctx.Error(vf, "has no capacity");
            var used = vf.Int("used", ctx) ?? 0;
            var nic = VfProvider(uuid, root, parent is not null, vf.Line, ctx);
            nic.ConfiguredVfs = capacity;
            nic.SriovEnabled = capacity > 0;
            ctx.Output.Pools.Add(new(root, nic.Ref, VfClass, null, capacity, false, null, vf.Line));
            ctx.Output.Usages.Add(new(root, nic.Ref, VfClass, capacity, used, vf.Line));
            if (s.Strings("traits").Contains("HW_NIC_SRIOV") && parent is null)
                ctx.Info(s.Line, $"provider {uuid} has trait HW_NIC_SRIOV");
        }
    }

    private static NicRef VfRef(string provider) => Pci.FindIn(provider) is { } pci ? NicRef.ByPci(pci) : NicRef.By(AliasKind.PlacementProvider, provider);

    /// <summary>The PF behind a provider holding SRIOV_NET_VF. A provider that is itself the compute node (the
    /// pre-nested model) gives no PF identity.</summary>
    private static PfObs VfProvider(string provider, string? host, bool nested, int line, ParseContext ctx)
    {
        var pci = Pci.FindIn(provider);
        var o = ctx.Output.Pf(pci, line, host);
        o.AssertsPf = true;
        o.PfDriverSupportsSriov = true;
        if (pci is null)
        {
            o.Alias(AliasKind.PlacementProvider, provider);
            // neutron names its providers "<host>:NIC Switch agent:<device>": the last part is the PF's netdev.
            var parts = provider.Split(':');
            if (parts.Length >= 3) o.Alias(AliasKind.Netdev, parts[^1]);
        }
        if (!nested)
            ctx.Info(line, $"{VfClass} on provider {provider}, which is not nested under a compute node: the PF is identified by the provider only");
        return o;
    }
}
