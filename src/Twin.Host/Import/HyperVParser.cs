using System.Globalization;
using System.Text.RegularExpressions;
using Twin.Events.Chipsets;
using Twin.Events.Platforms;
using Twin.Events.Switches;

namespace Twin.Host.Import;

/// <summary>
/// Hyper-V PowerShell output: <c>Format-List</c> text (<c>Get-VMSwitch | select * | fl</c>, <c>vfpctrl
/// /list-vmswitch-port</c>) and <c>ConvertTo-Json</c> of Get-VMHost, Get-VMSwitch, Get-NetAdapterSriov,
/// Get-VMNetworkAdapter, Get-NetAdapterSriovVf and Get-NetAdapterHardwareInfo. Each record's kind is recognised by its
/// properties. PITFALLS handled: ConvertTo-Json writes enums as integers (SwitchType 0 Private, 1 Internal, 2 External;
/// SriovSupport 0..7 as in MSFT_NetAdapterSriovSettingData) and a one-element array as a bare value; both forms, and
/// the enum names, are accepted. A NIC is keyed by PCI address when Get-NetAdapterHardwareInfo is in the import,
/// otherwise provisionally by its interface description.
/// </summary>
internal static partial class HyperVParser
{
    [GeneratedRegex(@"^(\S.*?)\s+:(?: (.*))?$")]
    private static partial Regex FlLine();

    /// <summary>Get-VMSwitch SwitchType (Microsoft.HyperV.PowerShell.VMSwitchType).</summary>
    private static readonly string[] SwitchTypes = ["Private", "Internal", "External"];

    /// <summary>MSFT_NetAdapterSriovSettingData.SriovSupport values 0..7, from the class documentation
    /// (learn.microsoft.com, "MSFT_NetAdapterSriovSettingData class": Unknown (0), Supported (1), Missing ACS (2),
    /// Missing PF Driver (3), No bus resources (4), No IOMMU support (5), Did not Get Vf BarSpace (6), No OCS Support (7)).</summary>
    private static readonly string[] SriovSupportValues =
        ["Unknown", "Supported", "MissingAcs", "MissingPfDriver", "NoBusResources", "NoIoMmuSupport", "NoVfBarSpace", "NoOscSupport"];

    public static bool LooksLikeFormatList(string text) =>
        text.Split('\n').Count(l => FlLine().IsMatch(l.TrimEnd('\r'))) >= 3 &&
        Regex.IsMatch(text, @"^(SwitchType|IovEnabled|IovWeight|SR-IOV Weight|Port name|SriovSupport|LogicalProcessorCount|NumVFs)\s+:", RegexOptions.Multiline);

    public static bool LooksLikeJson(DataNode root) => Records(root).Any(r => Kind(r) is not null);

    public static void ParseText(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.HyperV;
        var records = ReadFormatList(text);
        if (records.Count == 0) throw ctx.Error(1, null, "Format-List", "has no 'Name : Value' lines");
        Map(records, ctx);
    }

    public static void ParseJson(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.HyperV;
        Map(Records(JsonText.Parse(text, ctx)).ToList(), ctx);
    }

    private static IEnumerable<DataMap> Records(DataNode root) => root switch
    {
        DataList l => l.Items.SelectMany(Records),
        // Windows PowerShell 5.1 sometimes wraps a piped array as {"value": [...], "Count": n}.
        DataMap m when m.Get("value") is DataList inner && m.Has("Count") => inner.Items.SelectMany(Records),
        DataMap m => [m],
        _ => [],
    };

    private enum RecordKind { VmSwitch, VmHost, NetAdapterSriov, VmNetworkAdapter, NetAdapterSriovVf, HardwareInfo, VfpPort }

    private static RecordKind? Kind(DataMap r) =>
        r.Get("SwitchType") is not null && r.Get("SriovSupport") is null && (r.Get("IovEnabled") is not null || r.Get("NetAdapterInterfaceDescription") is not null) ? RecordKind.VmSwitch
        : r.Get("FunctionID") is not null && (r.Get("VmFriendlyName") is not null || r.Get("VmNicID") is not null) ? RecordKind.NetAdapterSriovVf
        : r.Get("SriovSupport") is not null || (r.Get("NumVFs") is not null && r.Get("InterfaceDescription") is not null) ? RecordKind.NetAdapterSriov
        : r.Get("IovWeight") is not null || (r.Get("VMName") is not null && r.Get("SwitchName") is not null) ? RecordKind.VmNetworkAdapter
        : (r.Get("BusNumber") ?? r.Get("Bus")) is not null && (r.Get("FunctionNumber") ?? r.Get("Function")) is not null ? RecordKind.HardwareInfo
        : r.Get("LogicalProcessorCount") is not null || (r.Get("IovSupport") is not null && r.Get("MemoryCapacity") is not null) ? RecordKind.VmHost
        : r.Get("Port name") is not null || r.Get("SR-IOV Weight") is not null ? RecordKind.VfpPort
        : null;

