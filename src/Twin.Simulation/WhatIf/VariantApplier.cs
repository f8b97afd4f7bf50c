using System.Globalization;
using Twin.Events.Catalog;
using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;

namespace Twin.Simulation.WhatIf;

/// <summary>A variant ready to run: its topology, the model settings it changed, its cohorts, how the arriving
/// workload's SR-IOV wish changed, what fails (the base's failures with the variant's changes over them) and which
/// hosts go into maintenance (the base's windows, or the variant's instead); <see cref="Applied"/> says in words what
/// each change did.</summary>
public sealed record AppliedVariant(
    string Name,
    string? Description,
    string? BasedOn,
    Topology Topology,
    PlacementPolicy Placement,
    ScarceVfPolicy? ScarceVfPolicy,
    IReadOnlyList<CohortSpec> Cohorts,
    NetworkSpec? WorkloadNetwork,
    IReadOnlyList<string> Applied,
    FailureSpec Failures,
    IReadOnlyList<MaintenanceSpec> Maintenance);

/// <summary>
/// Applies a variant's changes to the base, as data: a changed topology (hosts, PFs, switches, the base's VMs' vNICs),
/// settings, cohorts. Nothing here decides an SR-IOV rule: whether a PF can have N VFs, or a switch can change IOV in
/// place, is asked of the core's own deciders, and what the result means for VMs is the model's business. A change
/// that cannot apply throws a <see cref="ScenarioException"/> at the change's line.
/// </summary>
public static class VariantApplier
{
    /// <summary>The baseline (<paramref name="variant"/> null) or a variant (after its <c>basedOn</c> chain).</summary>
    public static AppliedVariant Apply(WhatIfScenario scenario, Topology baseTopology, VariantSpec? variant, DateTimeOffset epoch)
    {
        var state = new State(scenario, baseTopology, epoch);
        if (variant is null) return state.Result("baseline", "the base as it is", null);
        var all = scenario.Variants.ToDictionary(v => v.Name, StringComparer.Ordinal);
        var chain = new List<VariantSpec>();
        for (var v = variant; v is not null; v = v.BasedOn is { } b ? all[b] : null) chain.Insert(0, v);
        foreach (var change in chain.SelectMany(v => v.Changes)) state.Apply(change);
        return state.Result(variant.Name, variant.Description, variant.BasedOn);
    }

