using System.Globalization;
using System.Text.RegularExpressions;
using Twin.Events.Platforms;

namespace Twin.Host.Import;

/// <summary>
/// Linux sysfs in ttar form (prometheus/procfs fixtures; <see cref="CaptureFiles"/> writes a real directory tree in
/// the same form): records <c>Path:</c> + <c>Lines: N</c> + N lines + <c>Mode:</c> for files, <c>Path:</c> +
/// <c>SymlinkTo:</c> for links, <c>Directory:</c> (or <c>Path:</c> with only <c>Mode:</c>) for directories.
/// Every directory named like a PCI address is a device: <c>sriov_totalvfs</c> (ceiling; absent = SR-IOV not reported,
/// not zero), <c>sriov_numvfs</c>, <c>vendor</c>, <c>device</c>, <c>numa_node</c>, the <c>driver</c> link,
/// <c>net/NAME</c> (the netdev, never the key) and its <c>speed</c>, <c>virtfnN</c> links (VF N) and <c>physfn</c>.
/// </summary>
internal static partial class SysfsParser
{
    [GeneratedRegex(@"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")]
    private static partial Regex PciSegment();

    [GeneratedRegex(@"^virtfn([0-9]+)$")]
    private static partial Regex VirtFn();

    private enum Kind { File, Link, Directory }

    private sealed record Entry(string Path, Kind Kind, IReadOnlyList<string> Lines, string? Target, int Line, int ContentLine);

    public static bool LooksLikeTtar(string text) =>
        text.Contains("# ttar - ", StringComparison.Ordinal) ||
        (Regex.IsMatch(text, @"^(Path|Directory): ", RegexOptions.Multiline) && Regex.IsMatch(text, @"^(Lines|SymlinkTo|Mode): ", RegexOptions.Multiline));

