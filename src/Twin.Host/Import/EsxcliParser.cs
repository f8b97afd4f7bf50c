using System.Globalization;
using System.Text.RegularExpressions;
using Twin.Events.Platforms;

namespace Twin.Host.Import;

/// <summary>
/// ESXi <c>esxcli</c> text: <c>network sriovnic list</c> (PFs: vmnic name, PCI address, driver, speed),
/// <c>network sriovnic vf list -n vmnicN</c> (VF ID, Active, PCI Address, Owner World ID: configured VFs, the active
/// ones and their owners), <c>vm process list</c> (World ID / VMX Cartel ID → VM name, to name the owners) and the
/// Intel <c>intnet sriovnic vf get</c>. A file may hold one output or a transcript of several, each after its prompt
/// (<c>[root@esx01:~] esxcli ...</c>), which also names the host. PITFALL: ESXi before 8.0u3 prints VF addresses with
/// a 5-digit domain and a DECIMAL bus (<c>00000:134:02.0</c> is <c>0000:86:02.0</c>).
/// </summary>
internal static partial class EsxcliParser
{
    [GeneratedRegex(@"^\s*(?:\[[^@\]]*@([^:\]\s]+)[^\]]*\]\s*|~\s*#\s*|[#$]\s*)?(esxcli\s.*)$")]
    private static partial Regex PromptLine();

    [GeneratedRegex(@"(?:-n|--nic-name)[=\s]+(\S+)")]
    private static partial Regex NicArgument();

    [GeneratedRegex(@"\bvmnic[0-9]+\b")]
    private static partial Regex VmnicName();

    [GeneratedRegex(@"^\s*-[-\s]*$")]
    private static partial Regex Separator();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex ColumnGap();