    /// <summary>Whether <paramref name="pattern"/> (with * wildcards) matches <paramref name="value"/> exactly.</summary>
    public static bool Glob(string pattern, string value)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal)) return string.Equals(pattern, value, StringComparison.Ordinal);
        var parts = pattern.Split('*');
        if (!value.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = value.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + parts[i].Length;
        }
        return value.Length - at >= parts[^1].Length && value.EndsWith(parts[^1], StringComparison.Ordinal);
    }

    private sealed class State(WhatIfScenario scenario, Topology topology, DateTimeOffset epoch)
    {
        private Topology _t = topology;
        private PlacementPolicy _placement = scenario.Placement;
        private ScarceVfPolicy? _policy = scenario.ScarceVfPolicy;
        private readonly List<CohortSpec> _cohorts = [.. scenario.Cohorts];
        private NetworkSpec? _workloadNetwork;
        private FailureSpec _failures = scenario.Failures;
        private IReadOnlyList<MaintenanceSpec> _maintenance = scenario.Maintenance;
        private readonly List<string> _applied = [];

        public AppliedVariant Result(string name, string? description, string? basedOn) =>
            new(name, description, basedOn, _t, _placement, _policy, _cohorts, _workloadNetwork, _applied, _failures, _maintenance);

        public void Apply(ChangeSpec change)
        {
            switch (change)
            {
                case ChangeSpec.AddHosts c: AddHosts(c); break;
                case ChangeSpec.ReplaceNics c: ReplaceNics(c); break;
                case ChangeSpec.SetNumVfs c: SetNumVfs(c); break;
                case ChangeSpec.SwitchIov c: SwitchIov(c); break;
                case ChangeSpec.EnableSriov c: EnableSriov(c); break;
                case ChangeSpec.AddCohort c:
                    _cohorts.Add(c.Cohort);
                    _applied.Add($"cohort {c.Cohort.Name}: {Num(c.Cohort.ArrivalsPerHour)} VMs/h" + (c.Cohort.Cluster is { } cl ? $" on cluster {cl}" : "")
                                 + (c.Cohort.Count is { } n ? $", at most {n}" : ""));
                    break;
                case ChangeSpec.SetScarceVfPolicy c:
                    _policy = c.Policy;
                    _applied.Add($"scarce-VF policy {c.Policy} on every PF");
                    break;
                case ChangeSpec.SetPlacement c:
                    _placement = c.Placement;
                    _applied.Add($"placement {c.Placement}");
                    break;
                case ChangeSpec.SetFailures c:
                    _failures = c.Failures.Over(_failures);
                    _applied.Add(DescribeFailures(_failures));
                    break;
                case ChangeSpec.SetMaintenance c:
                    _maintenance = c.Maintenance;
                    _applied.Add(DescribeMaintenance(_maintenance));
                    break;
            }
        }

        private void AddHosts(ChangeSpec.AddHosts c)
        {
            var model = NicCatalog.Find(c.NicModel)!;
            var numVfs = c.NumVfs ?? model.VfsPerPort;
            var ids = _t.Hosts.Select(h => h.Id.Value).ToHashSet(StringComparer.Ordinal);
            var hosts = new List<HostSpec>(_t.Hosts);
            var nics = new List<NicSpec>(_t.Nics);
            var switches = new List<SwitchSpec>(_t.Switches);
            var width = Math.Max(2, c.Count.ToString(CultureInfo.InvariantCulture).Length);
            var next = 1;
            for (var i = 0; i < c.Count; i++)
            {
                string id;
                do id = c.IdPrefix + next++.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
                while (ids.Contains(id));
                ids.Add(id);
                var host = new HostId(id);
                var nic = new NicSpec(NicId.Of(host, "0000:3b:00.0"), host, "0000:3b:00.0", model.Name, model.Vendor, c.LinkMbps ?? model.LinkMbps, 0,
                    model.VfsPerPort, numVfs > 0, numVfs);
                CheckVfCount(c, nic, c.Platform, numVfs);
                hosts.Add(new HostSpec(host, c.Platform, c.Os, c.Cores, (long)Math.Round(c.MemoryGiB * 1024), c.Cluster));
                nics.Add(nic);
                switches.Add(new SwitchSpec(new SwitchId($"{id}/ext"), host, "ext", SwitchKind.External, nic.Id, c.IovOnSwitch));
            }
            _t = _t with { Hosts = hosts.ToValueList(), Nics = nics.ToValueList(), Switches = switches.ToValueList() };
            _applied.Add($"{c.Count} {c.Platform} host(s) in cluster {c.Cluster} ({c.Cores} cores, {Num(c.MemoryGiB)} GiB), each with a {model.Name} PF of "
                         + $"{numVfs} VFs (ceiling {model.VfsPerPort}) behind an external switch, IOV {(c.IovOnSwitch ? "on" : "off")}");
        }

        private void ReplaceNics(ChangeSpec.ReplaceNics c)
        {
            var model = NicCatalog.Find(c.Model)!;
            var numVfs = c.NumVfs ?? model.VfsPerPort;
            var selected = Pfs(c.Pfs, c);
            var platforms = Platforms();
            var replaced = new Dictionary<NicId, NicSpec>();
            foreach (var n in selected)
            {
                var spec = n with
                {
                    Model = model.Name, Vendor = model.Vendor, LinkMbps = model.LinkMbps, MaxVfs = model.VfsPerPort, SriovEnabled = numVfs > 0,
                    ConfiguredVfs = numVfs, RequestedVfs = null, PfDriverSupportsSriov = true, VPorts = null, QueuePairs = null, Driver = null, DeviceId = null,
                };
                CheckVfCount(c, spec, platforms[n.Host], numVfs);
                replaced[n.Id] = spec;
            }
            var droppedPools = _t.ResourcePools.Count(p => replaced.ContainsKey(p.Nic));
            _t = _t with
            {
                Nics = _t.Nics.Select(n => replaced.GetValueOrDefault(n.Id, n)).ToValueList(),
                // a new card has no scheduler pools until someone defines them; the VFs its holders had are gone with the old card
                ResourcePools = _t.ResourcePools.Where(p => !replaced.ContainsKey(p.Nic)).ToValueList(),
                VfHolders = _t.VfHolders.Where(h => !replaced.ContainsKey(h.Nic)).ToValueList(),
            };
            _applied.Add($"{selected.Count} PF(s) replaced by {model.Name} with {numVfs} VFs (ceiling {model.VfsPerPort}, {model.LinkMbps / 1000} GbE; source: {model.Source})"
                         + (droppedPools > 0 ? $"; {droppedPools} resource pool(s) of the old cards dropped" : ""));
        }

        private void SetNumVfs(ChangeSpec.SetNumVfs c)
        {
            var selected = Pfs(c.Pfs, c);
            var platforms = Platforms();
            var changed = new Dictionary<NicId, NicSpec>();
            foreach (var n in selected)
            {
                var count = c.ToCeiling ? n.MaxVfs ?? throw Fail(c, $"PF {n.Id} reports no VF ceiling (disabled or too old a capture); give numVfs or replace the NIC")
                    : c.NumVfs ?? n.ConfiguredVfs + c.Delta!.Value;
                if (count < 0) throw Fail(c, $"PF {n.Id} has {n.ConfiguredVfs} VFs; {c.Delta} would leave {count}");
                CheckVfCount(c, n, platforms[n.Host], count);
                changed[n.Id] = n with { SriovEnabled = count > 0, ConfiguredVfs = count, RequestedVfs = null };
            }
            _t = _t with
            {
                Nics = _t.Nics.Select(n => changed.GetValueOrDefault(n.Id, n)).ToValueList(),
                ResourcePools = _t.ResourcePools
                    .Select(p => changed.TryGetValue(p.Nic, out var n) ? p with { VfIndices = p.VfIndices.Where(i => i < n.ConfiguredVfs).ToValueList() } : p)
                    .Where(p => p.VfIndices.Count > 0).ToValueList(),
                VfHolders = _t.VfHolders.Where(h => !changed.TryGetValue(h.Nic, out var n) || h.VfIndex < n.ConfiguredVfs).ToValueList(),
            };
            var what = c.ToCeiling ? "to their ceiling" : c.NumVfs is { } v ? $"to {v}" : $"by {c.Delta:+#;-#;0}";
            _applied.Add($"NumVFs of {selected.Count} PF(s) {what}: " + string.Join(", ", changed.Values.Take(5).Select(n => $"{n.Id} → {n.ConfiguredVfs}"))
                         + (changed.Count > 5 ? $", … ({changed.Count - 5} more)" : ""));
        }

        private void SwitchIov(ChangeSpec.SwitchIov c)
        {
            var selected = Switches(c.Switches, c);
            var platforms = Platforms();
            var op = new OperationId("whatif");
            var changed = new Dictionary<SwitchId, SwitchSpec>();
            foreach (var sw in selected)
            {
                var state = VirtualSwitch.Initial();
                try
                {
                    (_, state) = SwitchDecider.Decider.Run(new SwitchCommand.CreateSwitch(sw.Id, sw.Host, platforms[sw.Host], sw.Name, sw.Kind, sw.BoundNic, sw.IovEnabled, op, epoch), state);
                    SwitchCommand command = c.Recreate ? new SwitchCommand.RecreateSwitch(sw.Id, c.Iov, op, epoch) : new SwitchCommand.SetSwitchIov(sw.Id, c.Iov, op, epoch);
                    var (events, after) = SwitchDecider.Decider.Run(command, state);
                    if (events.OfType<SwitchEvent.SwitchIovChangeRejected>().FirstOrDefault() is { } refused)
                        throw Fail(c, $"switch {sw.Id}: {refused.Reason}; add recreate: true (plan: {refused.Plan})");
                    changed[sw.Id] = sw with { IovEnabled = after.IovEnabled };
                }
                catch (DomainRuleViolated e)
                {
                    throw Fail(c, $"switch {sw.Id}: {e.Message}");
                }
            }
            _t = _t with { Switches = _t.Switches.Select(s => changed.GetValueOrDefault(s.Id, s)).ToValueList() };
            var noVfs = changed.Values.Where(s => c.Iov && s.BoundNic is { } n && _t.Nics.FirstOrDefault(x => x.Id == n) is { } nic && (!nic.SriovEnabled || nic.ConfiguredVfs == 0))
                .Select(s => s.Id.Value).ToList();
            _applied.Add($"IOV switched {(c.Iov ? "on" : "off")} for {selected.Count} switch(es) by {(c.Recreate ? "recreating them (their vNICs reconnect)" : "changing them in place")}"
                         + (noVfs.Count > 0 ? $"; note: the PF behind {string.Join(", ", noVfs.Take(3))}{(noVfs.Count > 3 ? ", …" : "")} has no VFs configured (add setNumVfs)" : ""));
        }

        private void EnableSriov(ChangeSpec.EnableSriov c)
        {
            var what = c.IovWeight == 0 ? "SR-IOV off (IovWeight 0)" : $"SR-IOV on (IovWeight {c.IovWeight})";
            if (c.Vms is { } selector)
            {
                var vms = Vms(selector, c);
                var ids = vms.Select(v => v.Id).ToHashSet();
                _t = _t with
                {
                    Vms = _t.Vms.Select(v => ids.Contains(v.Id) ? v with { Vnics = v.Vnics.Select(n => n with { IovWeight = c.IovWeight }).ToValueList() } : v).ToValueList(),
                };
                _applied.Add($"{what} for every vNIC of {vms.Count} VM(s) of the base");
                return;
            }
            if (c.Cohort is { } name)
            {
                var i = _cohorts.FindIndex(x => x.Name == name);
                var cohort = _cohorts[i];
                _cohorts[i] = cohort with { Network = Wish(cohort.Network, c.IovWeight, share: null) };
                _applied.Add($"{what} for every VM of cohort {name}");
                return;
            }
            var network = scenario.Workload switch
            {
                WorkloadSpec.Trace t => t.Network,
                WorkloadSpec.Synthetic s => s.Network,
                _ => throw Fail(c, "the scenario has no arriving workload (workload: none): enable SR-IOV for vms or a cohort instead"),
            };
            _workloadNetwork = Wish(_workloadNetwork ?? network, c.IovWeight, c.Share);
            _applied.Add($"{what} for {(c.IovWeight == 0 ? "all" : Num(100 * (c.Share ?? 1)) + " %")} of the arriving workload's VMs");
        }

        private static NetworkSpec Wish(NetworkSpec n, int weight, double? share) =>
            n with { SriovShare = weight == 0 ? 0 : share ?? 1, IovWeight = new DistributionSpec.Fixed(Math.Max(1, weight)) };

        /// <summary>Asks the NIC decider whether this PF can have <paramref name="count"/> VFs (ceiling, SR-IOV support).</summary>
        private void CheckVfCount(ChangeSpec c, NicSpec n, Platform platform, int count)
        {
            if (count == 0) return;
            var nic = Nic.Initial();
            var at = DateTimeOffset.UnixEpoch;
            (_, nic) = NicDecider.Decider.Run(new NicCommand.InstallNic(n.Id, n.Host, platform, n.Model, n.Vendor, n.PciAddress, n.LinkMbps, n.NumaNode, n.MaxVfs,
                n.PfDriverSupportsSriov, n.VPorts, n.QueuePairs, at), nic);
            var (events, _) = NicDecider.Decider.Run(new NicCommand.EnableSriov(n.Id, count, new OperationId("whatif"), at), nic);
            if (events.OfType<NicEvent.VfConfigurationRejected>().FirstOrDefault() is { } refused)
                throw Fail(c, refused.Reason switch
                {
                    NicChangeRefusal.ExceedsCeiling => $"PF {n.Id} ({n.Model}) cannot have {count} VFs: its ceiling is {n.MaxVfs}",
                    NicChangeRefusal.NotSriovCapable => $"PF {n.Id} ({n.Model}) cannot have VFs: " + (n.MaxVfs is null
                        ? "its capture reports no VF ceiling (SR-IOV disabled in firmware, or too old a capture)" : "its PF driver does not support SR-IOV"),
                    var r => $"PF {n.Id} refuses {count} VFs: {r}",
                });
        }

        private Dictionary<HostId, Platform> Platforms() => _t.Hosts.ToDictionary(h => h.Id, h => h.Platform);

        private List<NicSpec> Pfs(Selector s, ChangeSpec c)
        {
            if (s.Model is null && s.Ids.Count == 0 && s.Hosts.Count == 0 && s.Clusters.Count == 0 && s.Platform is null && !s.All) throw Fail(c, "selects nothing");
            var hosts = _t.Hosts.ToDictionary(h => h.Id);
            var matched = _t.Nics.Where(n => hosts.TryGetValue(n.Host, out var h)
                                             && Matches(s, n.Id.Value, h) && (s.Model is null || SameModel(s.Model, n.Model))).ToList();
            return matched.Count > 0 ? matched : throw Fail(c, $"{Describe(s)} selects no PF of the base ({_t.Nics.Count} PFs on {_t.Hosts.Count} hosts)");
        }

        private List<SwitchSpec> Switches(Selector s, ChangeSpec c)
        {
            var hosts = _t.Hosts.ToDictionary(h => h.Id);
            var nics = _t.Nics.ToDictionary(n => n.Id);
            var matched = _t.Switches.Where(sw => hosts.TryGetValue(sw.Host, out var h) && Matches(s, sw.Id.Value, h)
                                                 && (s.Model is null || sw.BoundNic is { } n && nics.TryGetValue(n, out var nic) && SameModel(s.Model, nic.Model))).ToList();
            return matched.Count > 0 ? matched : throw Fail(c, $"{Describe(s)} selects no switch of the base ({_t.Switches.Count} switches)");
        }

        private List<VmSpec> Vms(Selector s, ChangeSpec c)
        {
            if (s.Model is not null) throw Fail(c, "model selects PFs and switches, not VMs");
            var hosts = _t.Hosts.ToDictionary(h => h.Id);
            var matched = _t.Vms.Where(v => hosts.TryGetValue(v.Host, out var h) && Matches(s, v.Id.Value, h)).ToList();
            return matched.Count > 0 ? matched : throw Fail(c, $"{Describe(s)} selects no VM of the base ({_t.Vms.Count} VMs)");
        }

        private static bool Matches(Selector s, string id, HostSpec host) =>
            (s.Ids.Count == 0 || s.Ids.Any(p => Glob(p, id)))
            && (s.Hosts.Count == 0 || s.Hosts.Any(p => Glob(p, host.Id.Value)))
            && (s.Clusters.Count == 0 || s.Clusters.Contains(host.Cluster, StringComparer.Ordinal))
            && (s.Platform is null || s.Platform == host.Platform);

        /// <summary>A model criterion matches the PF's model text, or names a catalog model whose part numbers the text
        /// contains ("X520" names the catalog's "Intel 82599 / X520", which "Intel 82599ES 10-Gigabit SFI/SFP+" contains).</summary>
        private static bool SameModel(string criterion, string model) =>
            model.Contains(criterion, StringComparison.OrdinalIgnoreCase)
            || NicCatalog.Find(criterion) is { } wanted && PartNumbers(wanted).Any(p => model.Contains(p, StringComparison.OrdinalIgnoreCase));

        private static string Describe(Selector s)
        {
            var parts = new List<string>();
            if (s.All) parts.Add("all");
            if (s.Ids.Count > 0) parts.Add($"ids {string.Join(", ", s.Ids)}");
            if (s.Hosts.Count > 0) parts.Add($"hosts {string.Join(", ", s.Hosts)}");
            if (s.Clusters.Count > 0) parts.Add($"clusters {string.Join(", ", s.Clusters)}");
            if (s.Model is not null) parts.Add($"model {s.Model}");
            if (s.Platform is not null) parts.Add($"platform {s.Platform}");
            return "the selection " + string.Join("; ", parts);
        }

        private ScenarioException Fail(ChangeSpec c, string problem) => new(scenario.Source, c.Where.Line, c.Where.Column, c.Where.Path, problem);
    }

    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>What fails, in words: "hosts fail every 90 d (repair 4 h), 2 outage(s), no restarts elsewhere".</summary>
    public static string DescribeFailures(FailureSpec f)
    {
        if (!f.Any) return "nothing fails";
        var o = f.ToOptions();
        var parts = new List<string>();
        if (o.HostMtbf is { } h) parts.Add($"each host fails every {Span(h)} on average (repaired in {Span(o.HostMttr)})");
        if (o.NicMtbf is { } n) parts.Add($"each PF fails every {Span(n)} on average (repaired in {Span(o.NicMttr)})");
        if (o.Outages.Count > 0)
            parts.Add($"{o.Outages.Count} outage(s): " + string.Join(", ", o.Outages.Take(3).Select(x => $"{(x.Kind == OutageKind.Host ? "host" : "PF")} {x.Target} "
                + $"{(x.At == SimTime.Zero ? "from the start" : $"from {Span(x.At - SimTime.Zero)}")} for {Span(x.Duration)}")) + (o.Outages.Count > 3 ? ", …" : ""));
        parts.Add(o.RestartElsewhere ? "a failed host's VMs restart on other hosts of its cluster as their platform allows" : "a failed host's VMs wait for its repair");
        return string.Join("; ", parts);
    }

    /// <summary>Which hosts go into maintenance, in words: "host b-02 in maintenance from 2 d for 4 h; cluster a's hosts in
    /// maintenance one after another from 24 h, 4 h each, 1 h apart (8 hosts, the last back at 63 h); …". With
    /// <paramref name="topology"/>, a rolling maintenance says how many hosts it takes and when the last is back.</summary>
    public static string DescribeMaintenance(IReadOnlyList<MaintenanceSpec> maintenance, Topology? topology = null)
    {
        if (maintenance.Count == 0) return "no host maintenance";
        string From(SimDuration at) => at == SimDuration.Zero ? "from the start" : $"from {Span(at)}";
        string Rolling(MaintenanceSpec m)
        {
            var text = $"cluster {m.Target}'s hosts in maintenance one after another {From(m.At)}, {Span(m.Each)} each, "
                       + (m.Gap == SimDuration.Zero ? "back to back" : $"{Span(m.Gap)} apart");
            if (topology is null || m.Windows(topology).ToList() is not { Count: > 0 } windows) return text;
            return text + $" ({windows.Count} host(s), the last back at {Span(windows[^1].At + windows[^1].Duration - SimTime.Zero)})";
        }
        return string.Join("; ", maintenance.Take(3).Select(m => m.Rolling ? Rolling(m) : $"host {m.Target} in maintenance {From(m.At)} for {Span(m.Each)}"))
               + (maintenance.Count > 3 ? $"; … ({maintenance.Count} in all)" : "")
               + "; a host in maintenance takes no VM, its running VMs live-migrate to other hosts of its cluster as their platform allows "
               + "(vSphere cannot move SR-IOV VMs) and the others are shut down until it ends";
    }

    internal static string Span(SimDuration d) =>
        d.TotalHours >= 48 && d.TotalHours % 24 == 0 ? $"{Num(d.TotalHours / 24)} d" : d.TotalHours >= 1 ? $"{Num(d.TotalHours)} h" : $"{Num(d.TotalHours * 60)} min";

    /// <summary>The part numbers in a catalog model's name: "Intel 82599 / X520 (ixgbe)" → 82599, X520; "ConnectX-4/5/6" →
    /// ConnectX-4, ConnectX-5, ConnectX-6; link descriptions ("4x10G", "1G") and drivers (in parentheses) are not part numbers.</summary>
    internal static IReadOnlyList<string> PartNumbers(NicModel model)
    {
        var name = model.Name;
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0) name = name[..paren];
        var parts = new List<string>();
        foreach (var token in name.Split([' ', '/', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!token.Any(char.IsDigit)) continue;
            if (token.All(char.IsDigit) && token.Length < 4 && parts.Count > 0)
            {
                // "ConnectX-4/5/6": a bare number continues the previous part number's series
                var previous = parts[^1];
                var stem = previous.TrimEnd("0123456789".ToCharArray());
                if (stem.Length > 0) parts.Add(stem + token);
                continue;
            }
            if (token.All(char.IsDigit) && token.Length >= 4 && parts.Count > 0 && parts[^1].TrimEnd("0123456789".ToCharArray()) is { Length: > 0 } prefix
                && !parts[^1].All(char.IsDigit))
            {
                parts.Add(prefix + token);
                continue;
            }
            if (System.Text.RegularExpressions.Regex.IsMatch(token, @"^\d+(x\d+)?G$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)) continue;
            parts.Add(token);
        }
        return parts;
    }
}
