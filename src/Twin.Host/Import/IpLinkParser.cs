using System.Globalization;
using System.Text.RegularExpressions;
using Twin.Events.Nics;
using Twin.Events.Platforms;

namespace Twin.Host.Import;

/// <summary>
/// <c>ip link</c> in JSON (<c>ip -j [-d] link</c>) and text form. A link with <c>vf N</c> entries is a PF with N VFs
/// configured; its netdev name is mapped to a PCI address only through <c>-d</c>'s <c>parentdev</c> or another capture
/// of the same host (sysfs, nodedev, ibdev2netdev), otherwise it is reported, not keyed by name. Text captures may be a
/// shell transcript (<c># command</c> lines) that also holds <c>ibdev2netdev -v</c>, <c>lspci</c> and
/// <c>echo N &gt; /sys/class/net/DEV/device/sriov_numvfs</c>.
/// </summary>
internal static partial class IpLinkParser
{
    [GeneratedRegex(@"^(?:[0-9]+:\s+)?([^\s:@]+)(?:@[^\s:]+)?:\s+<[^>]*>")]
    private static partial Regex LinkHeader();

    [GeneratedRegex(@"^\s+vf\s+(\S+?),?\s")]
    private static partial Regex VfLine();

    [GeneratedRegex(@"\bparentbus\s+(\S+)\s+parentdev\s+(\S+)")]
    private static partial Regex ParentDev();

    [GeneratedRegex(@"^(?:\[?[\w.-]+@([\w.-]+)[^\]#$]*\]?\s*)?[#$]\s*(.*)$")]
    private static partial Regex Prompt();

    [GeneratedRegex(@"^(\S+)\s+(\S+)\s+\((MT[0-9]+)[^)]*\)\s*(.*?)\s*fw\s+\S+\s+port\s+[0-9]+\s+\([^)]*\)\s*==>\s*(\S+)")]
    private static partial Regex Ibdev2NetdevVerbose();

    [GeneratedRegex(@"^((?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\s+([^:]+):\s+(.*)$")]
    private static partial Regex LspciLine();

    [GeneratedRegex(@"echo\s+([0-9]+)\s*>\s*/sys/(?:class/net/([^/\s]+)/device|bus/pci/devices/([0-9a-fA-F:.]+))/sriov_numvfs")]
    private static partial Regex EchoNumVfs();

    public static bool LooksLikeText(string text) =>
        text.Split('\n').Any(l => LinkHeader().IsMatch(l.TrimEnd('\r'))) || text.Contains("ibdev2netdev", StringComparison.Ordinal);

    public static void ParseJson(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.Kvm;
        var root = JsonText.Parse(text, ctx);
        if (root is not DataList list) throw ctx.Error(root, "is not a JSON array of links (ip -j link)");
        foreach (var item in list.Items)
        {
            if (item is not DataMap link) throw ctx.Error(item, "is not a link object");
            var name = link.Str("ifname") ?? throw ctx.Error(link, "has no ifname");
            var vfs = Data.Many(link.Get("vfinfo_list"));
            foreach (var vf in vfs)
                if (vf is DataMap m && m.Get("vf") is { } idx) Data.Int(idx, ctx);
            var pci = link.Str("parentbus") == "pci" ? Pci.TryParseHex(link.Str("parentdev")) : null;
            var numVf = link.Int("num_vf", ctx);
            if (vfs.Count == 0 && numVf is null && pci is null) continue;
            var o = ctx.Output.Pf(pci, link.Line).Alias(AliasKind.Netdev, name);
            foreach (var alt in link.Strings("altnames")) o.Alias(AliasKind.Netdev, alt);
            if (vfs.Count > 0 || numVf > 0)
            {
                o.AssertsPf = true;
                o.ConfiguredVfs = numVf ?? vfs.Count;
                o.SriovEnabled = true;
                if (pci is null) ctx.Info(link.Line, $"{name}: {o.ConfiguredVfs.Value.ToString(CultureInfo.InvariantCulture)} VFs configured (ip link has no PCI address without -d)");
            }
        }
    }

