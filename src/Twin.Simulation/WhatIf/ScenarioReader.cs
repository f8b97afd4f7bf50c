using System.Globalization;
using Twin.Events.Catalog;
using Twin.Events.Platforms;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;

namespace Twin.Simulation.WhatIf;

/// <summary>
/// Binds a parsed scenario document (<see cref="ScenarioNode"/>, from YAML or JSON) to a <see cref="WhatIfScenario"/>,
/// checking everything that can be checked without the base: types, ranges, unknown fields (with the closest known
/// one), catalog models, cohort and variant references. The first problem throws a <see cref="ScenarioException"/>
/// naming the file, line, column and field. The format is documented in docs/whatif.md.
/// </summary>
public static class ScenarioReader
{
    /// <summary>Replications when the scenario does not say.</summary>
    public const int DefaultReplications = 10;

    /// <summary>Most replications a scenario may ask for.</summary>
    public const int MaxReplications = 1000;

    public static WhatIfScenario Read(ScenarioNode root, string source) => new Binder(source).Scenario(root);

    /// <summary>Parses a duration such as <c>90d</c>, <c>12w</c>, <c>720h</c> or <c>45m</c>; null when it is not one.</summary>
    public static SimDuration? ParseDuration(string text)
    {
        var t = text.Trim();
        if (t.Length < 2) return null;
        var unit = char.ToLowerInvariant(t[^1]);
        if (!double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || !(n > 0) || double.IsInfinity(n)) return null;
        try
        {
            return unit switch
            {
                'm' => SimDuration.FromMinutes(n),
                'h' => SimDuration.FromHours(n),
                'd' => SimDuration.FromDays(n),
                'w' => SimDuration.FromDays(7 * n),
                _ => null,
            };
        }
        catch (OverflowException)
        {
            // longer than the simulator's clock can count (found by fuzzing): not a usable duration
            return null;
        }
    }

    /// <summary>" (did you mean 'X'?)" for the name of <paramref name="keys"/> closest to <paramref name="key"/>, or "".</summary>
    internal static string Suggest(string key, IEnumerable<string> keys)
    {
        var best = keys.Select(k => (k, d: Distance(key.ToLowerInvariant(), k.ToLowerInvariant()))).OrderBy(x => x.d).FirstOrDefault();
        return best.k is not null && best.d <= Math.Max(2, key.Length / 3) ? $" (did you mean '{best.k}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    /// <summary>A moment after simulated zero written as a duration (<c>10d</c>, <c>6h</c>), or <c>0</c> (also <c>0h</c>,
    /// <c>0d</c>) for simulated zero itself; null when it is neither.</summary>
    public static SimDuration? ParseOffset(string text)
    {
        var t = text.Trim();
        var number = t.Length > 1 && "mhdw".Contains(char.ToLowerInvariant(t[^1]), StringComparison.Ordinal) ? t[..^1] : t;
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v == 0 ? SimDuration.Zero : ParseDuration(t);
    }

    /// <summary>An outage as <c>twin simulate --outage</c> writes it: <c>host:HOST@AT+DURATION</c> or
    /// <c>pf:HOST/PCI@AT+DURATION</c> (<c>host:a-07@10d+6h</c>, <c>pf:a-03/0000:3b:00.0@0+1h</c>); the problem otherwise.</summary>
    public static (OutageSpec? Outage, string? Problem) ParseOutage(string text)
    {
        const string Form = "write host:HOST@AT+DURATION or pf:HOST/PCI@AT+DURATION, e.g. host:a-07@10d+6h";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        if (colon < 0 || at < colon) return (null, $"--outage '{text}': {Form}");
        OutageKind? kind = text[..colon].Trim().ToLowerInvariant() switch
        {
            "host" => OutageKind.Host,
            "pf" or "nic" => OutageKind.Nic,
            _ => null,
        };
        if (kind is null) return (null, $"--outage '{text}': '{text[..colon]}' is not host or pf; {Form}");
        var target = text[(colon + 1)..at].Trim();
        if (target.Length == 0) return (null, $"--outage '{text}': which {(kind == OutageKind.Host ? "host" : "PF")}? {Form}");
        var when = text[(at + 1)..];
        var plus = when.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0) return (null, $"--outage '{text}': how long? add +DURATION after the moment, e.g. @10d+6h");
        if (ParseOffset(when[..plus]) is not { } from) return (null, $"--outage '{text}': '{when[..plus]}' is not a moment after simulated zero: write e.g. 10d, 36h or 0");
        if (ParseDuration(when[(plus + 1)..]) is not { } duration) return (null, $"--outage '{text}': '{when[(plus + 1)..]}' is not a duration: write e.g. 6h, 45m or 2d");
        return (new OutageSpec(kind.Value, target, from, duration, new SourcePosition(0, 0, $"--outage {text}")), null);
    }

    /// <summary>A maintenance window as <c>twin simulate --maintenance</c> writes it: <c>HOST@AT+DURATION</c>
    /// (<c>a-01@2d+4h</c>); the problem otherwise.</summary>
    public static (MaintenanceSpec? Maintenance, string? Problem) ParseMaintenance(string text) => ParseMaintenance(text, rolling: false);

    /// <summary>A rolling maintenance as <c>twin simulate --rolling-maintenance</c> writes it: <c>CLUSTER@AT+EACH</c> or
    /// <c>CLUSTER@AT+EACH+GAP</c> (<c>a@1d+4h+1h</c>: cluster a's hosts one after another from 1 d, 4 h each, 1 h
    /// between one's end and the next's start); the problem otherwise.</summary>
    public static (MaintenanceSpec? Maintenance, string? Problem) ParseRollingMaintenance(string text) => ParseMaintenance(text, rolling: true);

