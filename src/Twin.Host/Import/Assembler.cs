using System.Globalization;
using Twin.Events.Catalog;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Host.Import;

/// <summary>
/// Merges the observations of every capture into one <see cref="Topology"/>: resolves hosts, groups what each capture
/// says about a PF by (host, PCI address) — names only lead to an address, never replace it —, maps VF addresses to
/// (PF, index), joins holders, pools and switches to their PFs, and reports every disagreement between captures (the
/// later capture in input order wins) and everything it could not place. The output is sorted: the same captures always
/// give the same topology.
/// </summary>
internal sealed class Assembler
{
    public const string DefaultHostName = "localhost";

    private readonly List<Diagnostic> _diagnostics = [];
    private readonly ImportOptions _options;
    private readonly Dictionary<string, string> _providerNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly SortedDictionary<string, HostState> _hosts = new(StringComparer.Ordinal);
    private readonly List<FileInput> _files = [];

    private Assembler(ImportOptions options) => _options = options;

    private sealed record FileInput(Observations Obs, string? DefaultHost, bool HasHostContext);

    private sealed record ResolvedPool(FileInput File, HostState Host, NicId Nic, string Name, IReadOnlyList<int> Indices, int? Line);

    private sealed class Group
    {
        public string? Pci;
        public readonly List<(PfObs Obs, string Source)> Members = [];
        public readonly List<NicAlias> Aliases = [];
        public NicId? Id;
        public NicSpec? Spec;
        public readonly SortedSet<string> VfDeviceIds = new(StringComparer.Ordinal);
        public readonly SortedSet<string> VfDrivers = new(StringComparer.Ordinal);

        public void Add(PfObs o, string source)
        {
            Members.Add((o, source));
            foreach (var a in o.Aliases) if (!Aliases.Contains(a)) Aliases.Add(a);
        }
    }

    private sealed class HostState(string name)
    {
        public string Name { get; } = name;
        public HostId Id => new(Name);
        public readonly List<(PfObs Obs, string Source)> Pfs = [];
        public readonly Dictionary<string, Group> ByPci = new(StringComparer.Ordinal);
        public readonly Dictionary<NicAlias, Group> ByAlias = [];
        public readonly Dictionary<string, (NicId Nic, int Index, string Source)> VfMap = new(StringComparer.Ordinal);
        public readonly Dictionary<string, string> Worlds = new(StringComparer.Ordinal);
        /// <summary>The platforms certain captures show (Placement and Kubernetes only assume KVM, so they add none).</summary>
        public readonly List<(Platform Platform, string Source)> Platforms = [];
        public readonly List<(HostObs Obs, string Source)> Facts = [];
    }

    public static ImportResult Assemble(IReadOnlyList<(CaptureFile File, Observations Obs)> inputs, ImportOptions options)
    {
        var a = new Assembler(options);
        return a.Run(inputs);
    }

    private void Warn(string source, int? line, string message) => _diagnostics.Add(new(DiagnosticSeverity.Warning, source, line, message));

    private void Info(string source, int? line, string message) => _diagnostics.Add(new(DiagnosticSeverity.Info, source, line, message));

    private string Rename(string host) => _providerNames.TryGetValue(host, out var n) ? n : host;

    private string HostOf(string? own, FileInput f) => Rename(own ?? f.DefaultHost ?? DefaultHostName);

    private HostState State(string host)
    {
        if (!_hosts.TryGetValue(host, out var s)) _hosts[host] = s = new HostState(host);
        return s;
    }