    private static void Map(List<DataMap> records, ParseContext ctx)
    {
        if (records.Select(HostOf).OfType<string>().Distinct(StringComparer.Ordinal).ToList() is [var only]) ctx.Output.NamedHost = only;
        var adapterNames = new Dictionary<(string?, string), int>();
        foreach (var r in records)
        {
            switch (Kind(r))
            {
                case RecordKind.VmSwitch: Switch(r, ctx); break;
                case RecordKind.VmHost: Host(r, ctx); break;
                case RecordKind.NetAdapterSriov: NetAdapterSriov(r, ctx); break;
                case RecordKind.VmNetworkAdapter: Adapter(r, ctx, adapterNames); break;
                case RecordKind.NetAdapterSriovVf: SriovVf(r, ctx); break;
                case RecordKind.HardwareInfo: HardwareInfo(r, ctx); break;
                case RecordKind.VfpPort: VfpPort(r, ctx); break;
                default: ctx.Info(r.Line, "record not recognised (not a VMSwitch, VMHost, NetAdapterSriov, VMNetworkAdapter, NetAdapterSriovVf or NetAdapterHardwareInfo); skipped"); break;
            }
        }
    }

    private static string? HostOf(DataMap r)
    {
        var name = r.Str("ComputerName") ?? r.Str("PSComputerName") ?? r.Str("SystemName");
        if (string.IsNullOrWhiteSpace(name) || name == ".") return null;
        // SystemName may be a FQDN while ComputerName is the NetBIOS name: keep the first label so both meet.
        return name.Trim().Split('.')[0];
    }

    private static void Switch(DataMap r, ParseContext ctx)
    {
        var name = r.Str("Name") ?? throw ctx.Error(r, "has no Name (Get-VMSwitch)");
        var host = HostOf(r);
        var kind = Enum(r, "SwitchType", SwitchTypes, ctx) switch
        {
            "Private" => SwitchKind.Private,
            "Internal" => SwitchKind.Internal,
            _ => SwitchKind.External,
        };
        var iov = r.Bool("IovEnabled", ctx) ?? false;
        var descriptions = r.Strings("NetAdapterInterfaceDescriptions");
        var description = r.Str("NetAdapterInterfaceDescription") ?? descriptions.FirstOrDefault();
        NicRef? bound = null;
        if (kind == SwitchKind.External && !string.IsNullOrWhiteSpace(description))
        {
            bound = NicRef.By(AliasKind.InterfaceDescription, description);
            if (descriptions.Count > 1)
                ctx.Info(r.Line, $"switch {name} is a team of {descriptions.Count.ToString(CultureInfo.InvariantCulture)} adapters; bound to the first ({description})");
            var nic = ctx.Output.Pf(null, r.Line, host).Alias(AliasKind.InterfaceDescription, description);
            nic.AssertsPf = true;
            nic.Vendor = Vendors.FromName(description);
            nic.Model = description;
            nic.PfDriverSupportsSriov = r.Bool("IovSupport", ctx);
            nic.ConfiguredVfs = r.Int("IovVirtualFunctionCount", ctx);
            nic.QueuePairs = r.Int("IovQueuePairCount", ctx);
            var reasons = r.Strings("IovSupportReasons");
            if (nic.PfDriverSupportsSriov == false || reasons.Count > 0)
                ctx.Info(r.Line, $"switch {name}: adapter {description} IovSupport {(nic.PfDriverSupportsSriov == false ? "False" : "True")}" +
                                 (reasons.Count > 0 ? $", reasons: {string.Join("; ", reasons)}" : ""));
            if (r.Int("IovVirtualFunctionsInUse", ctx) is { } vfsUsed)
                ctx.Output.Usages.Add(new(host, bound, "Hyper-V VFs", nic.ConfiguredVfs, vfsUsed, r.Line));
            if (r.Int("IovQueuePairsInUse", ctx) is { } qpUsed)
                ctx.Output.Usages.Add(new(host, bound, "Hyper-V queue pairs", nic.QueuePairs, qpUsed, r.Line));
        }
        ctx.Output.Switches.Add(new(host, name, kind, bound, iov, r.Line));
        if (kind != SwitchKind.External && iov)
            ctx.Warn(r.Line, $"switch {name} is {kind} with IovEnabled: only external switches carry VFs");
    }