    private static (MaintenanceSpec?, string?) ParseMaintenance(string text, bool rolling)
    {
        var (option, form) = rolling
            ? ("--rolling-maintenance", "write CLUSTER@AT+EACH or CLUSTER@AT+EACH+GAP, e.g. a@1d+4h+1h")
            : ("--maintenance", "write HOST@AT+DURATION, e.g. a-01@2d+4h");
        var at = text.LastIndexOf('@');
        if (at < 0) return (null, $"{option} '{text}': {form}");
        var target = text[..at].Trim();
        if (target.Length == 0) return (null, $"{option} '{text}': which {(rolling ? "cluster" : "host")}? {form}");
        var parts = text[(at + 1)..].Split('+');
        if (parts.Length == 1) return (null, $"{option} '{text}': how long? add +{(rolling ? "EACH" : "DURATION")} after the moment, e.g. @{(rolling ? "1d+4h" : "2d+4h")}");
        if (parts.Length > (rolling ? 3 : 2)) return (null, $"{option} '{text}': {form}");
        if (ParseOffset(parts[0]) is not { } from) return (null, $"{option} '{text}': '{parts[0]}' is not a moment after simulated zero: write e.g. 1d, 36h or 0");
        if (ParseDuration(parts[1]) is not { } each) return (null, $"{option} '{text}': '{parts[1]}' is not a duration: write e.g. 4h, 90m or 1d");
        if ((parts.Length == 3 ? ParseOffset(parts[2]) : SimDuration.Zero) is not { } gap)
            return (null, $"{option} '{text}': '{parts[2]}' is not a gap between hosts: write e.g. 1h, 30m or 0");
        return (new MaintenanceSpec(target, rolling, from, each, gap, new SourcePosition(0, 0, $"{option} {text}")), null);
    }

    private sealed class Binder(string source)
    {
        // read before the failures and the maintenance, which must start within it
        private SimDuration _horizon = SimDuration.MaxValue;

        public WhatIfScenario Scenario(ScenarioNode root)
        {
            var m = Map(root, "the scenario");
            Known(m, "name", "description", "base", "workload", "horizon", "replications", "seed", "start", "placement", "scarceVfPolicy", "model", "failures", "maintenance", "cohorts", "variants");
            var name = Str(m, "name") ?? throw Fail(m, Field(m, "name"), "a scenario needs a name (name: ...)");
            var horizon = _horizon = Duration(Required(m, "horizon", "how long to simulate, e.g. horizon: 90d"));
            var replications = Int(m, "replications") ?? DefaultReplications;
            if (replications is < 1 or > MaxReplications) throw Fail(m.Get("replications")!, $"must be 1-{MaxReplications}, not {replications}");
            var seed = m.Get("seed") is { } seedNode ? ULong(seedNode) : 1UL;
            var cohorts = Many(m.Get("cohorts")).Select(Cohort).ToList();
            Unique(cohorts.Select(c => (c.Name, c.Where)), "cohort");
            var scenario = new WhatIfScenario(
                name, Str(m, "description"), source,
                Base(Required(m, "base", "where to start from: base: {live: true} | {topology: FILE} | {captures: [PATH]} | {at: TIME}")),
                m.Get("workload") is { } w ? Workload(w) with { Where = SourcePosition.Of(w) } : new WorkloadSpec.None(),
                horizon, replications, seed,
                m.Get("placement") is { } p ? Enum<PlacementPolicy>(p) : PlacementPolicy.SriovAware,
                m.Get("scarceVfPolicy") is { } policy ? Enum<ScarceVfPolicy>(policy) : null,
                m.Get("model") is { } model ? Model(model) : new ModelSettings(),
                cohorts,
                [.. Many(m.Get("variants")).Select(Variant)])
            {
                Start = m.Get("start") is { } start && m.Has("start") ? Time(start) : null,
                Failures = m.Get("failures") is { } failures && m.Has("failures") ? Failures(failures, inVariant: false) : FailureSpec.None,
                Maintenance = m.Get("maintenance") is { } maintenance && m.Has("maintenance") ? Maintenance(maintenance) : [],
            };
            CheckReferences(scenario);
            return scenario;
        }

        // ---------------- base ----------------

        private ScenarioBase Base(ScenarioNode node)
        {
            if (node is ScenarioScalar { Text: "live" }) return new ScenarioBase(BaseKind.Live, null, [], null, [], true, true, SourcePosition.Of(node));
            var m = Map(node, "a base");
            Known(m, "live", "at", "topology", "captures", "clusters", "cluster", "existingVms", "reservations", "hostCores", "hostMemoryGiB");
            var kinds = new[] { "live", "at", "topology", "captures" }.Where(m.Has).ToList();
            if (kinds.Count != 1)
                throw Fail(m, kinds.Count == 0 ? "say where to start from: live: true, at: TIME, topology: FILE or captures: [PATH]"
                    : $"give only one of live, at, topology and captures (found {string.Join(", ", kinds)})");
            var existing = m.Get("existingVms") is { } e ? Choice(e, "keep", "ignore") == "keep" : true;
            var reservations = m.Get("reservations") is { } r ? Choice(r, "apply", "ignore") == "apply" : true;
            var clusters = Strings(m, "clusters").Concat(Strings(m, "cluster")).ToList();
            var where = SourcePosition.Of(node);
            var cores = Int(m, "hostCores");
            if (cores is < 1) throw Fail(m.Get("hostCores")!, "must be positive");
            var memory = m.Get("hostMemoryGiB") is { } mem && m.Has("hostMemoryGiB") ? Positive(mem) : (double?)null;
            return (kinds[0] switch
            {
                "live" => Bool(m.Get("live")!) ? new ScenarioBase(BaseKind.Live, null, [], null, clusters, existing, reservations, where)
                    : throw Fail(m.Get("live")!, "live: false is not a base; use topology: FILE or captures: [PATH] instead"),
                "at" => new ScenarioBase(BaseKind.At, null, [], Time(m.Get("at")!), clusters, existing, reservations, where),
                "topology" => new ScenarioBase(BaseKind.Topology, Str(m, "topology"), [], null, clusters, existing, reservations, where),
                _ => new ScenarioBase(BaseKind.Captures, null, Strings(m, "captures"), null, clusters, existing, reservations, where),
            }) with { HostCores = cores, HostMemoryGiB = memory };
        }