    public static ImportFormat? Detect(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count(l => PromptLine().IsMatch(l)) >= 2) return ImportFormat.EsxcliSession;
        var kind = KindOf(lines.FirstOrDefault(l => PromptLine().Match(l) is { Success: true })?.Trim() ?? "", lines);
        return kind;
    }

    private static ImportFormat? KindOf(string command, IReadOnlyList<string> lines)
    {
        if (command.Contains("sriovnic vf list", StringComparison.Ordinal)) return ImportFormat.EsxcliSriovNicVfList;
        if (command.Contains("network sriovnic list", StringComparison.Ordinal)) return ImportFormat.EsxcliSriovNicList;
        if (command.Contains("vm process list", StringComparison.Ordinal)) return ImportFormat.EsxcliVmProcessList;
        if (command.Contains("intnet sriovnic vf get", StringComparison.Ordinal)) return ImportFormat.EsxcliIntnetVfGet;
        var header = lines.FirstOrDefault(l => l.Trim().Length > 0 && !PromptLine().IsMatch(l))?.Trim() ?? "";
        if (header.StartsWith("VF ID", StringComparison.Ordinal) && header.Contains("Trusted", StringComparison.Ordinal)) return ImportFormat.EsxcliIntnetVfGet;
        if (header.StartsWith("VF ID", StringComparison.Ordinal) && header.Contains("PCI Address", StringComparison.Ordinal)) return ImportFormat.EsxcliSriovNicVfList;
        if (header.StartsWith("Name", StringComparison.Ordinal) && header.Contains("PCI Device", StringComparison.Ordinal) && header.Contains("Driver", StringComparison.Ordinal))
            return ImportFormat.EsxcliSriovNicList;
        if (lines.Any(l => l.TrimStart().StartsWith("World ID:", StringComparison.Ordinal)) && lines.Any(l => l.TrimStart().StartsWith("VMX Cartel ID:", StringComparison.Ordinal)))
            return ImportFormat.EsxcliVmProcessList;
        return null;
    }

    public static void Parse(string text, ImportFormat format, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.VSphere;
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var start = 0;
        var command = "";
        for (var i = 0; i <= lines.Length; i++)
        {
            var m = i < lines.Length ? PromptLine().Match(lines[i]) : Match.Empty;
            if (i < lines.Length && !m.Success) continue;
            if (i > start || (i == lines.Length && start < lines.Length))
                Section(command, lines, start, i, format, ctx);
            if (i == lines.Length) break;
            if (m.Groups[1].Success && m.Groups[1].Value != "localhost") ctx.Output.NamedHost ??= m.Groups[1].Value;
            command = m.Groups[2].Value.Trim();
            start = i + 1;
        }
    }

    private static void Section(string command, string[] lines, int from, int to, ImportFormat fileFormat, ParseContext ctx)
    {
        var body = lines[from..to];
        if (body.All(l => l.Trim().Length == 0)) return;
        var kind = KindOf(command, body) ?? (fileFormat == ImportFormat.EsxcliSession ? null : fileFormat);
        switch (kind)
        {
            case ImportFormat.EsxcliSriovNicVfList: VfList(command, lines, from, to, ctx); break;
            case ImportFormat.EsxcliSriovNicList: NicList(lines, from, to, ctx); break;
            case ImportFormat.EsxcliVmProcessList: ProcessList(lines, from, to, ctx); break;
            case ImportFormat.EsxcliIntnetVfGet:
                ctx.Info(from + 1, "intnet sriovnic vf get: per-VF trust / spoof check / floating VEB settings are not part of the model");
                break;
            default:
                ctx.Info(from, $"output of '{(command.Length == 0 ? "?" : command)}' is not read");
                break;
        }
    }

    /// <summary>Finds the header (a line starting with <paramref name="first"/>), splits it into columns at runs of two or
    /// more spaces, and yields each data row's tokens with its 1-based line number.</summary>
    private static (string[] Columns, List<(int Line, string[] Tokens)> Rows) Table(string[] lines, int from, int to, string first, ParseContext ctx, bool lastTakesRest)
    {
        var headerAt = -1;
        for (var i = from; i < to; i++)
            if (lines[i].TrimStart().StartsWith(first, StringComparison.Ordinal)) { headerAt = i; break; }
        if (headerAt < 0) throw ctx.Error(from + 1, null, $"'{first}' header", "is missing");
        var columns = ColumnGap().Split(lines[headerAt].Trim());
        var rows = new List<(int, string[])>();
        for (var i = headerAt + 1; i < to; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0 || Separator().IsMatch(line)) continue;
            var tokens = line.Split((char[]?)null, lastTakesRest ? columns.Length : int.MaxValue, StringSplitOptions.RemoveEmptyEntries);
            if (lastTakesRest && tokens.Length == columns.Length) tokens[^1] = tokens[^1].Trim();
            if (tokens.Length != columns.Length)
                throw ctx.Error(i + 1, null, "row", $"has {tokens.Length.ToString(CultureInfo.InvariantCulture)} fields, the header has {columns.Length.ToString(CultureInfo.InvariantCulture)} ({string.Join(", ", columns)})");
            rows.Add((i + 1, tokens));
        }
        return (columns, rows);
    }

    private static int Column(string[] columns, string name, int line, ParseContext ctx)
    {
        var i = Array.FindIndex(columns, c => c.Equals(name, StringComparison.OrdinalIgnoreCase));
        return i >= 0 ? i : throw ctx.Error(line, null, $"column '{name}'", "is missing from the header");
    }

    private static void VfList(string command, string[] lines, int from, int to, ParseContext ctx)
    {
        var (columns, rows) = Table(lines, from, to, "VF ID", ctx, lastTakesRest: false);
        var cId = Column(columns, "VF ID", from + 1, ctx);
        var cPci = Column(columns, "PCI Address", from + 1, ctx);
        var cActive = Array.FindIndex(columns, c => c == "Active");
        var cOwner = Array.FindIndex(columns, c => c.StartsWith("Owner", StringComparison.Ordinal));

        var pfName = NicArgument().Match(command) is { Success: true } arg ? arg.Groups[1].Value
            : VmnicName().Match(ctx.Source) is { Success: true } fromFile ? fromFile.Value : null;
        NicRef pf;
        if (pfName is null)
        {
            pf = NicRef.By(AliasKind.Unnamed, "unnamed-pf");
            ctx.Warn(from + 1, "the PF of this VF list is not named (no 'esxcli network sriovnic vf list -n vmnicN' line, no vmnicN in the file name): keyed as 'unnamed-pf'");
        }
        else pf = NicRef.By(AliasKind.VmNic, pfName);

        var nic = ctx.Output.Pf(null, from + 1).Alias(pf.Alias!.Value.Kind, pf.Alias.Value.Value);
        nic.AssertsPf = true;
        nic.PfDriverSupportsSriov = true;
        var decimalSeen = false;
        var active = 0;
        foreach (var (line, t) in rows)
        {
            if (!int.TryParse(t[cId], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                throw ctx.Error(line, null, $"VF ID '{t[cId]}'", "is not a number");
            var vfPci = Pci.TryParseEsxi(t[cPci], out var wasDecimal) ?? throw ctx.Error(line, null, $"PCI Address '{t[cPci]}'", "is not a PCI address");
            decimalSeen |= wasDecimal;
            ctx.Output.Vfs.Add(new(null, vfPci, pf, id, line));
            var isActive = cActive >= 0 && ParseBool(t[cActive], line, "Active", ctx);
            var owner = cOwner >= 0 && t[cOwner] != "-" ? t[cOwner] : null;
            if (owner is not null && !owner.All(char.IsAsciiDigit)) throw ctx.Error(line, null, $"Owner World ID '{owner}'", "is not a number");
            if (isActive) active++;
            if (owner is not null)
            {
                if (!isActive && cActive >= 0) ctx.Warn(line, $"VF {id.ToString(CultureInfo.InvariantCulture)} has owner {owner} but is not active");
                ctx.Output.Holders.Add(new(null, null, $"sriov-{pf.Alias!.Value.Value}-vf{id.ToString(CultureInfo.InvariantCulture)}", null, pf, id, owner, line));
            }
            else if (isActive) ctx.Warn(line, $"VF {id.ToString(CultureInfo.InvariantCulture)} is active without an owner world");
        }
        nic.ConfiguredVfs = rows.Count;
        nic.SriovEnabled = rows.Count > 0;
        if (cActive >= 0) ctx.Output.Usages.Add(new(null, pf, "ESXi active VFs", rows.Count, active, from + 1));
        if (decimalSeen)
            ctx.Info(from + 1, "VF addresses in the pre-8.0u3 form (5-digit domain, decimal bus, e.g. 00000:134:02.0) were converted to hexadecimal (0000:86:02.0)");
    }

    private static bool ParseBool(string s, int line, string column, ParseContext ctx) =>
        s.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
        : s.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
        : throw ctx.Error(line, null, $"{column} '{s}'", "is not true/false");

    private static void NicList(string[] lines, int from, int to, ParseContext ctx)
    {
        var (columns, rows) = Table(lines, from, to, "Name", ctx, lastTakesRest: true);
        var cName = Column(columns, "Name", from + 1, ctx);
        var cPci = Column(columns, "PCI Device", from + 1, ctx);
        var cDriver = Array.FindIndex(columns, c => c == "Driver");
        var cSpeed = Array.FindIndex(columns, c => c == "Speed");
        var cDescription = Array.FindIndex(columns, c => c == "Description");
        foreach (var (line, t) in rows)
        {
            var pci = Pci.TryParseEsxi(t[cPci], out _) ?? throw ctx.Error(line, null, $"PCI Device '{t[cPci]}'", "is not a PCI address");
            var o = ctx.Output.Pf(pci, line).Alias(AliasKind.VmNic, t[cName]);
            o.AssertsPf = true;
            o.PfDriverSupportsSriov = true;
            if (cDriver >= 0) o.Driver = t[cDriver];
            if (cSpeed >= 0)
            {
                if (!int.TryParse(t[cSpeed], NumberStyles.None, CultureInfo.InvariantCulture, out var speed))
                    throw ctx.Error(line, null, $"Speed '{t[cSpeed]}'", "is not a number");
                if (speed > 0) o.LinkMbps = speed;
            }
            if (cDescription >= 0)
            {
                o.Model = t[cDescription];
                o.Vendor = Vendors.FromName(t[cDescription]);
            }
        }
    }

    private static void ProcessList(string[] lines, int from, int to, ParseContext ctx)
    {
        string? name = null, world = null, cartel = null, display = null;
        var at = 0;
        void Flush()
        {
            if (name is null) return;
            if (world is null) throw ctx.Error(at, null, $"VM '{name}' World ID", "is missing");
            var vmName = display ?? name;
            ctx.Output.Worlds.Add(new(null, world, cartel, vmName, at));
            ctx.Output.Vms.Add(new VmObs { Name = vmName, Running = true, Line = at });
            name = world = cartel = display = null;
        }
        for (var i = from; i < to; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0) continue;
            if (!char.IsWhiteSpace(line[0]))
            {
                Flush();
                name = line.Trim();
                at = i + 1;
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || name is null) continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "World ID":
                    world = value.All(char.IsAsciiDigit) && value.Length > 0 ? value : throw ctx.Error(i + 1, null, $"World ID '{value}'", "is not a number");
                    break;
                case "VMX Cartel ID":
                    cartel = value.All(char.IsAsciiDigit) && value.Length > 0 ? value : throw ctx.Error(i + 1, null, $"VMX Cartel ID '{value}'", "is not a number");
                    break;
                case "Display Name":
                    display = value;
                    break;
            }
        }
        Flush();
    }
}