    private static void Host(DataMap r, ParseContext ctx)
    {
        var h = new HostObs { Host = HostOf(r) ?? r.Str("Name"), Platform = Platform.HyperV, Line = r.Line };
        h.Cores = r.Int("LogicalProcessorCount", ctx);
        if (r.Double("MemoryCapacity", ctx) is { } bytes) h.MemoryMiB = (long)(bytes / (1 << 20));
        var support = r.Bool("IovSupport", ctx);
        var reasons = r.Strings("IovSupportReasons");
        if (support == true) h.Chipset = ChipsetCapabilities.Full;
        else if (support == false)
        {
            h.Chipset = ChipsetFromReasons(reasons, r.Line, ctx);
            h.ChipsetDescription = reasons.Count > 0 ? string.Join("; ", reasons) : "IovSupport False (no reason given)";
        }
        ctx.Output.Hosts.Add(h);
    }

    /// <summary>Get-VMHost IovSupportReasons are free text; the phrases below are those of Windows Server's messages.
    /// A reason not recognised is reported and leaves the capabilities as they are.</summary>
    private static ChipsetCapabilities ChipsetFromReasons(IReadOnlyList<string> reasons, int line, ParseContext ctx)
    {
        var c = ChipsetCapabilities.Full;
        foreach (var reason in reasons)
        {
            var r = reason.ToLowerInvariant();
            var matched = false;
            void Set(Func<ChipsetCapabilities, ChipsetCapabilities> f) { c = f(c); matched = true; }
            if (r.Contains("control pci express") || r.Contains("_osc")) Set(x => x with { OscHandoff = false });
            if (r.Contains("interrupt remapping") || r.Contains("i/o remapping")) Set(x => x with { InterruptRemapping = false });
            if (r.Contains("dma remapping")) Set(x => x with { DmaRemapping = false });
            if (r.Contains("access control services") || Regex.IsMatch(r, @"\bacs\b")) Set(x => x with { Acs = false });
            if (r.Contains("iommu") || r.Contains("vt-d") || r.Contains("i/o virtualization")) Set(x => x with { Iommu = false });
            if (r.Contains("slat") || r.Contains("second level address")) Set(x => x with { Slat = false });
            if (r.Contains("bios") && r.Contains("sr-iov") && !r.Contains("pci express")) Set(x => x with { BiosSriovEnabled = false });
            if (!matched) ctx.Warn(line, $"IovSupportReasons '{reason}' is not mapped to a chipset capability");
        }
        return c;
    }

    private static void NetAdapterSriov(DataMap r, ParseContext ctx)
    {
        var host = HostOf(r);
        var name = r.Str("Name");
        var description = r.Str("InterfaceDescription");
        if (name is null && description is null) throw ctx.Error(r, "has neither Name nor InterfaceDescription (Get-NetAdapterSriov)");
        var nic = ctx.Output.Pf(null, r.Line, host).Alias(AliasKind.InterfaceDescription, description).Alias(AliasKind.WindowsName, name);
        nic.AssertsPf = true;
        nic.Vendor = Vendors.FromName(description);
        nic.Model = description;
        nic.SriovEnabled = r.Bool("Enabled", ctx);
        nic.ConfiguredVfs = r.Int("NumVFs", ctx);
        nic.VPorts = r.Int("NumVPorts", ctx);
        // SwitchType here is the NIC's embedded switch (0 Unknown, 1 External), not Get-VMSwitch's enum: not read.
        var support = Enum(r, "SriovSupport", SriovSupportValues, ctx);
        var label = description ?? name;
        switch (support)
        {
            case null or "Supported":
                if (support is not null) nic.PfDriverSupportsSriov = true;
                break;
            case "MissingPfDriver":
                nic.PfDriverSupportsSriov = false;
                break;
            case "Unknown":
                ctx.Info(r.Line, $"{label}: SriovSupport Unknown (no hardware support, I/O virtualization off in the BIOS, or an old Windows)");
                break;
            default:
                var chipset = support switch
                {
                    "MissingAcs" => ChipsetCapabilities.Full with { Acs = false },
                    "NoBusResources" => ChipsetCapabilities.Full with { MaxVfsByBusNumbers = 0 },
                    "NoIoMmuSupport" => ChipsetCapabilities.Full with { Iommu = false },
                    "NoVfBarSpace" => ChipsetCapabilities.Full with { MaxVfsByBarSpace = 0 },
                    _ => ChipsetCapabilities.Full with { OscHandoff = false },
                };
                ctx.Output.Hosts.Add(new HostObs { Host = host, Platform = Platform.HyperV, Chipset = chipset, ChipsetDescription = $"SriovSupport {support} ({label})", Line = r.Line });
                break;
        }
        if (r.Int("NumAllocatedVFs", ctx) is { } allocated)
            ctx.Output.Usages.Add(new(host, nic.Ref, "Hyper-V VFs", nic.ConfiguredVfs, allocated, r.Line));
    }