        // ---------------- workload ----------------

        private WorkloadSpec Workload(ScenarioNode node)
        {
            if (node is ScenarioScalar { Text: "none" }) return new WorkloadSpec.None();
            var m = Map(node, "a workload: {trace: {...}}, {synthetic: {...}} or none");
            Known(m, "trace", "synthetic");
            if (m.Has("trace") == m.Has("synthetic")) throw Fail(m, "give exactly one of trace: {...} and synthetic: {...} (or workload: none)");
            if (m.Get("trace") is { } t && m.Has("trace"))
            {
                var tm = Map(t, "a trace: {path: FILE, format: azure-vmtable, ...}");
                Known(tm, "path", "format", "fromHours", "untilHours", "from", "until", "cluster", "scope", "sort", "network", "machineCores", "machineMemoryGiB");
                var format = tm.Get("format") is { } f ? Enum<TraceFormat>(f) : TraceFormat.AzureVmTable;
                var from = Hours(tm, "fromHours", "from") ?? 0;
                var until = Hours(tm, "untilHours", "until");
                if (until is { } u && u <= from) throw Fail(tm.Get("untilHours") ?? tm.Get("until")!, $"must be after the window's start ({from} h)");
                return new WorkloadSpec.Trace(Str(tm, "path") ?? throw Fail(tm, Field(tm, "path"), "a trace needs its file: path: FILE"), format, from, until,
                    Str(tm, "cluster"), tm.Get("sort") is { } s && Bool(s), Network(tm.Get("network")),
                    tm.Get("machineCores") is { } mc ? Positive(mc) : 64, tm.Get("machineMemoryGiB") is { } mm ? Positive(mm) : 256)
                {
                    Scope = Scope(tm),
                };
            }
            var sm = Map(m.Get("synthetic")!, "synthetic: {arrivalsPerHour: N, ...}");
            Known(sm, "arrivalsPerHour", "growthPercent", "lifetimeHours", "cores", "memoryGiB", "cluster", "scope", "network");
            var rate = Positive(Required(sm, "arrivalsPerHour", "VMs arriving per hour, e.g. arrivalsPerHour: 2"));
            return new WorkloadSpec.Synthetic(rate, Growth(sm), Dist(sm.Get("lifetimeHours"), new DistributionSpec.ExponentialMean(24), positive: true),
                Dist(sm.Get("cores"), new DistributionSpec.Fixed(2), positive: true), Dist(sm.Get("memoryGiB"), new DistributionSpec.Fixed(8), positive: true),
                Str(sm, "cluster"), Network(sm.Get("network")))
            {
                Scope = Scope(sm),
            };
        }

        /// <summary>scope: any (default) or cluster; a workload or cohort that names its cluster needs none.</summary>
        private PlacementScope Scope(ScenarioMap m)
        {
            if (!m.Has("scope")) return PlacementScope.Any;
            var scope = Choice(m.Get("scope")!, "any", "cluster") == "cluster" ? PlacementScope.Cluster : PlacementScope.Any;
            if (scope == PlacementScope.Cluster && m.Has("cluster"))
                throw Fail(m.Get("scope")!, "give cluster: NAME (every VM there) or scope: cluster (each VM a cluster drawn by size), not both");
            return scope;
        }

        private NetworkSpec Network(ScenarioNode? node)
        {
            if (node is null or ScenarioScalar { IsNull: true }) return NetworkSpec.Default;
            var m = Map(node, "a network profile");
            Known(m, "sriovShare", "vnics", "iovWeight", "gbpsPerVnic", "packetBytes");
            var share = Double(m, "sriovShare") ?? NetworkSpec.Default.SriovShare;
            if (share is < 0 or > 1) throw Fail(m.Get("sriovShare")!, $"is a fraction of VMs, 0-1, not {Num(share)}");
            var vnics = Dist(m.Get("vnics"), NetworkSpec.Default.Vnics, positive: false);
            CheckRange(m.Get("vnics"), vnics, 0, 16, "vNICs per VM");
            var weight = Dist(m.Get("iovWeight"), NetworkSpec.Default.IovWeight, positive: true);
            CheckRange(m.Get("iovWeight"), weight, 1, 100, "IovWeight");
            var packet = Double(m, "packetBytes") ?? NetworkSpec.Default.PacketBytes;
            if (!(packet > 0)) throw Fail(m.Get("packetBytes")!, "must be positive");
            return new NetworkSpec(share, vnics, weight, Dist(m.Get("gbpsPerVnic"), NetworkSpec.Default.GbpsPerVnic, positive: false), packet);
        }

