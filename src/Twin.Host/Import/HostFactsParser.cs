using System.Globalization;
using System.Text.RegularExpressions;
using Twin.Events.Platforms;

namespace Twin.Host.Import;

/// <summary>
/// Twin's own host facts file (<c>kind: TwinHost</c>, YAML or JSON): what SR-IOV captures rarely say but the twin
/// needs to place VMs and check prerequisites — platform, host OS, cores and memory. One document per host; a YAML
/// stream may hold several. <c>name</c> defaults to the host of the file (its folder, or <c>--host</c>).
/// <code>
/// kind: TwinHost
/// name: kvm01            # optional
/// platform: kvm          # kvm | hyperv | vsphere
/// os: Ubuntu 24.04       # Hyper-V SR-IOV needs Windows Server 2016 or later
/// cores: 64
/// memoryGiB: 512         # or memoryMiB
/// </code>
/// The format is ours, so it is read strictly: an unknown key or a wrong value is an error naming the line.
/// </summary>
internal static partial class HostFactsParser
{
    public const string Kind = "TwinHost";

    private static readonly string[] Keys = ["kind", "apiVersion", "name", "platform", "os", "cores", "memoryGiB", "memoryMiB"];

    [GeneratedRegex(@"(^|[{,])\s*[""']?kind[""']?\s*:\s*[""']?TwinHost[""']?\s*([,}]|$)", RegexOptions.Multiline)]
    private static partial Regex KindLine();

    /// <summary>YAML or JSON text with a <c>kind: TwinHost</c> line.</summary>
    public static bool Looks(string text) => KindLine().IsMatch(text);

    public static void Parse(string text, ParseContext ctx)
    {
        // The file names its platform per host (HostObs.Platform); it is no platform sighting of its own.
        ctx.Output.PlatformIsCertain = false;
        var body = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        IReadOnlyList<DataNode> docs = body.Length > 0 && body[0] is '{' or '['
            ? Data.Many(JsonText.Parse(text, ctx))
            : YamlText.Parse(text, ctx);
        var seen = 0;
        foreach (var doc in docs)
        {
            if (doc is DataScalar { Kind: ScalarKind.Null }) continue;
            if (doc is not DataMap map) throw ctx.Error(doc, "is not a TwinHost map (kind, name, platform, os, cores, memoryGiB)");
            Host(map, ctx);
            seen++;
        }
        if (seen == 0) throw ctx.Error(1, null, "kind", "TwinHost document is empty");
    }

    private static void Host(DataMap map, ParseContext ctx)
    {
        foreach (var (key, node) in map.Entries)
            if (!Keys.Contains(key, StringComparer.Ordinal))
                throw ctx.Error(node, $"is not a TwinHost field (expected one of: {string.Join(", ", Keys)})");
        if (map.Str("kind") != Kind) throw ctx.Error(map.Get("kind") ?? map, $"must be '{Kind}'");
        var h = new HostObs { Host = NonEmpty(map, "name", ctx), Line = map.Line };
        if (map.Get("platform") is { } p) h.Platform = PlatformOf(p, ctx);
        h.Os = NonEmpty(map, "os", ctx);
        if (map.Get("cores") is { } c)
        {
            h.Cores = Data.Int(c, ctx);
            if (h.Cores is <= 0) throw ctx.Error(c, $"must be a positive number of cores, not {h.Cores}");
        }
        var gib = map.Double("memoryGiB", ctx);
        var mib = map.Double("memoryMiB", ctx);
        if (gib is not null && mib is not null) throw ctx.Error(map.Get("memoryMiB")!, "and memoryGiB are both given; keep one");
        if ((gib ?? mib) is { } m)
        {
            var node = map.Get(gib is not null ? "memoryGiB" : "memoryMiB")!;
            if (m <= 0 || double.IsNaN(m) || double.IsInfinity(m)) throw ctx.Error(node, $"must be a positive amount of memory, not {Show(m)}");
            var total = gib is not null ? m * 1024 : m;
            if (total > 1L << 40) throw ctx.Error(node, $"{Show(m)} is out of range");
            h.MemoryMiB = (long)Math.Round(total);
        }
        ctx.Output.Hosts.Add(h);
    }

    private static string? NonEmpty(DataMap map, string key, ParseContext ctx)
    {
        var node = map.Get(key);
        if (node is null or DataScalar { Kind: ScalarKind.Null }) return null;
        if (node is not DataScalar s || string.IsNullOrWhiteSpace(s.Text)) throw ctx.Error(node, "must be a non-empty text");
        return s.Text.Trim();
    }

    private static Platform PlatformOf(DataNode node, ParseContext ctx)
    {
        var text = Data.Str(node)?.Trim().ToLowerInvariant().Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        return text switch
        {
            "kvm" or "libvirt" or "qemu" => Platform.Kvm,
            "hyperv" => Platform.HyperV,
            "vsphere" or "esxi" or "vmware" => Platform.VSphere,
            _ => throw ctx.Error(node, $"'{Data.Str(node)}' is not a platform (kvm, hyperv or vsphere)"),
        };
    }

    private static string Show(double v) => v.ToString(CultureInfo.InvariantCulture);
}
