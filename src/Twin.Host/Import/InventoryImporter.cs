using System.Text.RegularExpressions;
using Twin.Events.Inventory;

namespace Twin.Host.Import;

/// <summary>
/// <c>twin import</c>: reads real inventory captures (libvirt, sysfs, iproute2, Hyper-V, ESXi/vSphere, OpenStack
/// Placement, Kubernetes SR-IOV) into one <see cref="Topology"/>. Parsing is a pure function of the texts: the same
/// captures give the same topology (sorted, nothing time-dependent). A malformed capture throws
/// <see cref="ImportException"/> naming the file, line and field, and nothing is returned; what can be read but not
/// placed, or what captures disagree on, becomes a <see cref="Diagnostic"/>.
/// </summary>
public static partial class InventoryImporter
{
    /// <summary>Imports captures given as (source name, text); every file uses <paramref name="options"/>' host.</summary>
    public static ImportResult Import(IEnumerable<(string SourceName, string Text)> files, ImportOptions? options = null) =>
        Import(files.Select(f => new CaptureFile(f.SourceName, f.Text)), options);

    /// <summary>Imports one capture read from <paramref name="reader"/>.</summary>
    public static ImportResult Import(string sourceName, TextReader reader, ImportOptions? options = null) =>
        Import([new CaptureFile(sourceName, reader.ReadToEnd())], options);

    /// <summary>Imports captures, each possibly tied to a host (<see cref="CaptureFile.Host"/>, e.g. its folder).</summary>
    public static ImportResult Import(IEnumerable<CaptureFile> files, ImportOptions? options = null)
    {
        options ??= ImportOptions.Default;
        var parsed = new List<(CaptureFile, Observations)>();
        var skipped = new List<Diagnostic>();
        foreach (var file in files)
        {
            var format = options.Format ?? Detect(file.SourceName, file.Text, options.SkipUnknown);
            if (format is null)
            {
                skipped.Add(new(DiagnosticSeverity.Warning, file.SourceName, null, "not a recognised capture format; skipped"));
                continue;
            }
            parsed.Add((file, Parse(file, format.Value)));
        }
        var result = Assembler.Assemble(parsed, options);
        return skipped.Count == 0 ? result : result with { Diagnostics = [.. skipped, .. result.Diagnostics] };
    }

    /// <summary>The format of a capture, from its content. Throws <see cref="ImportException"/> naming the file and the
    /// supported formats when none fits.</summary>
    public static ImportFormat Detect(string sourceName, string text) => Detect(sourceName, text, skipUnknown: false)!.Value;

    private static ImportFormat? Detect(string sourceName, string text, bool skipUnknown)
    {
        var format = TryDetect(sourceName, text);
        if (format is null && !skipUnknown)
            throw new ImportException(sourceName, null, null, "",
                $"is not a capture format Twin recognises. Supported formats: {ImportFormats.Supported} " +
                "(libvirt nodedev/network/domain XML, Linux sysfs ttar or tree, ip -j link / ip link text, Hyper-V Format-List text or ConvertTo-Json, " +
                "esxcli sriovnic / vf / vm process lists, vSphere HostSriovInfo JSON, OpenStack Placement JSON, Kubernetes SR-IOV operator and device-plugin YAML/JSON, " +
                "sriov-network-metrics-exporter text, Twin host facts with kind: TwinHost); name one with --format");
        return format;
    }

    [GeneratedRegex(@"^\s*-?\s*(apiVersion|kind|pciAddress|Vfs|resourceList|interfaces|status)\s*:", RegexOptions.Multiline)]
    private static partial Regex KubernetesKeys();

    [GeneratedRegex(@"<([A-Za-z_][\w.-]*)")]
    private static partial Regex XmlElement();