        private CohortSpec Cohort(ScenarioNode node)
        {
            var m = Map(node, "a cohort");
            Known(m, "name", "cluster", "scope", "arrivalsPerHour", "growthPercent", "startHours", "untilHours", "start", "until", "count", "lifetimeHours", "cores", "memoryGiB", "network");
            var name = Str(m, "name") ?? throw Fail(m, Field(m, "name"), "a cohort needs a name");
            var start = Hours(m, "startHours", "start") ?? 0;
            var until = Hours(m, "untilHours", "until");
            if (until is { } u && u <= start) throw Fail(m.Get("untilHours") ?? m.Get("until")!, $"must be after the cohort's start ({Num(start)} h)");
            var count = Int(m, "count");
            if (count is < 1) throw Fail(m.Get("count")!, "must be at least 1");
            return new CohortSpec(name, Str(m, "cluster"), Positive(Required(m, "arrivalsPerHour", "VMs of the cohort arriving per hour")), Growth(m), start, until, count,
                Dist(m.Get("lifetimeHours"), new DistributionSpec.ExponentialMean(24 * 30), positive: true),
                Dist(m.Get("cores"), new DistributionSpec.Fixed(2), positive: true), Dist(m.Get("memoryGiB"), new DistributionSpec.Fixed(8), positive: true),
                Network(m.Get("network")), SourcePosition.Of(node))
            {
                Scope = Scope(m),
            };
        }

        private double Growth(ScenarioMap m)
        {
            var g = Double(m, "growthPercent") ?? 0;
            return g > -100 ? g : throw Fail(m.Get("growthPercent")!, $"must be above -100, not {Num(g)}");
        }

        private double? Hours(ScenarioMap m, string hoursKey, string durationKey)
        {
            if (m.Has(hoursKey) && m.Has(durationKey)) throw Fail(m.Get(durationKey)!, $"give {hoursKey} or {durationKey}, not both");
            if (Double(m, hoursKey) is { } h) return h >= 0 ? h : throw Fail(m.Get(hoursKey)!, "cannot be negative");
            return m.Get(durationKey) is { } d && m.Has(durationKey) ? Duration(d).TotalHours : null;
        }

        private ModelSettings Model(ScenarioNode node)
        {
            var m = Map(node, "model settings");
            Known(m, "cpuOvercommit", "vrss", "seriesBuckets");
            var overcommit = Double(m, "cpuOvercommit") ?? 1.0;
            if (!(overcommit > 0)) throw Fail(m.Get("cpuOvercommit")!, "must be positive");
            var buckets = Int(m, "seriesBuckets") ?? 96;
            if (buckets is < 1 or > 10_000) throw Fail(m.Get("seriesBuckets")!, "must be 1-10000");
            return new ModelSettings(overcommit, m.Get("vrss") is { } v && Bool(v), buckets);
        }

        // ---------------- failures ----------------

        /// <summary>The failures section, or a variant's change of it (<paramref name="inVariant"/>: the fields it gives
        /// replace the base's; <c>none</c> turns every failure off).</summary>
        private FailureSpec Failures(ScenarioNode node, bool inVariant)
        {
            var where = SourcePosition.Of(node);
            if (node is ScenarioScalar { Text: "none" }) return new FailureSpec(new FailureRate(null, null), new FailureRate(null, null), [], null, where);
            var m = Map(node, "failures: {hosts: {mtbf: 90d, mttr: 4h}, pfs: {mtbf: 180d, mttr: 2h}, outages: [...], restartElsewhere: true} (or none)");
            Known(m, "hosts", "pfs", "outages", "restartElsewhere");
            if (inVariant && !m.Entries.Any(e => e.Value is not ScenarioScalar { IsNull: true }))
                throw Fail(m, "changes nothing: give hosts, pfs, outages or restartElsewhere (or failures: none)");
            return new FailureSpec(
                m.Get("hosts") is { } h && m.Has("hosts") ? Rate(h, "hosts", "4h") : null,
                m.Get("pfs") is { } p && m.Has("pfs") ? Rate(p, "pfs", "2h") : null,
                m.Get("outages") is { } o && m.Has("outages") ? [.. Many(o).Select(Outage)] : null,
                m.Get("restartElsewhere") is { } r && m.Has("restartElsewhere") ? Bool(r) : null,
                where);
        }

        private FailureRate Rate(ScenarioNode node, string what, string defaultMttr)
        {
            if (node is ScenarioScalar { Text: "none" }) return new FailureRate(null, null);
            var m = Map(node, $"{what}: {{mtbf: DURATION, mttr: DURATION}} (or none)");
            Known(m, "mtbf", "mttr");
            var mtbf = Duration(Required(m, "mtbf", $"the mean time between failures of each of the {what}, e.g. mtbf: 90d (mttr defaults to {defaultMttr})"));
            return new FailureRate(mtbf, m.Get("mttr") is { } r && m.Has("mttr") ? Duration(r) : null);
        }

        private OutageSpec Outage(ScenarioNode node)
        {
            var m = Map(node, "an outage: {host: HOST, at: 10d, for: 6h} or {pf: \"HOST/PCI\", at: 2d, for: 1h}");
            Known(m, "host", "pf", "at", "for");
            if (m.Has("host") == m.Has("pf")) throw Fail(m, "give exactly one of host: HOST and pf: \"HOST/PCI\" (what goes down)");
            var kind = m.Has("host") ? OutageKind.Host : OutageKind.Nic;
            var target = Str(m, kind == OutageKind.Host ? "host" : "pf")!;
            var atNode = Required(m, "at", "when it goes down, after simulated zero: at: 10d (or 0)");
            var at = Offset(atNode);
            if (at >= _horizon)
                throw Fail(atNode, $"is not before the horizon ({Human(_horizon)}): the outage would never happen");
            return new OutageSpec(kind, target, at, Duration(Required(m, "for", "how long it stays down: for: 6h")), SourcePosition.Of(node));
        }