    public static void Parse(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.Kvm;
        var entries = Read(text, ctx);
        var devices = new SortedDictionary<string, Dictionary<string, Entry>>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var segments = e.Path.Split('/');
            var last = Array.FindLastIndex(segments, s => PciSegment().IsMatch(s));
            if (last < 0) continue;
            var pci = segments[last];
            var rel = string.Join('/', segments[(last + 1)..]);
            if (!devices.TryGetValue(pci, out var attrs)) devices[pci] = attrs = new(StringComparer.Ordinal);
            attrs[rel] = e;
        }
        if (devices.Count == 0) ctx.Warn(null, "no PCI device directory (named like 0000:a2:00.0) in this sysfs capture");
        foreach (var (pci, attrs) in devices) Device(pci, attrs, ctx);
    }

    private static void Device(string pci, Dictionary<string, Entry> attrs, ParseContext ctx)
    {
        string? Text(string name) => attrs.TryGetValue(name, out var e) && e.Kind == Kind.File ? string.Join('\n', e.Lines).Trim() : null;
        int? Number(string name, bool allowNegative = false)
        {
            if (!attrs.TryGetValue(name, out var e) || e.Kind != Kind.File) return null;
            var t = string.Join('\n', e.Lines).Trim();
            if (t.Length == 0) return null;
            if (!int.TryParse(t, allowNegative ? NumberStyles.AllowLeadingSign : NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                throw ctx.Error(e.ContentLine, null, $"{pci}/{name}", $"'{t}' is not a number");
            return v;
        }
        string? LinkName(string name) => attrs.TryGetValue(name, out var e) && e.Kind == Kind.Link ? e.Target!.TrimEnd('/').Split('/')[^1] : null;

        var anchor = attrs.Values.Min(e => e.Line);
        var physfn = LinkName("physfn");
        var cls = Text("class");
        var isNetwork = cls is null || cls.StartsWith("0x02", StringComparison.OrdinalIgnoreCase);
        var total = Number("sriov_totalvfs");
        var vendorId = Vendors.Hex4(Text("vendor"));
        var deviceId = Vendors.Hex4(Text("device"));
        if (Text("vendor") is { } rawVendor && vendorId is null)
            throw ctx.Error(attrs["vendor"].ContentLine, null, $"{pci}/vendor", $"'{rawVendor}' is not a PCI vendor id");
        var driver = LinkName("driver") ?? Uevent(Text("uevent"), "DRIVER");
        var netdevs = attrs.Keys.Where(k => k.StartsWith("net/", StringComparison.Ordinal))
            .Select(k => k.Split('/')).Where(p => p.Length >= 2 && p[1].Length > 0).Select(p => p[1]).Distinct().Order(StringComparer.Ordinal).ToList();

        if (physfn is not null)
        {
            var o = ctx.Output.Pf(pci, anchor);
            o.IsVf = true;
            foreach (var n in netdevs) o.Alias(AliasKind.Netdev, n);
            if (Pci.TryParseHex(physfn) is { } pf) ctx.Output.Vfs.Add(new(null, pci, NicRef.ByPci(pf), null, anchor, deviceId, driver));
            return;
        }
        if (total is null && (!isNetwork || vendorId is null)) return;

        var nic = ctx.Output.Pf(pci, anchor);
        nic.AssertsPf = true;
        nic.VendorId = vendorId;
        nic.Vendor = Vendors.FromId(vendorId);
        nic.DeviceId = deviceId;
        nic.Model = Vendors.DeviceName(vendorId, deviceId);
        nic.Driver = driver;
        nic.NumaNode = LibvirtNodeDeviceParser.NumaOrZero(Number("numa_node", allowNegative: true));
        nic.MaxVfs = total;
        nic.ConfiguredVfs = Number("sriov_numvfs") ?? (total is null ? null : 0);
        nic.VfDeviceId = Vendors.Hex4(Text("sriov_vf_device"));
        if (total is not null) nic.PfDriverSupportsSriov = true;
        foreach (var n in netdevs)
        {
            nic.Alias(AliasKind.Netdev, n);
            if (attrs.TryGetValue($"net/{n}/speed", out var s) && s.Kind == Kind.File &&
                int.TryParse(string.Join("", s.Lines).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var speed) && speed > 0)
                nic.LinkMbps = speed;
        }
        if (total is null)
            ctx.Info(anchor, $"{pci}: no sriov_totalvfs (no SR-IOV capability or no PF driver): ceiling unknown, not zero");

        var links = 0;
        foreach (var (rel, e) in attrs.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var m = VirtFn().Match(rel);
            if (!m.Success || e.Kind != Kind.Link) continue;
            var vf = Pci.TryParseHex(e.Target!.TrimEnd('/').Split('/')[^1]);
            if (vf is null)
            {
                ctx.Warn(e.Line, $"{pci}/{rel} points to {e.Target}, not a PCI device; ignored");
                continue;
            }
            links++;
            ctx.Output.Vfs.Add(new(null, vf, NicRef.ByPci(pci), int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), e.Line));
        }
        if (links > 0 && nic.ConfiguredVfs is { } numvfs && numvfs != links)
            ctx.Warn(anchor, $"{pci}: sriov_numvfs is {numvfs.ToString(CultureInfo.InvariantCulture)} but {links.ToString(CultureInfo.InvariantCulture)} virtfn links are present");
    }

    private static string? Uevent(string? uevent, string key) =>
        uevent?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];

    private static List<Entry> Read(string text, ParseContext ctx)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var entries = new List<Entry>();
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                i++;
                continue;
            }
            var header = i + 1;
            if (line.StartsWith("Directory: ", StringComparison.Ordinal))
            {
                entries.Add(new(line[11..].Trim(), Kind.Directory, [], null, header, header));
                i++;
                if (i < lines.Length && lines[i].StartsWith("Mode: ", StringComparison.Ordinal)) i++;
                continue;
            }
            if (!line.StartsWith("Path: ", StringComparison.Ordinal))
                throw ctx.Error(header, null, "ttar record", $"expects 'Path:' or 'Directory:', found '{Short(line)}'");
            var path = line[6..].Trim();
            i++;
            if (i >= lines.Length) throw ctx.Error(header, null, $"ttar record {path}", "ends without Lines:, SymlinkTo: or Mode:");
            var next = lines[i];
            if (next.StartsWith("SymlinkTo: ", StringComparison.Ordinal))
            {
                entries.Add(new(path, Kind.Link, [], next[11..].Trim(), header, i + 1));
                i++;
            }
            else if (next.StartsWith("Mode: ", StringComparison.Ordinal))
            {
                entries.Add(new(path, Kind.Directory, [], null, header, header));
                i++;
            }
            else if (next.StartsWith("Lines: ", StringComparison.Ordinal))
            {
                var countText = next[7..].Trim().Split(' ', '|')[0];
                if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                    throw ctx.Error(i + 1, null, $"ttar record {path} Lines:", $"'{countText}' is not a number");
                var contentLine = i + 2;
                if (i + 1 + count > lines.Length)
                    throw ctx.Error(i + 1, null, $"ttar record {path} Lines: {count.ToString(CultureInfo.InvariantCulture)}", "runs past the end of the file");
                var content = lines[(i + 1)..(i + 1 + count)].Select(l => l.Replace("NULLBYTE", "\0", StringComparison.Ordinal)).ToList();
                entries.Add(new(path, Kind.File, content, null, header, contentLine));
                i += 1 + count;
                if (i < lines.Length && lines[i].StartsWith("Mode: ", StringComparison.Ordinal)) i++;
            }
            else
            {
                throw ctx.Error(i + 1, null, $"ttar record {path}", $"expects Lines:, SymlinkTo: or Mode:, found '{Short(next)}'");
            }
        }
        return entries;
    }

    private static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