    private ImportResult Run(IReadOnlyList<(CaptureFile File, Observations Obs)> inputs)
    {
        foreach (var (_, obs) in inputs)
            foreach (var (uuid, name) in obs.ProviderNames) _providerNames[uuid] = name;

        foreach (var (file, obs) in inputs)
        {
            var named = obs.NamedHost is { } n && n != DefaultHostName ? n : null;
            var given = file.Host ?? _options.Host;
            if (named is not null && given is not null && named != given)
                Info(obs.Source, null, $"the capture names its host '{named}' (the file was given host '{given}'): using '{named}'");
            var host = named ?? given;
            var needsHost = obs.Pfs.Any(p => p.Host is null) || obs.Vfs.Any(v => v.Host is null) || obs.Switches.Any(s => s.Host is null)
                            || obs.Vms.Any(v => v.Host is null) || obs.Hosts.Any(h => h.Host is null) || obs.Pools.Any(p => p.Host is null)
                            || obs.Holders.Any(h => h.Host is null) || obs.Usages.Any(u => u.Host is null);
            if (host is null && needsHost)
                Warn(obs.Source, null, $"no host name (the capture does not name one, no --host, not in a host folder): using '{DefaultHostName}'");
            var input = new FileInput(obs, host, host is not null);
            _files.Add(input);
            _diagnostics.AddRange(obs.Diagnostics);
        }

        CollectHosts();
        BuildNics();
        MapVfs();
        var switches = BuildSwitches(out var switchPools, out var addressPools);
        var (vms, holders) = BuildVms(switches);
        var pools = BuildPools(switchPools, addressPools);
        var observed = BuildObservedPools(pools);

        var hosts = _hosts.Values.Select(BuildHost).OrderBy(h => h.Id.Value, StringComparer.Ordinal).ToValueList();
        var nics = _hosts.Values.SelectMany(h => h.ByPci.Values.Concat(h.ByAlias.Values)).Where(g => g.Spec is not null).Select(g => g.Spec!)
            .DistinctBy(n => n.Id).OrderBy(n => n.Id.Value, StringComparer.Ordinal).ToValueList();
        var topology = new Topology(
            hosts,
            nics,
            switches.Values.OrderBy(s => s.Id.Value, StringComparer.Ordinal).ToValueList(),
            vms.OrderBy(v => v.Id.Value, StringComparer.Ordinal).ToValueList(),
            pools.OrderBy(p => p.Nic.Value, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToValueList(),
            holders.OrderBy(h => h.Nic.Value, StringComparer.Ordinal).ThenBy(h => h.VfIndex).ToValueList());
        return new ImportResult(topology, _diagnostics, observed, inputs.Select(i => (i.Obs.Source, i.Obs.Format)).ToList());
    }

    // ---------------------------------------------------------------- hosts

    private void CollectHosts()
    {
        foreach (var f in _files)
        {
            var o = f.Obs;
            void Touch(string? own)
            {
                var s = State(HostOf(own, f));
                if (o.PlatformIsCertain && !s.Platforms.Any(p => p.Source == o.Source)) s.Platforms.Add((o.Platform, o.Source));
            }
            foreach (var p in o.Pfs) { Touch(p.Host); State(HostOf(p.Host, f)).Pfs.Add((p, o.Source)); }
            foreach (var h in o.Hosts) { Touch(h.Host); State(HostOf(h.Host, f)).Facts.Add((h, o.Source)); }
            foreach (var x in o.Vfs) Touch(x.Host);
            foreach (var x in o.Switches) Touch(x.Host);
            foreach (var x in o.Vms) Touch(x.Host);
            foreach (var x in o.Holders) Touch(x.Host);
            foreach (var x in o.Pools) Touch(x.Host);
            foreach (var x in o.Usages) Touch(x.Host);
            foreach (var w in o.Worlds)
            {
                Touch(w.Host);
                var s = State(HostOf(w.Host, f));
                s.Worlds[w.WorldId] = w.Name;
                if (w.CartelId is not null) s.Worlds.TryAdd(w.CartelId, w.Name);
            }
        }
    }

    private HostSpec BuildHost(HostState s)
    {
        var seen = s.Platforms.Concat(s.Facts.Where(f => f.Obs.Platform is not null).Select(f => (f.Obs.Platform!.Value, f.Source))).ToList();
        var platform = seen.Count > 0 ? seen[^1].Item1 : Platform.Kvm;
        if (seen.Select(p => p.Item1).Distinct().Count() > 1)
            Warn(seen[^1].Item2, null, $"host {s.Name}: captures of different platforms ({string.Join(", ", seen.Select(p => $"{p.Item1} in {p.Item2}").Distinct())}); using {platform}");
        int cores = 0;
        long memory = 0;
        string os = "";
        ChipsetCapabilities? chipset = null;
        var descriptions = new List<string>();
        foreach (var (h, source) in s.Facts)
        {
            cores = Pick($"host {s.Name}: cores", cores == 0 ? null : cores, h.Cores, source, h.Line) ?? 0;
            memory = Pick($"host {s.Name}: memory MiB", memory == 0 ? null : memory, h.MemoryMiB, source, h.Line) ?? 0;
            if (!string.IsNullOrEmpty(h.Os)) os = h.Os;
            if (h.Chipset is { } c) chipset = chipset is null ? c : Both(chipset, c);
            if (h.ChipsetDescription is { } d && !descriptions.Contains(d)) descriptions.Add(d);
        }
        var defaulted = new List<string>();
        if (cores == 0 && _options.Cores is { } dc) { cores = dc; defaulted.Add($"{dc} cores"); }
        if (memory == 0 && _options.MemoryMiB is { } dm) { memory = dm; defaulted.Add($"{dm} MiB"); }
        if (os.Length == 0 && !string.IsNullOrWhiteSpace(_options.Os)) { os = _options.Os; defaulted.Add($"OS '{os}'"); }
        if (defaulted.Count > 0) Info("import options", null, $"host {s.Name}: the captures do not say; using {string.Join(", ", defaulted)} from the command line");
        return new HostSpec(s.Id, platform, os, cores, memory, _options.Cluster, chipset, descriptions.Count > 0 ? string.Join("; ", descriptions) : null);
    }

    /// <summary>Two captures each report what they saw missing (Get-VMHost reasons, one NIC's SriovSupport): a
    /// capability is present only if neither says it is missing.</summary>
    private static ChipsetCapabilities Both(ChipsetCapabilities a, ChipsetCapabilities b) => new(
        a.Iommu && b.Iommu, a.InterruptRemapping && b.InterruptRemapping, a.DmaRemapping && b.DmaRemapping, a.Slat && b.Slat,
        a.Acs && b.Acs, a.Ari && b.Ari, a.BiosSriovEnabled && b.BiosSriovEnabled, a.OscHandoff && b.OscHandoff,
        Min(a.MaxVfsByBusNumbers, b.MaxVfsByBusNumbers), Min(a.MaxVfsByBarSpace, b.MaxVfsByBarSpace));

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    /// <summary>The later value where both are known; a disagreement is reported.</summary>
    private T? Pick<T>(string what, T? current, T? next, string source, int? line) where T : struct
    {
        if (next is null) return current;
        if (current is not null && !EqualityComparer<T>.Default.Equals(current.Value, next.Value))
            Warn(source, line, $"{what}: {Show(current.Value)} in an earlier capture, {Show(next.Value)} here; using {Show(next.Value)}");
        return next;
    }

    private string? PickText(string what, string? current, string? next, string source, int? line, bool report = true)
    {
        if (string.IsNullOrEmpty(next)) return current;
        if (report && current is not null && !string.Equals(current, next, StringComparison.OrdinalIgnoreCase))
            Warn(source, line, $"{what}: '{current}' in an earlier capture, '{next}' here; using '{next}'");
        return next;
    }

    private static string Show<T>(T v) => v switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v?.ToString() ?? "",
    };