        /// <summary>A moment after simulated zero, as a duration (0 is simulated zero itself).</summary>
        private SimDuration Offset(ScenarioNode node)
        {
            var text = Str(node) ?? throw Fail(node, "needs a duration after simulated zero such as 10d (or 0)");
            return ParseOffset(text) is { } offset && offset == SimDuration.Zero ? offset : Duration(node);
        }

        private static string Human(SimDuration d) =>
            d.Microseconds % SimDuration.MicrosecondsPerDay == 0 ? $"{Num(d.TotalHours / 24)}d" : $"{Num(d.TotalHours)}h";

        // ---------------- maintenance ----------------

        /// <summary>The maintenance section, or a variant's replacement of it: one host's windows
        /// (<c>{host, at, for}</c>) and rolling maintenances of clusters (<c>{rolling, at, each, gap}</c>); <c>none</c>
        /// (or <c>[]</c>) for no maintenance.</summary>
        private List<MaintenanceSpec> Maintenance(ScenarioNode node) =>
            node is ScenarioScalar { Text: "none" } ? [] : [.. Many(node).Select(MaintenanceEntry)];

        private MaintenanceSpec MaintenanceEntry(ScenarioNode node)
        {
            var m = Map(node, "a maintenance window {host: HOST, at: 2d, for: 4h} or a rolling maintenance {rolling: CLUSTER, at: 1d, each: 4h, gap: 1h}");
            Known(m, "host", "rolling", "at", "for", "each", "gap");
            if (m.Has("host") == m.Has("rolling"))
                throw Fail(m, "give exactly one of host: HOST (one host's window) and rolling: CLUSTER (the cluster's hosts one after another)");
            var rolling = m.Has("rolling");
            var target = Str(m, rolling ? "rolling" : "host")!;
            var atNode = Required(m, "at", rolling ? "when the first host's window starts, after simulated zero: at: 1d (or 0)" : "when the window starts, after simulated zero: at: 2d (or 0)");
            var at = Offset(atNode);
            if (at >= _horizon)
                throw Fail(atNode, $"is not before the horizon ({Human(_horizon)}): the maintenance would never happen");
            if (!rolling)
            {
                if (new[] { "each", "gap" }.FirstOrDefault(m.Has) is { } key)
                    throw Fail(m.Get(key)!, $"{key} is for a rolling maintenance (rolling: CLUSTER); one host's window lasts for: DURATION");
                return new MaintenanceSpec(target, false, at, Duration(Required(m, "for", "how long the host is in maintenance: for: 4h")), SimDuration.Zero, SourcePosition.Of(node));
            }
            if (m.Has("for")) throw Fail(m.Get("for")!, "a rolling maintenance gives each host each: DURATION (for: is one host's window)");
            var each = Duration(Required(m, "each", "how long each host of the cluster is in maintenance: each: 4h"));
            var gap = m.Get("gap") is { } g && m.Has("gap") ? Offset(g) : SimDuration.Zero;
            return new MaintenanceSpec(target, true, at, each, gap, SourcePosition.Of(node));
        }

        // ---------------- variants and changes ----------------

        private VariantSpec Variant(ScenarioNode node)
        {
            var m = Map(node, "a variant: {name: ..., changes: [...]}");
            Known(m, "name", "description", "basedOn", "changes");
            var name = Str(m, "name") ?? throw Fail(m, Field(m, "name"), "a variant needs a name");
            if (name.Equals("baseline", StringComparison.OrdinalIgnoreCase)) throw Fail(m.Get("name")!, "'baseline' is the base itself; name the variant otherwise");
            var changes = Many(m.Get("changes")).Select(Change).ToList();
            if (changes.Count == 0 && !m.Has("basedOn")) throw Fail(m, Field(m, "changes"), $"variant '{name}' changes nothing: add changes: [...]");
            return new VariantSpec(name, Str(m, "description"), Str(m, "basedOn"), changes, SourcePosition.Of(node));
        }

        private static readonly string[] ChangeKinds = ["addHosts", "replaceNics", "setNumVfs", "switchIov", "enableSriov", "addCohort", "scarceVfPolicy", "placement", "failures", "maintenance"];

        private ChangeSpec Change(ScenarioNode node)
        {
            var m = Map(node, "a change such as {setNumVfs: {...}}");
            if (m.Entries.Count != 1) throw Fail(m, $"a change is a map with one key, one of {string.Join(", ", ChangeKinds)}");
            var (kind, body) = (m.Entries[0].Key, m.Entries[0].Value);
            ChangeSpec change = kind switch
            {
                "addHosts" => AddHosts(body),
                "replaceNics" => ReplaceNics(body),
                "setNumVfs" => SetNumVfs(body),
                "switchIov" => SwitchIov(body),
                "enableSriov" => EnableSriov(body),
                "addCohort" => new ChangeSpec.AddCohort(Cohort(body)),
                "scarceVfPolicy" => new ChangeSpec.SetScarceVfPolicy(Enum<ScarceVfPolicy>(body)),
                "placement" => new ChangeSpec.SetPlacement(Enum<PlacementPolicy>(body)),
                "failures" => new ChangeSpec.SetFailures(Failures(body, inVariant: true)),
                "maintenance" => new ChangeSpec.SetMaintenance(Maintenance(body)),
                _ => throw Fail(m, $"unknown change '{kind}'{Suggest(kind, ChangeKinds)}; changes are {string.Join(", ", ChangeKinds)}"),
            };
            return change with { Where = SourcePosition.Of(m) };
        }

