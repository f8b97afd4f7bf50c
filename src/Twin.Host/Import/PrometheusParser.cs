using System.Globalization;
using System.Text.RegularExpressions;
using Twin.Events.Platforms;

namespace Twin.Host.Import;

/// <summary>
/// sriov-network-metrics-exporter text (<c>sriov_vf_*{numa_node,pciAddr,pf,vf}</c>): each distinct (pf, vf) is a
/// configured VF of the PF whose netdev is <c>pf</c>, at address <c>pciAddr</c>. The PF is known by netdev only, so it
/// needs another capture of the host (sysfs, nodedev) to be placed.
/// </summary>
internal static partial class PrometheusParser
{
    [GeneratedRegex(@"^(sriov_[A-Za-z0-9_]+)\{([^}]*)\}\s+(\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();

    public static bool Looks(string text) => text.Split('\n').Any(l => Sample().IsMatch(l));

    public static void Parse(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.Kvm;
        var lines = text.Split('\n');
        var vfs = new SortedDictionary<string, SortedDictionary<int, (string Pci, int Line)>>(StringComparer.Ordinal);
        var numa = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var m = Sample().Match(lines[i].Trim());
            if (!m.Success) continue;
            var labels = Label().Matches(m.Groups[2].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value, StringComparer.Ordinal);
            if (!labels.TryGetValue("pf", out var pf) || !labels.TryGetValue("vf", out var vfText)) continue;
            if (!int.TryParse(vfText, NumberStyles.None, CultureInfo.InvariantCulture, out var vf))
                throw ctx.Error(i + 1, null, $"{m.Groups[1].Value} vf=\"{vfText}\"", "is not a number");
            if (!labels.TryGetValue("pciAddr", out var pciText) || Pci.TryParseHex(pciText) is not { } pci)
                throw ctx.Error(i + 1, null, $"{m.Groups[1].Value} pciAddr", "is missing or not a PCI address");
            if (labels.TryGetValue("numa_node", out var numaText) && int.TryParse(numaText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                numa[pf] = n;
            if (!vfs.TryGetValue(pf, out var byIndex)) vfs[pf] = byIndex = [];
            byIndex.TryAdd(vf, (pci, i + 1));
        }
        if (vfs.Count == 0) throw ctx.Error(1, null, "sriov_* samples", "with pf and vf labels are missing");
        foreach (var (pf, byIndex) in vfs)
        {
            var first = byIndex.Values.Min(v => v.Line);
            var o = ctx.Output.Pf(null, first).Alias(AliasKind.Netdev, pf);
            o.AssertsPf = true;
            o.ConfiguredVfs = byIndex.Count;
            o.SriovEnabled = true;
            if (numa.TryGetValue(pf, out var node)) o.NumaNode = LibvirtNodeDeviceParser.NumaOrZero(node);
            foreach (var (index, (pci, line)) in byIndex) ctx.Output.Vfs.Add(new(null, pci, NicRef.By(AliasKind.Netdev, pf), index, line));
        }
    }
}