    // ---------------------------------------------------------------- NICs

    private static readonly AliasKind[] KeyPreference =
        [AliasKind.InterfaceDescription, AliasKind.VmNic, AliasKind.PlacementProvider, AliasKind.WindowsName, AliasKind.Unnamed];

    private void BuildNics()
    {
        foreach (var f in _files)
            foreach (var p in f.Obs.Pfs)
                for (var i = 0; i < p.Aliases.Count; i++)
                {
                    if (p.Aliases[i].Kind != AliasKind.PlacementProvider) continue;
                    p.Aliases[i] = p.Aliases[i] with { Value = Rename(p.Aliases[i].Value) };
                    // nova names PCI-in-placement providers "<host>_<pci address>"
                    p.Pci ??= Pci.FindIn(p.Aliases[i].Value);
                }

        foreach (var s in _hosts.Values)
        {
            foreach (var (o, source) in s.Pfs.Where(p => p.Obs.Pci is not null))
            {
                if (!s.ByPci.TryGetValue(o.Pci!, out var g)) s.ByPci[o.Pci!] = g = new Group { Pci = o.Pci };
                g.Add(o, source);
            }
            var aliasToPci = new Dictionary<NicAlias, SortedSet<string>>();
            foreach (var g in s.ByPci.Values)
                foreach (var a in g.Aliases)
                {
                    if (!aliasToPci.TryGetValue(a, out var set)) aliasToPci[a] = set = new(StringComparer.Ordinal);
                    set.Add(g.Pci!);
                }
            foreach (var (o, source) in s.Pfs.Where(p => p.Obs.Pci is null))
            {
                var pcis = o.Aliases.SelectMany(a => aliasToPci.TryGetValue(a, out var set) ? set : []).Distinct().ToList();
                if (pcis.Count == 1)
                {
                    s.ByPci[pcis[0]].Add(o, source);
                    continue;
                }
                if (pcis.Count > 1)
                {
                    Warn(source, o.Line, $"host {s.Name}: {string.Join(", ", o.Aliases)} names several PCI devices ({string.Join(", ", pcis)}); not imported");
                    continue;
                }
                var groups = o.Aliases.Select(a => s.ByAlias.GetValueOrDefault(a)).OfType<Group>().Distinct().ToList();
                var target = groups.FirstOrDefault() ?? new Group();
                foreach (var other in groups.Skip(1))
                    foreach (var (m, src) in other.Members) target.Add(m, src);
                target.Add(o, source);
                foreach (var a in target.Aliases) s.ByAlias[a] = target;
            }

            foreach (var g in s.ByPci.Values.OrderBy(g => g.Pci, StringComparer.Ordinal)) Nic(s, g);
            foreach (var g in s.ByAlias.Values.Distinct().ToList()) Nic(s, g);
        }
    }