        private ChangeSpec.AddHosts AddHosts(ScenarioNode node)
        {
            var m = Map(node, "addHosts: {count: N, cluster: C, platform: P, cores: N, memoryGiB: N, nic: {model: M}}");
            Known(m, "count", "cluster", "platform", "os", "cores", "memoryGiB", "nic", "switchIov", "idPrefix");
            var count = Int(Required(m, "count", "how many hosts"));
            if (count is < 1 or > 100_000) throw Fail(m.Get("count")!, "must be 1-100000");
            var cluster = Str(m, "cluster") ?? throw Fail(m, Field(m, "cluster"), "addHosts needs the cluster the hosts join (cluster: NAME)");
            var platform = Enum<Platform>(Required(m, "platform", "HyperV, VSphere or Kvm"));
            var cores = Int(Required(m, "cores", "physical cores per host"));
            if (cores < 1) throw Fail(m.Get("cores")!, "must be positive");
            var memory = Positive(Required(m, "memoryGiB", "memory per host in GiB"));
            var nic = Map(Required(m, "nic", "the NIC of each new host: nic: {model: intel-e810, numVfs: 64}"), "nic: {model: M, numVfs: N}");
            Known(nic, "model", "numVfs", "linkMbps");
            var model = CatalogModel(Required(nic, "model", "a NIC catalog model, e.g. intel-e810"));
            var numVfs = Int(nic, "numVfs");
            if (numVfs is < 0) throw Fail(nic.Get("numVfs")!, "cannot be negative");
            var link = Int(nic, "linkMbps");
            if (link is <= 0) throw Fail(nic.Get("linkMbps")!, "must be positive (Mbit/s)");
            var os = Str(m, "os") ?? platform switch { Platform.HyperV => "Windows Server 2022", Platform.VSphere => "ESXi 8.0u3", _ => "libvirt 9.0" };
            return new ChangeSpec.AddHosts(count, cluster, platform, os, cores, memory, model, numVfs, link,
                m.Get("switchIov") is not { } sw || Bool(sw), Str(m, "idPrefix") ?? $"{cluster}-new-");
        }

        private ChangeSpec.ReplaceNics ReplaceNics(ScenarioNode node)
        {
            var m = Map(node, "replaceNics: {pfs: {cluster: C}, model: intel-e810}");
            Known(m, "pfs", "model", "numVfs");
            var numVfs = Int(m, "numVfs");
            if (numVfs is < 0) throw Fail(m.Get("numVfs")!, "cannot be negative");
            return new ChangeSpec.ReplaceNics(Select(Required(m, "pfs", "which PFs: pfs: {cluster: a} (or hosts, ids, model, platform, all)")),
                CatalogModel(Required(m, "model", "the new NIC's catalog model, e.g. intel-e810")), numVfs);
        }

        private ChangeSpec.SetNumVfs SetNumVfs(ScenarioNode node)
        {
            var m = Map(node, "setNumVfs: {pfs: {...}, numVfs: N}");
            Known(m, "pfs", "numVfs", "delta", "toCeiling");
            var given = new[] { "numVfs", "delta", "toCeiling" }.Where(m.Has).ToList();
            if (given.Count != 1) throw Fail(m, "give exactly one of numVfs: N, delta: ±N and toCeiling: true");
            var numVfs = Int(m, "numVfs");
            if (numVfs is < 0) throw Fail(m.Get("numVfs")!, "cannot be negative");
            var toCeiling = m.Get("toCeiling") is { } c && Bool(c);
            if (given[0] == "toCeiling" && !toCeiling) throw Fail(m.Get("toCeiling")!, "toCeiling: false changes nothing; give numVfs or delta");
            return new ChangeSpec.SetNumVfs(Select(Required(m, "pfs", "which PFs: pfs: {cluster: a}")), numVfs, Int(m, "delta"), toCeiling);
        }

        private ChangeSpec.SwitchIov SwitchIov(ScenarioNode node)
        {
            var m = Map(node, "switchIov: {switches: {...}, iov: true, recreate: true}");
            Known(m, "switches", "iov", "recreate");
            return new ChangeSpec.SwitchIov(Select(Required(m, "switches", "which switches: switches: {cluster: b}")),
                m.Get("iov") is not { } iov || Bool(iov), m.Get("recreate") is not { } r || Bool(r));
        }

        private ChangeSpec.EnableSriov EnableSriov(ScenarioNode node)
        {
            var m = Map(node, "enableSriov: {vms: {...}} | {cohort: NAME} | {workload: true}");
            Known(m, "vms", "cohort", "workload", "iovWeight", "share");
            var targets = new[] { "vms", "cohort", "workload" }.Where(m.Has).ToList();
            if (targets.Count != 1) throw Fail(m, "give exactly one of vms: {...} (the base's VMs), cohort: NAME and workload: true");
            var weight = Int(m, "iovWeight") ?? 100;
            if (weight is < 0 or > 100) throw Fail(m.Get("iovWeight")!, $"is 0 (off) or 1-100, not {weight}");
            var share = Double(m, "share");
            if (share is < 0 or > 1) throw Fail(m.Get("share")!, "is a fraction of the workload's VMs, 0-1");
            if (share is not null && targets[0] != "workload") throw Fail(m.Get("share")!, "share applies to workload: true only");
            if (targets[0] == "workload" && !Bool(m.Get("workload")!)) throw Fail(m.Get("workload")!, "workload: false changes nothing");
            return new ChangeSpec.EnableSriov(targets[0] == "vms" ? Select(m.Get("vms")!) : null, Str(m, "cohort"), targets[0] == "workload", weight, share);
        }