    public static void ParseText(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.Kvm;
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var hasCommands = lines.Any(l => Prompt().IsMatch(l));
        string command = hasCommands ? "" : "ip link";
        var sectionStart = 0;
        for (var i = 0; i <= lines.Length; i++)
        {
            var m = i < lines.Length ? Prompt().Match(lines[i]) : Match.Empty;
            if (i < lines.Length && !m.Success) continue;
            Section(command, lines, sectionStart, i, ctx);
            if (i == lines.Length) break;
            if (m.Groups[1].Success && m.Groups[1].Value.Length > 0) ctx.Output.NamedHost ??= m.Groups[1].Value;
            command = m.Groups[2].Value.Trim();
            sectionStart = i + 1;
            if (EchoNumVfs().Match(command) is { Success: true } echo)
            {
                if (!int.TryParse(echo.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                    throw ctx.Error(i + 1, null, "sriov_numvfs", $"'{echo.Groups[1].Value}' is out of range");
                var o = ctx.Output.Pf(echo.Groups[3].Success ? Pci.TryParseHex(echo.Groups[3].Value) : null, i + 1);
                if (echo.Groups[2].Success) o.Alias(AliasKind.Netdev, echo.Groups[2].Value);
                o.AssertsPf = true;
                o.ConfiguredVfs = count;
                o.SriovEnabled = count > 0;
                o.PfDriverSupportsSriov = true;
            }
        }
    }

    private static void Section(string command, string[] lines, int from, int to, ParseContext ctx)
    {
        if (from >= to || command.Length == 0) return;
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var tool = words.Length == 0 ? "" : Path.GetFileName(words[0]);
        if (tool == "ip" && words.Contains("link")) IpLinkLines(lines, from, to, ctx);
        else if (tool == "ibdev2netdev") Ibdev2Netdev(lines, from, to, ctx);
        else if (tool == "lspci") Lspci(lines, from, to, ctx);
        else if (!command.StartsWith("echo", StringComparison.Ordinal) && Enumerable.Range(from, to - from).Any(i => lines[i].Trim().Length > 0))
            ctx.Info(from, $"output of '{command}' is not read");
    }

    private static void IpLinkLines(string[] lines, int from, int to, ParseContext ctx)
    {
        PfObs? current = null;
        string? name = null;
        var vfs = new SortedSet<int>();
        void Flush()
        {
            if (current is null) return;
            if (vfs.Count > 0)
            {
                current.AssertsPf = true;
                current.ConfiguredVfs = vfs.Count;
                current.SriovEnabled = true;
                if (vfs.Max + 1 != vfs.Count)
                    ctx.Warn(current.Line, $"{name}: vf indices are not 0..{(vfs.Count - 1).ToString(CultureInfo.InvariantCulture)}");
                if (current.Pci is null)
                    ctx.Info(current.Line, $"{name}: {vfs.Count.ToString(CultureInfo.InvariantCulture)} VFs configured (ip link shows no PCI address)");
            }
            if (current.AssertsPf || current.Pci is not null) ctx.Output.Pfs.Add(current);
            current = null;
            vfs.Clear();
        }
        for (var i = from; i < to; i++)
        {
            var line = lines[i];
            var header = LinkHeader().Match(line);
            if (header.Success)
            {
                Flush();
                name = header.Groups[1].Value;
                current = new PfObs { Line = i + 1 }.Alias(AliasKind.Netdev, name);
                continue;
            }
            if (current is null) continue;
            if (VfLine().Match(line) is { Success: true } vf)
            {
                if (!int.TryParse(vf.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var idx))
                    throw ctx.Error(i + 1, null, $"{name} vf", $"index '{vf.Groups[1].Value}' is not a number");
                vfs.Add(idx);
            }
            else if (ParentDev().Match(line) is { Success: true } parent && parent.Groups[1].Value == "pci")
            {
                current.Pci = Pci.TryParseHex(parent.Groups[2].Value);
            }
        }
        Flush();
    }

    private static void Ibdev2Netdev(string[] lines, int from, int to, ParseContext ctx)
    {
        for (var i = from; i < to; i++)
        {
            var m = Ibdev2NetdevVerbose().Match(lines[i].Trim());
            if (!m.Success) continue;
            var pci = Pci.TryParseHex(m.Groups[1].Value);
            if (pci is null) continue;
            var o = ctx.Output.Pf(pci, i + 1).Alias(AliasKind.Netdev, m.Groups[5].Value);
            o.Vendor = NicVendor.Mellanox;
            o.VendorId = "15b3";
            o.Driver = m.Groups[2].Value.StartsWith("mlx5", StringComparison.Ordinal) ? "mlx5_core" : null;
            if (m.Groups[4].Value.Trim() is { Length: > 0 } model) o.Model = model;
        }
    }

    private static void Lspci(string[] lines, int from, int to, ParseContext ctx)
    {
        for (var i = from; i < to; i++)
        {
            var m = LspciLine().Match(lines[i].Trim());
            if (!m.Success) continue;
            var cls = m.Groups[2].Value.Trim();
            if (!cls.Contains("Ethernet", StringComparison.OrdinalIgnoreCase) && !cls.Contains("Network", StringComparison.OrdinalIgnoreCase)) continue;
            var pci = Pci.TryParseHex(m.Groups[1].Value);
            if (pci is null) continue;
            var description = m.Groups[3].Value.Trim();
            var o = ctx.Output.Pf(pci, i + 1);
            o.Vendor = Vendors.FromName(description);
            if (description.Contains("Virtual Function", StringComparison.OrdinalIgnoreCase))
            {
                o.IsVf = true;
                continue;
            }
            o.AssertsPf = true;
            o.Model = description;
        }
    }
}