    private void Nic(HostState s, Group g)
    {
        if (g.Spec is not null || !g.Members.Any(m => m.Obs.AssertsPf)) return;
        var (firstObs, firstSource) = g.Members.First(m => m.Obs.AssertsPf);
        if (g.Pci is not null)
        {
            g.Id = NicId.Of(s.Id, g.Pci);
            if (g.Members.Any(m => m.Obs.IsVf))
                Warn(firstSource, firstObs.Line, $"{g.Pci} on {s.Name} is reported both as a VF and as a PF");
        }
        else
        {
            var key = KeyPreference.Select(k => g.Aliases.FirstOrDefault(a => a.Kind == k)).FirstOrDefault(a => a.Value is not null);
            if (key.Value is null)
            {
                Warn(firstSource, firstObs.Line, $"host {s.Name}: {string.Join(", ", g.Aliases)}{Summary(g)} has no PCI address in this import: not imported " +
                                                 "(a netdev name is not an identity; add the host's sysfs or nodedev capture)");
                return;
            }
            g.Id = NicId.Of(s.Id, key.Value);
            Warn(firstSource, firstObs.Line, $"host {s.Name}: NIC {key} has no PCI address in this import; keyed provisionally as '{g.Id}'");
        }
        var id = g.Id!.Value;
        string? vendorId = null, deviceId = null, model = null, driver = null, netdev = null;
        NicVendor? vendor = null;
        int? numa = null, link = null, max = null, configured = null, requested = null, vports = null, qps = null;
        bool? enabled = null, pfDriver = null;
        foreach (var (o, src) in g.Members)
        {
            var l = o.Line;
            vendorId = PickText($"{id}: vendor id", vendorId, o.VendorId, src, l);
            vendor = Pick($"{id}: vendor", vendor, o.Vendor is NicVendor.Other ? null : o.Vendor, src, l);
            deviceId = PickText($"{id}: device id", deviceId, o.DeviceId, src, l);
            model = PickText($"{id}: model", model, o.Model, src, l, report: false);
            driver = PickText($"{id}: driver", driver, o.Driver, src, l);
            numa = Pick($"{id}: NUMA node", numa, o.NumaNode, src, l);
            link = Pick($"{id}: link Mbit/s", link, o.LinkMbps, src, l);
            max = Pick($"{id}: VF ceiling", max, o.MaxVfs, src, l);
            configured = Pick($"{id}: VFs configured", configured, o.ConfiguredVfs, src, l);
            requested = Pick($"{id}: VFs requested", requested, o.RequestedVfs, src, l);
            enabled = Pick($"{id}: SR-IOV enabled", enabled, o.SriovEnabled, src, l);
            pfDriver = Pick($"{id}: PF driver supports SR-IOV", pfDriver, o.PfDriverSupportsSriov, src, l);
            vports = Pick($"{id}: VPorts", vports, o.VPorts, src, l);
            qps = Pick($"{id}: queue pairs", qps, o.QueuePairs, src, l);
            foreach (var a in o.Aliases.Where(a => a.Kind == AliasKind.Netdev))
            {
                if (netdev is not null && netdev != a.Value && o.AssertsPf)
                    Info(src, l, $"{id}: netdev {a.Value} here, {netdev} in an earlier capture (netdev names change; the NIC is keyed by PCI address)");
                if (netdev is null || o.AssertsPf) netdev = a.Value;
            }
            if (o.VfDeviceId is not null) g.VfDeviceIds.Add(o.VfDeviceId);
        }
        model ??= Vendors.DeviceName(vendorId, deviceId) ?? "unknown";
        if (NicCatalog.Find(model) is { } known)
        {
            // the twin needs a ceiling to enable SR-IOV and a link rate for the throughput model; some captures give
            // neither (Get-VMSwitch, esxcli lists, a sysfs copy of a link that is down)
            if (max is null && pfDriver != false)
            {
                max = known.VfsPerPort;
                Info(firstSource, firstObs.Line, $"{id}: no capture gives its VF ceiling; {known.VfsPerPort.ToString(CultureInfo.InvariantCulture)} VFs per port from the NIC catalog ({known.Name}: {known.Source})");
            }
            if (link is null or 0)
            {
                link = known.LinkMbps;
                Info(firstSource, firstObs.Line, $"{id}: no capture gives its link rate; {known.LinkMbps.ToString(CultureInfo.InvariantCulture)} Mbit/s from the NIC catalog ({known.Name})");
            }
        }
        var configuredVfs = configured ?? 0;
        if (max is { } ceiling && configuredVfs > ceiling)
            Warn(firstSource, firstObs.Line, $"{id}: {configuredVfs.ToString(CultureInfo.InvariantCulture)} VFs configured exceed the ceiling {ceiling.ToString(CultureInfo.InvariantCulture)}");
        g.Spec = new NicSpec(id, s.Id, g.Pci ?? "", model, vendor ?? Vendors.FromId(vendorId), link ?? 0, numa ?? 0, max, enabled ?? configuredVfs > 0,
            configuredVfs, requested, pfDriver ?? true, vports, qps, netdev, driver, deviceId);
    }

    private static string Summary(Group g)
    {
        var vfs = g.Members.Select(m => m.Obs.ConfiguredVfs).LastOrDefault(v => v is not null);
        return vfs is null ? "" : $" ({vfs.Value.ToString(CultureInfo.InvariantCulture)} VFs configured)";
    }

    /// <summary>The NIC a reference names on a host, when the import has it.</summary>
    private NicId? Resolve(HostState s, NicRef r)
    {
        if (r.Pci is not null) return s.ByPci.TryGetValue(r.Pci, out var g) ? g.Id : null;
        if (r.Alias is not { } a) return null;
        if (a.Kind == AliasKind.PlacementProvider) a = a with { Value = Rename(a.Value) };
        var byPci = s.ByPci.Values.Where(g => g.Aliases.Contains(a) && g.Id is not null).Select(g => g.Id!.Value).Distinct().ToList();
        if (byPci.Count == 1) return byPci[0];
        if (byPci.Count > 1) return null;
        return s.ByAlias.TryGetValue(a, out var ag) ? ag.Id : null;
    }

    private Group? GroupOf(HostState s, NicId id) =>
        s.ByPci.Values.Concat(s.ByAlias.Values).FirstOrDefault(g => g.Id == id);

    // ---------------------------------------------------------------- VFs