        private Selector Select(ScenarioNode node)
        {
            if (node is ScenarioScalar { Text: "all" }) return new Selector([], [], [], null, null, true, SourcePosition.Of(node));
            var m = Map(node, "a selection: {ids: [...], hosts: [...], clusters: [...], model: M, platform: P} or all");
            Known(m, "ids", "hosts", "host", "clusters", "cluster", "model", "platform", "all");
            var selector = new Selector(Strings(m, "ids"), [.. Strings(m, "hosts"), .. Strings(m, "host")], [.. Strings(m, "clusters"), .. Strings(m, "cluster")],
                Str(m, "model"), m.Get("platform") is { } p ? Enum<Platform>(p) : null, m.Get("all") is { } a && Bool(a), SourcePosition.Of(node));
            return selector.IsEmpty ? throw Fail(m, "selects nothing: give ids, hosts, clusters, model, platform or all: true") : selector;
        }

        private string CatalogModel(ScenarioNode node)
        {
            var text = Str(node) ?? throw Fail(node, "needs a NIC model");
            return NicCatalog.Find(text)?.Key
                   ?? throw Fail(node, $"'{text}' is not in the NIC catalog; known models: {string.Join(", ", NicCatalog.Models.Select(x => x.Key))}");
        }

        private void CheckReferences(WhatIfScenario s)
        {
            Unique(s.Variants.Select(v => (v.Name, v.Where)), "variant");
            var variants = s.Variants.ToDictionary(v => v.Name, StringComparer.Ordinal);
            foreach (var v in s.Variants)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal) { v.Name };
                for (var b = v.BasedOn; b is not null; b = variants[b].BasedOn)
                {
                    if (!variants.ContainsKey(b))
                        throw new ScenarioException(source, v.Where.Line, v.Where.Column, $"{v.Where.Path}.basedOn", $"no variant '{b}' in this scenario");
                    if (!seen.Add(b)) throw new ScenarioException(source, v.Where.Line, v.Where.Column, $"{v.Where.Path}.basedOn", $"variants based on each other in a circle ({string.Join(" → ", seen)} → {b})");
                }
                var cohorts = s.Cohorts.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var c in Chain(v, variants).SelectMany(x => x.Changes))
                {
                    if (c is ChangeSpec.AddCohort add && !cohorts.Add(add.Cohort.Name))
                        throw new ScenarioException(source, c.Where.Line, c.Where.Column, c.Where.Path, $"a cohort named '{add.Cohort.Name}' already exists");
                    if (c is ChangeSpec.EnableSriov { Cohort: { } name } && !cohorts.Contains(name))
                        throw new ScenarioException(source, c.Where.Line, c.Where.Column, c.Where.Path,
                            $"no cohort '{name}' (cohorts here: {(cohorts.Count == 0 ? "none" : string.Join(", ", cohorts))}); a cohort must be defined before it is changed");
                }
            }
        }

        /// <summary>The variant's ancestors (oldest first), then the variant.</summary>
        internal static IEnumerable<VariantSpec> Chain(VariantSpec v, IReadOnlyDictionary<string, VariantSpec> all)
        {
            var chain = new List<VariantSpec>();
            for (var x = v; x is not null; x = x.BasedOn is { } b ? all[b] : null) chain.Insert(0, x);
            return chain;
        }

        private void Unique(IEnumerable<(string Name, SourcePosition Where)> names, string what)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, where) in names)
                if (!seen.Add(name)) throw new ScenarioException(source, where.Line, where.Column, where.Path, $"two {what}s are named '{name}'");
        }

        // ---------------- distributions ----------------

        private DistributionSpec Dist(ScenarioNode? node, DistributionSpec fallback, bool positive)
        {
            switch (node)
            {
                case null or ScenarioScalar { IsNull: true }:
                    return fallback;
                case ScenarioScalar s:
                    var v = Number(s);
                    if (positive ? !(v > 0) : !(v >= 0)) throw Fail(s, positive ? "must be positive" : "cannot be negative");
                    return new DistributionSpec.Fixed(v);
                case ScenarioList l:
                    if (l.Items.Count == 0) throw Fail(l, "an empty list of choices");
                    return new DistributionSpec.Choices([.. l.Items.Select(i => Checked(i, positive))], [.. l.Items.Select(_ => 1.0)]);
                default:
                    var m = (ScenarioMap)node;
                    Known(m, "mean", "min", "max", "choices", "weights", "azure2019");
                    if (m.Has("mean")) return new DistributionSpec.ExponentialMean(Positive(m.Get("mean")!));
                    if (m.Has("azure2019")) return new DistributionSpec.Azure2019Table(Str(m, "azure2019")!);
                    if (m.Has("choices"))
                    {
                        var values = Many(m.Get("choices")).Select(i => Checked(i, positive)).ToList();
                        var weights = m.Has("weights") ? Many(m.Get("weights")).Select(w => Checked(w, positive: false)).ToList() : [.. values.Select(_ => 1.0)];
                        if (values.Count == 0) throw Fail(m.Get("choices")!, "an empty list of choices");
                        if (weights.Count != values.Count) throw Fail(m.Get("weights")!, $"{weights.Count} weights for {values.Count} choices");
                        if (!(weights.Sum() > 0)) throw Fail(m.Get("weights")!, "the weights add up to zero");
                        return new DistributionSpec.Choices(values, weights);
                    }
                    if (m.Has("min") && m.Has("max"))
                    {
                        double lo = Checked(m.Get("min")!, positive: false), hi = Checked(m.Get("max")!, positive: false);
                        return hi >= lo ? new DistributionSpec.Between(lo, hi) : throw Fail(m.Get("max")!, "is below min");
                    }
                    throw Fail(m, "a distribution is a number, a list of choices, {mean: X} (exponential), {min: A, max: B}, {choices: [...], weights: [...]} or {azure2019: TABLE}");
            }
        }

        private void CheckRange(ScenarioNode? node, DistributionSpec d, double min, double max, string what)
        {
            IEnumerable<double> values = d switch
            {
                DistributionSpec.Fixed f => [f.Value],
                DistributionSpec.Choices c => c.Values,
                DistributionSpec.Between b => [b.Min, b.Max],
                _ => throw Fail(node!, $"{what} must be a number, a list of choices or {{min, max}}"),
            };
            foreach (var v in values)
                if (v < min || v > max || v != Math.Floor(v)) throw Fail(node!, $"{what} must be whole numbers {Num(min)}-{Num(max)}, not {Num(v)}");
        }

        private double Checked(ScenarioNode node, bool positive)
        {
            var v = Number(node);
            return positive ? v > 0 ? v : throw Fail(node, "must be positive") : v >= 0 ? v : throw Fail(node, "cannot be negative");
        }

        // ---------------- scalars ----------------

        private SimDuration Duration(ScenarioNode node)
        {
            var text = Str(node) ?? throw Fail(node, "needs a duration such as 90d");
            return ParseDuration(text) ?? throw Fail(node, double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                ? $"'{text}' has no unit: write e.g. {text}d (days), {text}h (hours) or {text}w (weeks)"
                : $"'{text}' is not a duration; write a positive number and a unit: 45m, 720h, 90d, 12w");
        }

        private DateTimeOffset Time(ScenarioNode node)
        {
            var text = Str(node) ?? throw Fail(node, "needs a moment such as 2026-03-01T03:14:00Z");
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                ? t : throw Fail(node, $"'{text}' is not a moment; write ISO 8601, e.g. 2026-03-01T03:14:00Z");
        }

        private T Enum<T>(ScenarioNode node) where T : struct, Enum
        {
            var text = Str(node) ?? throw Fail(node, $"needs one of {string.Join(", ", System.Enum.GetNames<T>())}");
            var plain = text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
            foreach (var name in System.Enum.GetNames<T>())
                if (name.Equals(plain, StringComparison.OrdinalIgnoreCase)) return System.Enum.Parse<T>(name);
            throw Fail(node, $"'{text}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}");
        }

        private string Choice(ScenarioNode node, params string[] choices)
        {
            var text = Str(node);
            return choices.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase))
                   ?? throw Fail(node, $"'{text}' is not one of {string.Join(", ", choices)}");
        }

        private ScenarioMap Map(ScenarioNode node, string what) =>
            node as ScenarioMap ?? throw Fail(node, $"expected {what}, found {node.Describe()}");

        private ScenarioNode Required(ScenarioMap m, string key, string hint) =>
            m.Has(key) ? m.Get(key)! : throw Fail(m, Field(m, key), $"is required: {hint}");

        private static string Field(ScenarioMap m, string key) => m.Path.Length == 0 ? key : $"{m.Path}.{key}";

        private void Known(ScenarioMap m, params string[] keys)
        {
            foreach (var (key, value) in m.Entries)
                if (!keys.Contains(key, StringComparer.Ordinal))
                    throw Fail(value, $"unknown field '{key}'{Suggest(key, keys)}; fields here: {string.Join(", ", keys)}");
        }

        private static IReadOnlyList<ScenarioNode> Many(ScenarioNode? node) => node switch
        {
            null or ScenarioScalar { IsNull: true } => [],
            ScenarioList l => l.Items,
            _ => [node],
        };

        private string? Str(ScenarioMap m, string key) => m.Get(key) is { } n ? Str(n) : null;

        private string? Str(ScenarioNode node) => node switch
        {
            ScenarioScalar { IsNull: true } => null,
            ScenarioScalar s => s.Text,
            _ => throw Fail(node, $"expected a single value, found {node.Describe()}"),
        };

        private List<string> Strings(ScenarioMap m, string key) => [.. Many(m.Get(key)).Select(n => Str(n) ?? throw Fail(n, "an empty entry"))];

        private int? Int(ScenarioMap m, string key) => m.Get(key) is { } n && m.Has(key) ? Int(n) : null;

        private int Int(ScenarioNode node)
        {
            var v = Number(node);
            return v == Math.Floor(v) && Math.Abs(v) <= int.MaxValue ? (int)v : throw Fail(node, $"must be a whole number, not {Num(v)}");
        }

        private ulong ULong(ScenarioNode node)
        {
            var text = Str(node);
            return ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                : throw Fail(node, $"'{text}' is not a seed (a whole number 0-{ulong.MaxValue})");
        }

        private double? Double(ScenarioMap m, string key) => m.Get(key) is { } n && m.Has(key) ? Number(n) : null;

        private double Positive(ScenarioNode node)
        {
            var v = Number(node);
            return v > 0 ? v : throw Fail(node, $"must be positive, not {Num(v)}");
        }

        private double Number(ScenarioNode node)
        {
            if (node is not ScenarioScalar { IsNull: false } s) throw Fail(node, $"expected a number, found {node.Describe()}");
            return double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
                : throw Fail(node, $"'{s.Text}' is not a number");
        }

        private bool Bool(ScenarioNode node) => Str(node)?.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            var t => throw Fail(node, $"'{t}' is not true or false"),
        };

        private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

        private ScenarioException Fail(ScenarioNode node, string problem) => Fail(node, node.Path, problem);

        private ScenarioException Fail(ScenarioNode node, string field, string problem) => new(source, node.Line, node.Column, field, problem);
    }
}