    private static void Adapter(DataMap r, ParseContext ctx, Dictionary<(string?, string), int> seen)
    {
        var host = HostOf(r);
        if (r.Bool("IsManagementOs", ctx) == true)
        {
            ctx.Info(r.Line, $"management-OS adapter {r.Str("Name")} is a host vNIC, not a VM's; skipped");
            return;
        }
        var vmName = r.Str("VMName") ?? throw ctx.Error(r, "has no VMName (Get-VMNetworkAdapter)");
        var name = r.Str("Name") ?? "Network Adapter";
        // Hyper-V lets a VM have several adapters with one name; number the repeats so each vNIC stays distinct.
        var n = seen.GetValueOrDefault((host, $"{vmName}\n{name}")) + 1;
        seen[(host, $"{vmName}\n{name}")] = n;
        if (n > 1) name = $"{name} ({n.ToString(CultureInfo.InvariantCulture)})";
        var weight = r.Int("IovWeight", ctx);
        if (weight is < 0 or > 100) throw ctx.Error(r.Get("IovWeight")!, $"'{weight}' is not an IovWeight (0..100)");
        var vm = new VmObs { Host = host, Name = vmName, Line = r.Line };
        var switchName = r.Str("SwitchName");
        vm.Vnics.Add(new(name, string.IsNullOrEmpty(switchName) ? null : switchName, false, weight ?? 0, r.Int("IovQueuePairsRequested", ctx), r.Str("Id")));
        var vfInUse = r.Get("VirtualFunction") is DataMap or DataScalar { Kind: ScalarKind.String } || r.Int("IovUsage", ctx) > 0;
        if (vfInUse)
        {
            vm.Running = true;
            ctx.Info(r.Line, $"{vmName}/{name} uses a VF; which VF is in Get-NetAdapterSriovVf (FunctionID)");
        }
        ctx.Output.Vms.Add(vm);
    }

    private static void SriovVf(DataMap r, ParseContext ctx)
    {
        var host = HostOf(r);
        var index = r.Int("FunctionID", ctx) ?? throw ctx.Error(r, "FunctionID is null");
        var vm = r.Str("VmFriendlyName");
        var pf = r.Str("InterfaceDescription") is { } d ? NicRef.By(AliasKind.InterfaceDescription, d)
            : r.Str("Name") is { } n ? NicRef.By(AliasKind.WindowsName, n) : throw ctx.Error(r, "names no PF (Name / InterfaceDescription)");
        if (string.IsNullOrEmpty(vm))
        {
            ctx.Info(r.Line, $"VF {index.ToString(CultureInfo.InvariantCulture)} of {pf} is not attached to a VM");
            return;
        }
        // The vNIC is matched later against Get-VMNetworkAdapter's Id (which ends with VmNicID) when both are imported.
        var vnic = r.Str("VmNicID") ?? "Network Adapter";
        ctx.Output.Holders.Add(new(host, vm, vnic, null, pf, index, null, r.Line));
    }