    private void MapVfs()
    {
        var unknownPfs = new HashSet<(string Host, string Pf)>();
        foreach (var f in _files)
        {
            foreach (var v in f.Obs.Vfs.Where(v => v.Index is not null))
            {
                var s = State(HostOf(v.Host, f));
                if (Resolve(s, v.Pf) is not { } nic)
                {
                    if (unknownPfs.Add((s.Name, v.Pf.ToString())))
                        Warn(f.Obs.Source, v.Line, $"host {s.Name}: VFs of {v.Pf} are listed but that PF is not in this import; their indices are not recorded");
                    continue;
                }
                if (s.VfMap.TryGetValue(v.VfPci, out var known) && (known.Nic != nic || known.Index != v.Index))
                    Warn(f.Obs.Source, v.Line, $"VF {v.VfPci}: VF {known.Index.ToString(CultureInfo.InvariantCulture)} of {known.Nic} in {known.Source}, " +
                                               $"VF {v.Index!.Value.ToString(CultureInfo.InvariantCulture)} of {nic} here; using this one");
                s.VfMap[v.VfPci] = (nic, v.Index!.Value, f.Obs.Source);
                var g = GroupOf(s, nic)!;
                if (v.DeviceId is not null) g.VfDeviceIds.Add(v.DeviceId);
                if (v.Driver is not null) g.VfDrivers.Add(v.Driver);
                if (v.Index >= g.Spec!.ConfiguredVfs)
                    Warn(f.Obs.Source, v.Line, $"{nic}: VF index {v.Index.Value.ToString(CultureInfo.InvariantCulture)} but {g.Spec.ConfiguredVfs.ToString(CultureInfo.InvariantCulture)} VFs configured");
            }
        }
        foreach (var f in _files)
        {
            foreach (var v in f.Obs.Vfs.Where(v => v.Index is null))
            {
                var s = State(HostOf(v.Host, f));
                var pf = Resolve(s, v.Pf);
                if (s.VfMap.TryGetValue(v.VfPci, out var known))
                {
                    if (pf is not null && known.Nic != pf)
                        Warn(f.Obs.Source, v.Line, $"VF {v.VfPci} names PF {pf}, but {known.Source} lists it under {known.Nic}");
                    continue;
                }
                if (v.DeviceId is not null && pf is not null) GroupOf(s, pf.Value)!.VfDeviceIds.Add(v.DeviceId);
                Info(f.Obs.Source, v.Line, pf is null
                    ? $"VF {v.VfPci} of PF {v.Pf}: that PF is not in this import"
                    : $"VF {v.VfPci} of {pf}: its index is unknown (the PF's VF list is not in this import)");
            }
        }
    }

    // ---------------------------------------------------------------- switches

    private SortedDictionary<SwitchId, SwitchSpec> BuildSwitches(out List<(FileInput File, PoolObs Pool)> pools, out List<ResolvedPool> addressPools)
    {
        var result = new SortedDictionary<SwitchId, SwitchSpec>(Comparer<SwitchId>.Create((a, b) => string.CompareOrdinal(a.Value, b.Value)));
        pools = [];
        addressPools = [];
        foreach (var f in _files)
        {
            foreach (var w in f.Obs.Switches)
            {
                var s = State(HostOf(w.Host, f));
                var id = new SwitchId($"{s.Name}/{w.Name}");
                NicId? bound = null;
                if (w.Bound is { } r)
                {
                    bound = Resolve(s, r);
                    if (bound is null)
                        Warn(f.Obs.Source, w.Line, $"switch {w.Name}: its NIC {r} is not in this import" +
                                                   (r.Alias?.Kind == AliasKind.Netdev ? " (map the netdev with the host's sysfs or nodedev capture)" : ""));
                }
                var spec = new SwitchSpec(id, s.Id, w.Name, w.Kind, bound, w.IovEnabled);
                if (result.TryGetValue(id, out var earlier) && earlier != spec)
                    Warn(f.Obs.Source, w.Line, $"switch {id}: {Describe(earlier)} in an earlier capture, {Describe(spec)} here; using this one");
                result[id] = spec;
                if (w.Kind != SwitchKind.HostdevPool) continue;
                if (w.PoolIsWholePf && w.Bound is not null && bound is not null)
                    pools.Add((f, new PoolObs(w.Host, w.Bound, w.Name, null, null, true, null, w.Line)));
                if (w.PoolVfPcis is { Count: > 0 } addresses)
                {
                    var byNic = new SortedDictionary<string, (NicId Nic, List<int> Indices)>(StringComparer.Ordinal);
                    foreach (var a in addresses)
                    {
                        if (!s.VfMap.TryGetValue(a, out var vf))
                        {
                            Warn(f.Obs.Source, w.Line, $"network {w.Name}: VF {a} is in no PF's VF list in this import; left out of the pool");
                            continue;
                        }
                        if (!byNic.TryGetValue(vf.Nic.Value, out var entry)) byNic[vf.Nic.Value] = entry = (vf.Nic, []);
                        entry.Indices.Add(vf.Index);
                    }
                    foreach (var (_, (nic, indices)) in byNic) addressPools.Add(new(f, s, nic, w.Name, indices, w.Line));
                    if (byNic.Count == 1 && bound is null) result[id] = spec with { BoundNic = byNic.Values.First().Nic };
                    else if (byNic.Count > 1) Info(f.Obs.Source, w.Line, $"network {w.Name} pools VFs of {byNic.Count.ToString(CultureInfo.InvariantCulture)} PFs; the switch is bound to none");
                }
            }
        }
        return result;
    }

    private static string Describe(SwitchSpec s) =>
        $"{s.Kind}{(s.BoundNic is { } n ? $" on {n}" : "")}{(s.IovEnabled ? " with IOV" : "")}";

    // ---------------------------------------------------------------- VMs and holders

    private sealed class VmBuild(VmObs first, string host, string source)
    {
        public string Host = host;
        public string Source = source;
        public string? Guest = first.Guest;
        public int? Vcpus = first.Vcpus;
        public long? Memory = first.MemoryMiB;
        public bool? Running = first.Running;
        public readonly List<VnicBuild> Vnics = [];
    }

    private sealed class VnicBuild(VnicObs o)
    {
        public readonly string Name = o.Name;
        public string? Key = o.Key;
        public string? SwitchName = o.SwitchName;
        public bool Passthrough = o.Passthrough;
        public NicId? PassthroughNic;
        public int? IovWeight = o.IovWeight;
        public int? QueuePairs = o.QueuePairs;
    }