    private static ImportFormat? TryDetect(string sourceName, string text)
    {
        var body = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (body.Length == 0) return null;
        if (HostFactsParser.Looks(body)) return ImportFormat.TwinHostFacts;
        if (body[0] == '<')
        {
            var root = XmlElement().Matches(StripXmlProlog(body)).FirstOrDefault()?.Groups[1].Value;
            return root switch
            {
                "device" => ImportFormat.LibvirtNodeDevice,
                "network" => ImportFormat.LibvirtNetwork,
                "domain" => ImportFormat.LibvirtDomain,
                _ => null,
            };
        }
        // '[' also starts an ESXi prompt ("[root@esx01:~] esxcli ..."): only JSON-looking text is read as JSON.
        if (body[0] == '{' || (body[0] == '[' && body.Length > 1 && body[1..].TrimStart() is { Length: > 0 } rest && rest[0] is '{' or '[' or '"' or ']' or '-' or (>= '0' and <= '9')))
        {
            var ctx = new ParseContext(sourceName, new Observations(sourceName, ImportFormat.IpLinkJson));
            var json = JsonText.Parse(text, ctx);
            if (json is DataList list && list.Items.Count > 0 && list.Items.All(i => i is DataMap m && m.Has("ifname"))) return ImportFormat.IpLinkJson;
            if (PlacementParser.Looks(json)) return ImportFormat.PlacementJson;
            if (VSphereSriovParser.Looks(json)) return ImportFormat.VSphereSriovJson;
            if (HyperVParser.LooksLikeJson(json)) return ImportFormat.HyperVJson;
            return KubernetesParser.Detect([json]);
        }
        if (SysfsParser.LooksLikeTtar(text)) return ImportFormat.SysfsTtar;
        if (PrometheusParser.Looks(text)) return ImportFormat.PrometheusSriovMetrics;
        if (EsxcliParser.Detect(text) is { } esx) return esx;
        if (HyperVParser.LooksLikeFormatList(text)) return ImportFormat.HyperVText;
        if (KubernetesParser.LooksLikeDescribe(text)) return ImportFormat.K8sNodeAllocatable;
        if (IpLinkParser.LooksLikeText(text)) return ImportFormat.IpLinkText;
        var looksKubernetes = KubernetesKeys().IsMatch(text);
        try
        {
            var docs = YamlText.Parse(text, new ParseContext(sourceName, new Observations(sourceName, ImportFormat.K8sSriovNodeState)));
            return KubernetesParser.Detect(docs);
        }
        catch (ImportException) when (!looksKubernetes)
        {
            return null;
        }
    }

    private static string StripXmlProlog(string body) =>
        Regex.Replace(body, @"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", RegexOptions.Singleline);

    private static Observations Parse(CaptureFile file, ImportFormat format)
    {
        var obs = new Observations(file.SourceName, format);
        var ctx = new ParseContext(file.SourceName, obs);
        switch (format)
        {
            case ImportFormat.LibvirtNodeDevice: LibvirtNodeDeviceParser.Parse(file.Text, ctx); break;
            case ImportFormat.LibvirtNetwork: LibvirtNetworkParser.Parse(file.Text, ctx); break;
            case ImportFormat.LibvirtDomain: LibvirtDomainParser.Parse(file.Text, ctx); break;
            case ImportFormat.SysfsTtar: SysfsParser.Parse(file.Text, ctx); break;
            case ImportFormat.IpLinkJson: IpLinkParser.ParseJson(file.Text, ctx); break;
            case ImportFormat.IpLinkText: IpLinkParser.ParseText(file.Text, ctx); break;
            case ImportFormat.HyperVText: HyperVParser.ParseText(file.Text, ctx); break;
            case ImportFormat.HyperVJson: HyperVParser.ParseJson(file.Text, ctx); break;
            case ImportFormat.EsxcliSriovNicList or ImportFormat.EsxcliSriovNicVfList or ImportFormat.EsxcliVmProcessList
                or ImportFormat.EsxcliIntnetVfGet or ImportFormat.EsxcliSession:
                EsxcliParser.Parse(file.Text, format, ctx);
                break;
            case ImportFormat.VSphereSriovJson: VSphereSriovParser.Parse(file.Text, ctx); break;
            case ImportFormat.PlacementJson: PlacementParser.Parse(file.Text, ctx); break;
            case ImportFormat.K8sNodeAllocatable when !file.Text.TrimStart().StartsWith('{') && KubernetesParser.LooksLikeDescribe(file.Text):
                KubernetesParser.ParseDescribe(file.Text, ctx);
                break;
            case ImportFormat.K8sSriovNodeState or ImportFormat.K8sSriovNodePolicy or ImportFormat.K8sDevicePluginConfig or ImportFormat.K8sNodeAllocatable:
                KubernetesParser.Parse(YamlOrJson(file.Text, ctx), format, ctx);
                break;
            case ImportFormat.PrometheusSriovMetrics: PrometheusParser.Parse(file.Text, ctx); break;
            case ImportFormat.TwinHostFacts: HostFactsParser.Parse(file.Text, ctx); break;
            default: throw new ImportException(file.SourceName, null, null, "", $"format {format} is not supported");
        }
        return obs;
    }

    private static IReadOnlyList<DataNode> YamlOrJson(string text, ParseContext ctx) =>
        text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n') is { Length: > 0 } t && t[0] is '{' or '['
            ? [JsonText.Parse(text, ctx)]
            : YamlText.Parse(text, ctx);
}