    private static void HardwareInfo(DataMap r, ParseContext ctx)
    {
        int Part(string a, string b, int max)
        {
            var node = r.Get(a) is { } x && x is not DataScalar { Kind: ScalarKind.Null } ? x : r.Get(b);
            var v = node is null ? 0 : Data.Int(node, ctx) ?? 0;
            if (v < 0 || v > max) throw ctx.Error(node!, $"'{v}' is out of range for a PCI address");
            return v;
        }
        var pci = Pci.Format(Part("SegmentNumber", "Segment", Pci.MaxDomain), Part("BusNumber", "Bus", Pci.MaxBus),
            Part("DeviceNumber", "Device", Pci.MaxSlot), Part("FunctionNumber", "Function", Pci.MaxFunction));
        var o = ctx.Output.Pf(pci, r.Line, HostOf(r)).Alias(AliasKind.InterfaceDescription, r.Str("InterfaceDescription")).Alias(AliasKind.WindowsName, r.Str("Name"));
        if (r.Int("NumaNode", ctx) is { } numa) o.NumaNode = numa is 0xffff ? 0 : numa;
    }

    private static void VfpPort(DataMap r, ParseContext ctx)
    {
        var vmName = r.Str("VM name");
        if (string.IsNullOrEmpty(vmName)) return;
        var vm = new VmObs { Name = vmName, Line = r.Line };
        var weight = r.Int("SR-IOV Weight", ctx);
        vm.Vnics.Add(new(r.Str("NIC Friendly name") ?? "Network Adapter", r.Str("Switch Friendly name"), false, weight ?? 0, null));
        if (r.Int("SR-IOV Usage", ctx) > 0) ctx.Info(r.Line, $"{vmName}: port {r.Str("Port name")} uses a VF (which one is not in vfpctrl output)");
        ctx.Output.Vms.Add(vm);
    }

    /// <summary>An enum written as its name or (ConvertTo-Json) as its integer value.</summary>
    private static string? Enum(DataMap r, string key, string[] names, ParseContext ctx)
    {
        var node = r.Get(key);
        if (node is null or DataScalar { Kind: ScalarKind.Null }) return null;
        var text = Data.Str(node)?.Trim();
        if (text is null) throw ctx.Error(node, "is not a value");
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            return i < names.Length ? names[i] : throw ctx.Error(node, $"'{text}' is not a known {key} value (0..{(names.Length - 1).ToString(CultureInfo.InvariantCulture)})");
        return names.FirstOrDefault(n => n.Equals(text.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
               ?? throw ctx.Error(node, $"'{text}' is not a known {key} value ({string.Join(", ", names)})");
    }

    /// <summary>Reads Format-List text into records: <c>Key : Value</c> lines, a blank line or a repeated key starting a
    /// new record, <c>{a, b}</c> as a list, True/False and numbers typed as JSON would be.</summary>
    private static List<DataMap> ReadFormatList(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var records = new List<DataMap>();
        var entries = new List<KeyValuePair<string, DataNode>>();
        var recordLine = 0;
        int valueColumn = -1;
        void Flush()
        {
            if (entries.Count > 0) records.Add(new DataMap(recordLine, 1, "", entries));
            entries = [];
            valueColumn = -1;
        }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0)
            {
                Flush();
                continue;
            }
            var m = FlLine().Match(line);
            if (!m.Success)
            {
                // A wrapped long value continues on lines indented to the value column.
                var indent = line.Length - line.TrimStart().Length;
                if (entries.Count > 0 && valueColumn > 0 && indent >= valueColumn && entries[^1].Value is DataScalar prev)
                    entries[^1] = new(entries[^1].Key, Scalar(prev.Line, prev.Column, prev.Path, (prev.Text ?? "") + line.Trim()));
                continue;
            }
            var key = m.Groups[1].Value.Trim().TrimEnd(':').Trim();
            if (entries.Any(e => e.Key == key)) Flush();
            if (entries.Count == 0) recordLine = i + 1;
            var value = m.Groups[2].Success ? m.Groups[2].Value.Trim() : "";
            valueColumn = m.Groups[2].Success ? m.Groups[2].Index : line.Length;
            entries.Add(new(key, Scalar(i + 1, valueColumn + 1, key, value)));
        }
        Flush();
        return records;
    }

    private static DataNode Scalar(int line, int column, string key, string value)
    {
        if (value.Length == 0) return new DataScalar(line, column, key, null, ScalarKind.Null);
        if (value.StartsWith('{') && value.EndsWith('}'))
        {
            var items = value[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return new DataList(line, column, key, items.Select((s, i) => (DataNode)new DataScalar(line, column, $"{key}[{i}]", s, ScalarKind.String)).ToList());
        }
        if (value is "True" or "False") return new DataScalar(line, column, key, value.ToLowerInvariant(), ScalarKind.Bool);
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) return new DataScalar(line, column, key, value, ScalarKind.Number);
        return new DataScalar(line, column, key, value, ScalarKind.String);
    }
}