    private (List<VmSpec> Vms, List<VfHolderSpec> Holders) BuildVms(SortedDictionary<SwitchId, SwitchSpec> switches)
    {
        var vms = new Dictionary<string, VmBuild>(StringComparer.Ordinal);
        foreach (var f in _files)
        {
            foreach (var v in f.Obs.Vms)
            {
                var host = HostOf(v.Host, f);
                if (!vms.TryGetValue(v.Name, out var b))
                {
                    vms[v.Name] = b = new VmBuild(v, host, f.Obs.Source);
                }
                else
                {
                    var what = $"VM {v.Name}";
                    if (b.Host != host) Warn(f.Obs.Source, v.Line, $"{what}: on host {b.Host} in {b.Source}, on {host} here; using {host}");
                    b.Host = host;
                    b.Guest = PickText($"{what}: guest", b.Guest, v.Guest, f.Obs.Source, v.Line);
                    b.Vcpus = Pick($"{what}: vCPUs", b.Vcpus, v.Vcpus, f.Obs.Source, v.Line);
                    b.Memory = Pick($"{what}: memory MiB", b.Memory, v.MemoryMiB, f.Obs.Source, v.Line);
                    b.Running = v.Running is null ? b.Running : b.Running == true || v.Running.Value;
                }
                foreach (var n in v.Vnics)
                {
                    var existing = b.Vnics.FirstOrDefault(x => x.Name == n.Name);
                    if (existing is null)
                    {
                        b.Vnics.Add(new VnicBuild(n));
                        continue;
                    }
                    existing.SwitchName = PickText($"{v.Name}/{n.Name}: switch", existing.SwitchName, n.SwitchName, f.Obs.Source, v.Line);
                    existing.IovWeight = Pick($"{v.Name}/{n.Name}: IovWeight", existing.IovWeight, n.IovWeight, f.Obs.Source, v.Line);
                    existing.QueuePairs = Pick($"{v.Name}/{n.Name}: queue pairs", existing.QueuePairs, n.QueuePairs, f.Obs.Source, v.Line);
                    existing.Key ??= n.Key;
                    existing.Passthrough |= n.Passthrough;
                }
            }
        }

        var holders = new Dictionary<(NicId, int), (VfHolderSpec Spec, string Source)>();
        foreach (var f in _files)
        {
            foreach (var h in f.Obs.Holders)
            {
                var s = State(HostOf(h.Host, f));
                var vmName = h.Vm;
                if (vmName is null && h.WorldId is not null && !s.Worlds.TryGetValue(h.WorldId, out vmName))
                {
                    Warn(f.Obs.Source, h.Line, $"VF {h.Index?.ToString(CultureInfo.InvariantCulture)} of {h.Pf} is held by world {h.WorldId}, " +
                                               "which no 'esxcli vm process list' of this host names (World ID or VMX Cartel ID); holder not recorded");
                    continue;
                }
                NicId nic;
                int index;
                if (h.VfPci is not null)
                {
                    if (!s.VfMap.TryGetValue(h.VfPci, out var vf))
                    {
                        if (h.PlainHostdev)
                            Info(f.Obs.Source, h.Line, $"{vmName}: <hostdev> {h.VfPci} is not a VF of any PF in this import (plain PCI passthrough, or the PF's VF list is missing)");
                        else
                            Warn(f.Obs.Source, h.Line, $"{vmName}/{h.Vnic}: VF {h.VfPci} is in no PF's VF list in this import (import the PF's nodedev or sysfs); holder not recorded");
                        continue;
                    }
                    (nic, index) = (vf.Nic, vf.Index);
                }
                else
                {
                    if (h.Pf is null || Resolve(s, h.Pf) is not { } resolved || h.Index is null)
                    {
                        Warn(f.Obs.Source, h.Line, $"{vmName}: VF {h.Index?.ToString(CultureInfo.InvariantCulture)} of {h.Pf}: that PF is not in this import; holder not recorded");
                        continue;
                    }
                    (nic, index) = (resolved, h.Index.Value);
                }
                if (!vms.TryGetValue(vmName!, out var vm))
                {
                    vms[vmName!] = vm = new VmBuild(new VmObs { Name = vmName! }, s.Name, f.Obs.Source) { Running = true };
                    Info(f.Obs.Source, h.Line, $"VM {vmName} is known only as the holder of VF {index.ToString(CultureInfo.InvariantCulture)} of {nic}");
                }
                var vnic = vm.Vnics.FirstOrDefault(n => n.Name == h.Vnic)
                           ?? vm.Vnics.FirstOrDefault(n => n.Key is not null && n.Key.EndsWith(h.Vnic, StringComparison.OrdinalIgnoreCase));
                if (vnic is null)
                {
                    vnic = new VnicBuild(new VnicObs(h.Vnic, null, true, 100, null));
                    vm.Vnics.Add(vnic);
                }
                if (vnic.SwitchName is null || vnic.Passthrough)
                {
                    vnic.Passthrough = true;
                    vnic.PassthroughNic = nic;
                }
                vm.Running ??= true;
                var spec = new VfHolderSpec(nic, index, new VmId(vmName!), vnic.Name);
                if (holders.TryGetValue((nic, index), out var earlier) && earlier.Spec != spec)
                    Warn(f.Obs.Source, h.Line, $"VF {index.ToString(CultureInfo.InvariantCulture)} of {nic}: held by {earlier.Spec.Vm}/{earlier.Spec.Vnic} in {earlier.Source}, " +
                                               $"by {spec.Vm}/{spec.Vnic} here; using this one");
                holders[(nic, index)] = (spec, f.Obs.Source);
            }
        }

        var result = new List<VmSpec>();
        var dangling = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, b) in vms)
        {
            var hostId = new HostId(b.Host);
            var vnics = new List<VnicSpec>();
            foreach (var n in b.Vnics)
            {
                SwitchId switchId;
                if (n.Passthrough || n.SwitchName is null)
                {
                    switchId = ImplicitSwitch(switches, State(b.Host), n.PassthroughNic, b.Source);
                }
                else
                {
                    switchId = new SwitchId($"{b.Host}/{n.SwitchName}");
                    if (!switches.ContainsKey(switchId) && dangling.Add(switchId.Value))
                        Info(b.Source, null, $"switch {switchId} (used by {name}/{n.Name}) is not described in this import");
                }
                var isPool = switches.TryGetValue(switchId, out var sw) && sw.Kind == SwitchKind.HostdevPool;
                var weight = n.IovWeight ?? (isPool ? 100 : 0);
                vnics.Add(new VnicSpec(n.Name, switchId, weight, n.QueuePairs is > 0 ? n.QueuePairs.Value : 1));
            }
            result.Add(new VmSpec(new VmId(name), hostId, b.Guest ?? "", b.Vcpus ?? 0, b.Memory ?? 0, b.Running ?? false, vnics.ToValueList()));
        }
        return (result, holders.Values.Select(h => h.Spec).ToList());
    }

    /// <summary>A VF handed straight to a VM (libvirt hostdev interface, ESXi passthrough, Hyper-V VF) has no switch of
    /// its own in the capture; the model wants one, so the PF gets an implicit IOV switch.</summary>
    private SwitchId ImplicitSwitch(SortedDictionary<SwitchId, SwitchSpec> switches, HostState s, NicId? nic, string source)
    {
        var suffix = nic is not { } n ? "unknown-pf" : n.Value.StartsWith(s.Name + "/", StringComparison.Ordinal) ? n.Value[(s.Name.Length + 1)..] : n.Value;
        var id = new SwitchId($"{s.Name}/passthrough:{suffix}");
        if (switches.ContainsKey(id)) return id;
        var platform = s.Platforms.Count > 0 ? s.Platforms[^1].Platform : Platform.Kvm;
        var kind = platform == Platform.Kvm ? SwitchKind.HostdevPool : SwitchKind.External;
        switches[id] = new SwitchSpec(id, s.Id, $"passthrough:{suffix}", kind, nic, true);
        Info(source, null, $"implicit switch {id} ({kind}, IOV) stands for VFs assigned directly to VMs" + (nic is null ? " whose PF is unknown" : $" from {nic}"));
        return id;
    }

    // ---------------------------------------------------------------- pools

    private List<ResourcePoolSpec> BuildPools(List<(FileInput File, PoolObs Pool)> switchPools, List<ResolvedPool> addressPools)
    {
        var all = switchPools.Concat(_files.SelectMany(f => f.Obs.Pools.Select(p => (f, p)))).ToList();
        var result = new Dictionary<(NicId, string), (ResourcePoolSpec Spec, string Source)>();
        void Add(FileInput f, HostState s, NicId nic, string name, IReadOnlyList<int> indices, int? line)
        {
            var spec = new ResourcePoolSpec(nic, name, indices.Distinct().Order().ToValueList());
            var configured = GroupOf(s, nic)?.Spec?.ConfiguredVfs ?? 0;
            if (spec.VfIndices.Count > 0 && spec.VfIndices[^1] >= configured)
                Warn(f.Obs.Source, line, $"pool {name} on {nic} names VF {spec.VfIndices[^1].ToString(CultureInfo.InvariantCulture)} but only {configured.ToString(CultureInfo.InvariantCulture)} VFs are configured");
            if (result.TryGetValue((nic, name), out var earlier) && earlier.Spec != spec)
                Warn(f.Obs.Source, line, $"pool {name} on {nic}: {earlier.Spec.VfIndices.Count.ToString(CultureInfo.InvariantCulture)} VFs in {earlier.Source}, " +
                                         $"{spec.VfIndices.Count.ToString(CultureInfo.InvariantCulture)} here; using this one");
            result[(nic, name)] = (spec, f.Obs.Source);
        }
        foreach (var p in addressPools) Add(p.File, p.Host, p.Nic, p.Name, p.Indices, p.Line);
        foreach (var (f, p) in all)
        {
            var s = State(HostOf(p.Host, f));
            if (Resolve(s, p.Nic) is not { } nic)
            {
                Warn(f.Obs.Source, p.Line, $"pool {p.Name}: its PF {p.Nic} is not in this import");
                continue;
            }
            var count = p.Indices is not null ? -1 : p.Count ?? (p.AllVfs ? GroupOf(s, nic)!.Spec!.ConfiguredVfs : 0);
            Add(f, s, nic, p.Name, p.Indices ?? Enumerable.Range(0, count).ToList(), p.Line);
        }
        foreach (var f in _files)
        {
            foreach (var sel in f.Obs.Selectors)
            {
                var scope = sel.Host is not null ? [State(Rename(sel.Host))]
                    : f.HasHostContext ? [State(Rename(f.DefaultHost!))]
                    : _hosts.Values.ToList();
                var matched = 0;
                foreach (var s in scope)
                {
                    foreach (var g in s.ByPci.Values.Concat(s.ByAlias.Values).Distinct().Where(g => g.Spec is not null).OrderBy(g => g.Id!.Value.Value, StringComparer.Ordinal))
                    {
                        if (Select(sel, g, f.Obs.Source) is not { } indices) continue;
                        matched++;
                        if (indices.Count == 0)
                        {
                            Info(f.Obs.Source, sel.Line, $"{sel.ResourceName} selects {g.Id}, which has no VFs configured");
                            continue;
                        }
                        Add(f, s, g.Id!.Value, sel.ResourceName, indices, sel.Line);
                    }
                }
                if (matched == 0) Info(f.Obs.Source, sel.Line, $"{sel.ResourceName}: no PF in this import matches its selectors");
            }
        }
        return result.Values.Select(r => r.Spec).ToList();
    }

    /// <summary>The VF indices a selector takes from a PF, or null when it does not match. Criteria on VFs (device id,
    /// driver) that the import cannot check are reported and not applied.</summary>
    private List<int>? Select(SelectorObs sel, Group g, string source)
    {
        var nic = g.Spec!;
        static bool In(IReadOnlyList<string> list, string? value, Func<string, string?> norm) =>
            value is not null && list.Any(x => norm(x) == norm(value));
        if (sel.Vendors.Count > 0 && !In(sel.Vendors, g.Members.Select(m => m.Obs.VendorId).LastOrDefault(v => v is not null), Vendors.Hex4)) return null;
        if (sel.PfDevices.Count > 0 && !In(sel.PfDevices, nic.DeviceId, Vendors.Hex4)) return null;
        if (sel.RootDevices.Count > 0 && !In(sel.RootDevices, nic.PciAddress, Pci.TryParseHex)) return null;
        IReadOnlyList<int>? range = null;
        if (sel.PfNames.Count > 0)
        {
            var names = g.Aliases.Where(a => a.Kind == AliasKind.Netdev).Select(a => a.Value).ToHashSet(StringComparer.Ordinal);
            var hit = sel.PfNames.FirstOrDefault(p => names.Contains(p.Split('#')[0]));
            if (hit is null) return null;
            if (hit.Contains('#', StringComparison.Ordinal)) range = ParseRange(hit.Split('#')[1]);
        }
        var unchecked_ = new List<string>();
        if (sel.VfDevices.Count > 0)
        {
            if (g.VfDeviceIds.Count == 0) unchecked_.Add("devices");
            else if (!g.VfDeviceIds.Any(d => In(sel.VfDevices, d, Vendors.Hex4))) return null;
        }
        if (sel.Drivers.Count > 0)
        {
            if (g.VfDrivers.Count == 0) unchecked_.Add("drivers");
            else if (!g.VfDrivers.Any(d => sel.Drivers.Contains(d))) return null;
        }
        if (unchecked_.Count > 0)
            Info(source, sel.Line, $"{sel.ResourceName} on {nic.Id}: the {string.Join(" and ", unchecked_)} selector(s) are not checked (VF {(unchecked_.Contains("devices") ? "device id" : "driver")} unknown in this import)");
        var vfs = sel.IsPolicy ? sel.NumVfs ?? nic.ConfiguredVfs : nic.ConfiguredVfs;
        if (sel.IsPolicy && sel.NumVfs is { } want && want != nic.ConfiguredVfs)
            Info(source, sel.Line, $"{sel.ResourceName}: the policy asks {want.ToString(CultureInfo.InvariantCulture)} VFs on {nic.Id}, which has {nic.ConfiguredVfs.ToString(CultureInfo.InvariantCulture)} configured");
        return (range ?? Enumerable.Range(0, vfs).ToList()).ToList();
    }

    private static List<int>? ParseRange(string text)
    {
        var parts = text.Split('-');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a)
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b) && a <= b
            ? Enumerable.Range(a, b - a + 1).ToList()
            : null;
    }

    // ---------------------------------------------------------------- observed pool counts

    private List<ObservedPool> BuildObservedPools(List<ResourcePoolSpec> pools)
    {
        var result = new List<ObservedPool>();
        foreach (var f in _files)
        {
            foreach (var u in f.Obs.Usages)
            {
                var s = State(HostOf(u.Host, f));
                NicId? nic = u.Nic is null ? null : Resolve(s, u.Nic);
                if (u.Nic is null)
                {
                    var named = pools.Where(p => p.Name == u.Name && p.Nic.Value.StartsWith(s.Name + "/", StringComparison.Ordinal)).ToList();
                    if (named.Count == 1) nic = named[0].Nic;
                    var total = named.Sum(p => p.VfIndices.Count);
                    if (named.Count > 0 && u.Capacity is { } cap && cap != total)
                        Warn(f.Obs.Source, u.Line, $"{u.Name} on {s.Name}: {cap.ToString(CultureInfo.InvariantCulture)} allocatable, but the pools of that name hold {total.ToString(CultureInfo.InvariantCulture)} VFs");
                    if (named.Count == 0)
                        Info(f.Obs.Source, u.Line, $"{u.Name} on {s.Name}: {u.Capacity?.ToString(CultureInfo.InvariantCulture) ?? "?"} allocatable; no pool of that name in this import says which PF");
                }
                result.Add(new ObservedPool(s.Id, nic, u.Name, u.Capacity, u.Used, f.Obs.Source));
            }
        }
        return result.OrderBy(o => o.Host.Value, StringComparer.Ordinal).ThenBy(o => o.Nic?.Value ?? "", StringComparer.Ordinal)
            .ThenBy(o => o.Name, StringComparer.Ordinal).ThenBy(o => o.Source, StringComparer.Ordinal).ToList();
    }
}
