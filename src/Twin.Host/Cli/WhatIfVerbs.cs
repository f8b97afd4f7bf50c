using System.CommandLine;
using System.Text.Json;
using Twin.Events.Platforms;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using Twin.Host.WhatIf;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;
using Twin.Simulation.WhatIf;
using static Twin.Host.Cli.Render;

namespace Twin.Host.Cli;

/// <summary>
/// Capacity planning: <c>twin whatif SCENARIO</c> (baseline and variants side by side, offline unless the base is the
/// live twin), <c>twin simulate</c> (one simulation from a topology file, captures or the live twin), and
/// <c>twin scenario …</c> (scenarios saved in the twin: save, list, show, run, compare, commit, release).
/// </summary>
internal static class WhatIfVerbs
{
    public static void AddTo(RootCommand root, GlobalOptions g, CliConsole console)
    {
        root.Add(WhatIf(g, console));
        root.Add(Simulate(g, console));
        root.Add(Scenarios(g, console));
    }

    private static Option<FileInfo?> ReportOption() => new("--report")
    {
        Description = "Also write a self-contained HTML report (charts included, nothing loaded from the network) to this file",
        HelpName = "FILE",
    };

    private static Option<int> ParallelOption() => new("--parallel")
    {
        Description = "Replications run at once [default: one per processor]",
        HelpName = "N",
    };

    // ---------------- twin whatif ----------------

    private static Command WhatIf(GlobalOptions g, CliConsole console)
    {
        var file = new Argument<FileInfo>("SCENARIO") { Description = "A scenario file (YAML or JSON; see docs/whatif.md and samples/scenarios)" };
        var report = ReportOption();
        var parallel = ParallelOption();
        var command = new Command("whatif",
            "Runs a what-if scenario: the baseline and every variant with the same seeds, side by side (first VF exhaustion per PF, host and cluster "
            + "with its P50/P95 band, unmet VF demand, throughput with and without SR-IOV, host CPU saved, latency). Offline unless the base is the "
            + "live twin (--server). A malformed scenario fails naming file, line and field, and nothing is written.")
            { file, report, parallel };
        command.SetAction(async (p, ct) =>
        {
            var scenarioFile = p.GetValue(file)!;
            var scenario = ReadScenario(console, scenarioFile);
            if (scenario is null) return ExitCodes.Usage;
            var output = new Output(console, p.GetValue(g.Output));
            async Task<int> Run(ILiveTwin? live, CancellationToken token)
            {
                WhatIfRun run;
                try
                {
                    run = await WhatIfRunner.RunAsync(scenario, scenarioFile.DirectoryName, live, DateTimeOffset.UtcNow,
                        WhatIfOutput.Progress(console, $"twin whatif {scenario.Name}"), p.GetValue(parallel), token);
                }
                catch (ScenarioException e)
                {
                    return Refuse(console, e);
                }
                WhatIfOutput.Report(console, output, run.Report, run.Seconds);
                if (p.GetValue(report) is { } html) await WhatIfOutput.WriteHtml(console, output, run.Report, run.Seconds, html, token);
                return ExitCodes.Ok;
            }
            return scenario.Base.Kind is BaseKind.Live or BaseKind.At
                ? await TwinCli.RunClientAsync(p, g, console, (c, token) => Run(new HttpLiveTwin(c.Client), token), ct)
                : await Run(null, ct);
        });
        return command;
    }

    internal static WhatIfScenario? ReadScenario(CliConsole console, FileInfo file)
    {
        try
        {
            return ScenarioYaml.Read(File.ReadAllText(file.FullName), file.Name);
        }
        catch (ScenarioException e)
        {
            Refuse(console, e);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Fail($"twin: cannot read the scenario {file.FullName}: {e.Message}");
            return null;
        }
    }

    private static int Refuse(CliConsole console, ScenarioException e)
    {
        console.Fail($"twin: {e.Message}");
        console.Fail("      nothing was run or written.");
        return ExitCodes.Usage;
    }

    // ---------------- twin simulate ----------------

    private static Command Simulate(GlobalOptions g, CliConsole console)
    {
        var topology = new Option<FileInfo?>("--topology") { Description = "Topology JSON file (as `twin import --out` writes) [default: the live twin, --server]", HelpName = "FILE" };
        var captures = new Option<string[]>("--captures") { Description = "Inventory captures (files or folders) read by the importer, instead of a topology", HelpName = "PATH", AllowMultipleArgumentsPerToken = true };
        var clusters = new Option<string[]>("--cluster") { Description = "Only these clusters of the base", HelpName = "NAME", AllowMultipleArgumentsPerToken = true };
        var hostCores = new Option<int?>("--host-cores") { Description = "Cores of the base's hosts that have none (captures rarely say)", HelpName = "N" };
        var hostMemory = new Option<double?>("--host-memory-gib") { Description = "Memory of the base's hosts that have none, GiB", HelpName = "GIB" };
        var trace = new Option<FileInfo?>("--trace") { Description = "VM lifecycles from a trace (Azure vmtable V1, filtered or V2; plain or gzip)", HelpName = "FILE" };
        var traceFormat = new Option<TraceFormat>("--trace-format") { Description = "AzureVmTable or GoogleTaskEvents", DefaultValueFactory = _ => TraceFormat.AzureVmTable };
        var sort = new Option<bool>("--sort") { Description = "Read the whole trace and sort it by creation time (for traces not in order)" };
        var from = new Option<double>("--trace-from-hours") { Description = "Start of the trace window (its VMs before are skipped; times shift to zero)", HelpName = "HOURS" };
        var until = new Option<double?>("--trace-until-hours") { Description = "End of the trace window", HelpName = "HOURS" };
        var arrivals = new Option<double?>("--arrivals-per-hour") { Description = "Synthetic workload: Poisson arrivals per hour (instead of --trace)", HelpName = "N" };
        var growth = new Option<double>("--growth-percent") { Description = "Synthetic: arrival rate growth over the horizon, in percent", HelpName = "PERCENT" };
        var lifetime = new Option<double>("--lifetime-hours") { Description = "Synthetic: mean VM lifetime (exponential), hours", DefaultValueFactory = _ => 24, HelpName = "HOURS" };
        var cores = new Option<double>("--cores") { Description = "Synthetic: vCPUs per VM", DefaultValueFactory = _ => 2, HelpName = "N" };
        var memory = new Option<double>("--memory-gib") { Description = "Synthetic: memory per VM, GiB", DefaultValueFactory = _ => 8, HelpName = "GIB" };
        var azure = new Option<DirectoryInfo?>("--azure2019")
        {
            Description = "Synthetic: draw lifetime, cores and memory from the Azure 2019 tables in this folder (lifetime.txt, cores.txt, memory.txt) instead",
            HelpName = "DIR",
        };
        var overcommit = new Option<double>("--cpu-overcommit") { Description = "vCPUs a host may place per physical core", DefaultValueFactory = _ => 1, HelpName = "RATIO" };
        var share = new Option<double>("--sriov-share") { Description = "Fraction of VMs whose vNICs want a VF (0-1)", DefaultValueFactory = _ => 0.5, HelpName = "FRACTION" };
        var vnics = new Option<int>("--vnics") { Description = "vNICs per VM (0-16)", DefaultValueFactory = _ => 1, HelpName = "N" };
        var weight = new Option<int>("--iov-weight") { Description = "IovWeight of VMs that want a VF (1-100)", DefaultValueFactory = _ => 100, HelpName = "W" };
        var gbps = new Option<double>("--gbps-per-vnic") { Description = "Mean traffic per vNIC, Gbit/s (exponential)", DefaultValueFactory = _ => 1, HelpName = "GBPS" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random draw (printed with the results)", DefaultValueFactory = _ => 1 };
        var replications = new Option<int>("--replications") { Description = "Independent replications (P50/P95 bands across them)", DefaultValueFactory = _ => 10, HelpName = "N" };
        var horizon = new Option<string>("--horizon") { Description = "Simulated time: 720h, 30d, 12w", DefaultValueFactory = _ => "30d", HelpName = "DURATION" };
        var placement = new Option<PlacementPolicy>("--placement") { Description = "FirstFit, Spread or SriovAware", DefaultValueFactory = _ => PlacementPolicy.SriovAware };
        var policy = new Option<ScarceVfPolicy?>("--policy") { Description = "Scarce-VF policy on every PF [default: each PF's own]" };
        var scope = new Option<PlacementScope>("--scope")
        {
            Description = "Where arriving VMs may go: Any host, or a Cluster each, drawn by the clusters' host counts (as vSphere clusters, Hyper-V failover clusters, OpenStack cells place them)",
            DefaultValueFactory = _ => PlacementScope.Any,
        };
        var hostMtbf = new Option<string?>("--host-mtbf") { Description = "Hosts fail at random: mean time between failures of each host (e.g. 90d)", HelpName = "DURATION" };
        var hostMttr = new Option<string?>("--host-mttr") { Description = "Mean time to repair a failed host [default: 4h]", HelpName = "DURATION" };
        var pfMtbf = new Option<string?>("--pf-mtbf") { Description = "PFs fail at random: mean time between failures of each PF (e.g. 180d)", HelpName = "DURATION" };
        var pfMttr = new Option<string?>("--pf-mttr") { Description = "Mean time to repair a failed PF [default: 2h]", HelpName = "DURATION" };
        var outages = new Option<string[]>("--outage")
        {
            Description = "A host or PF down at a moment after simulated zero for a while (repeatable): host:HOST@AT+DURATION or pf:HOST/PCI@AT+DURATION, e.g. host:a-07@10d+6h",
            HelpName = "KIND:ID@AT+DURATION",
        };
        var noRestart = new Option<bool>("--no-restart-elsewhere")
        {
            Description = "A failed host's VMs wait for its repair instead of restarting on other hosts of its cluster (HA, as far as their platform allows)",
        };
        var maintenance = new Option<string[]>("--maintenance")
        {
            Description = "A host in maintenance from a moment after simulated zero for a while (repeatable): HOST@AT+DURATION, e.g. a-01@2d+4h. "
                          + "Its running VMs live-migrate within its cluster as their platform allows, the others are shut down until it ends",
            HelpName = "HOST@AT+DURATION",
        };
        var rolling = new Option<string[]>("--rolling-maintenance")
        {
            Description = "A cluster's hosts in maintenance one after another, in the datacenter's host order (repeatable): CLUSTER@AT+EACH[+GAP], "
                          + "e.g. a@1d+4h+1h (the first from 1d, each 4h, the next 1h after the previous ends; no GAP: back to back)",
            HelpName = "CLUSTER@AT+EACH[+GAP]",
        };
        var report = ReportOption();
        var parallel = ParallelOption();
        var command = new Command("simulate",
            "Simulates a workload on a datacenter, offline: the topology from a file (--topology), from captures (--captures) or the live twin "
            + "(--server); the workload from a trace (--trace) or the synthetic generator (--arrivals-per-hour). Per PF: VF requests, fell back or "
            + "failed, peak and mean allocated, first exhaustion (P50/P95 across replications).")
        {
            topology, captures, clusters, hostCores, hostMemory, trace, traceFormat, sort, from, until, arrivals, growth, lifetime, cores, memory, azure, share, vnics, weight, gbps,
            overcommit,
            seed, replications, horizon, placement, policy, scope, hostMtbf, hostMttr, pfMtbf, pfMttr, outages, noRestart, maintenance, rolling, report, parallel,
        };
        command.SetAction(async (p, ct) =>
        {
            var problems = new List<string>();
            var duration = ScenarioReader.ParseDuration(p.GetValue(horizon)!);
            if (duration is null) problems.Add($"--horizon '{p.GetValue(horizon)}' is not a duration: write e.g. 720h, 30d or 12w");
            if (p.GetValue(replications) is < 1 or > ScenarioReader.MaxReplications) problems.Add($"--replications must be 1-{ScenarioReader.MaxReplications}");
            if (p.GetValue(share) is < 0 or > 1) problems.Add("--sriov-share is a fraction, 0-1");
            if (p.GetValue(vnics) is < 0 or > 16) problems.Add("--vnics must be 0-16");
            if (p.GetValue(weight) is < 1 or > 100) problems.Add("--iov-weight must be 1-100");
            if (p.GetValue(trace) is not null == p.GetValue(arrivals) is not null) problems.Add("give a workload: --trace FILE or --arrivals-per-hour N (one of them)");
            if (p.GetValue(arrivals) is <= 0) problems.Add("--arrivals-per-hour must be positive");
            if (!(p.GetValue(lifetime) > 0) || !(p.GetValue(cores) > 0) || !(p.GetValue(memory) > 0) || p.GetValue(gbps) < 0)
                problems.Add("--lifetime-hours, --cores and --memory-gib must be positive, --gbps-per-vnic not negative");
            if (p.GetValue(topology) is not null && (p.GetValue(captures)?.Length ?? 0) > 0) problems.Add("give --topology or --captures, not both");
            if (p.GetValue(hostCores) is <= 0 || p.GetValue(hostMemory) is <= 0) problems.Add("--host-cores and --host-memory-gib must be positive");
            if (!(p.GetValue(overcommit) > 0)) problems.Add("--cpu-overcommit must be positive");
            if (p.GetValue(azure) is { } tables && !tables.Exists) problems.Add($"--azure2019: no folder {tables.FullName}");
            var failures = Failures(p, duration, p.GetValue(horizon)!, hostMtbf, hostMttr, pfMtbf, pfMttr, outages, noRestart, problems);
            var windows = Maintenance(p, duration, p.GetValue(horizon)!, maintenance, rolling, problems);
            if (problems.Count > 0)
            {
                foreach (var problem in problems) console.Fail($"twin: {problem}");
                console.Fail("      See `twin simulate --help`.");
                return ExitCodes.Usage;
            }
            var network = new NetworkSpec(p.GetValue(share), new DistributionSpec.Fixed(p.GetValue(vnics)), new DistributionSpec.Fixed(p.GetValue(weight)),
                new DistributionSpec.ExponentialMean(Math.Max(1e-9, p.GetValue(gbps))), 800);
            var azureTables = p.GetValue(azure)?.FullName;
            DistributionSpec Table(string file, DistributionSpec otherwise) =>
                azureTables is null ? otherwise : new DistributionSpec.Azure2019Table(Path.Combine(azureTables, file));
            WorkloadSpec workload = p.GetValue(trace) is { } t
                ? new WorkloadSpec.Trace(t.FullName, p.GetValue(traceFormat), p.GetValue(from), p.GetValue(until), null, p.GetValue(sort), network) { Scope = p.GetValue(scope) }
                : new WorkloadSpec.Synthetic(p.GetValue(arrivals)!.Value, p.GetValue(growth), Table("lifetime.txt", new DistributionSpec.ExponentialMean(p.GetValue(lifetime))),
                    Table("cores.txt", new DistributionSpec.Fixed(p.GetValue(cores))), Table("memory.txt", new DistributionSpec.Fixed(p.GetValue(memory))), null, network)
                {
                    Scope = p.GetValue(scope),
                };
            var captured = p.GetValue(captures) ?? [];
            var where = new SourcePosition(0, 0, "");
            var scenarioBase = p.GetValue(topology) is { } file ? new ScenarioBase(BaseKind.Topology, file.FullName, [], null, p.GetValue(clusters) ?? [], true, true, where)
                : captured.Length > 0 ? new ScenarioBase(BaseKind.Captures, null, [.. captured.Select(Path.GetFullPath)], null, p.GetValue(clusters) ?? [], true, true, where)
                : new ScenarioBase(BaseKind.Live, null, [], null, p.GetValue(clusters) ?? [], true, true, where);
            scenarioBase = scenarioBase with { HostCores = p.GetValue(hostCores), HostMemoryGiB = p.GetValue(hostMemory) };
            var scenario = new WhatIfScenario("simulate", null, "options", scenarioBase, workload, duration!.Value, p.GetValue(replications), p.GetValue(seed),
                p.GetValue(placement), p.GetValue(policy), new ModelSettings(CpuOvercommit: p.GetValue(overcommit)), [], [])
            {
                Failures = failures,
                Maintenance = windows,
            };
            var output = new Output(console, p.GetValue(g.Output));
            async Task<int> Run(ILiveTwin? live, CancellationToken token)
            {
                WhatIfRun run;
                try
                {
                    run = await WhatIfRunner.RunAsync(scenario, Environment.CurrentDirectory, live, DateTimeOffset.UtcNow,
                        WhatIfOutput.Progress(console, "twin simulate"), p.GetValue(parallel), token);
                }
                catch (ScenarioException e)
                {
                    return Refuse(console, e);
                }
                WhatIfOutput.Simulation(console, output, run.Report, run.Seconds);
                if (p.GetValue(report) is { } html) await WhatIfOutput.WriteHtml(console, output, run.Report, run.Seconds, html, token);
                return ExitCodes.Ok;
            }
            return scenarioBase.Kind == BaseKind.Live
                ? await TwinCli.RunClientAsync(p, g, console, (c, token) => Run(new HttpLiveTwin(c.Client), token), ct)
                : await Run(null, ct);
        });
        return command;
    }

    /// <summary>twin simulate's failure options as a scenario's failures section; what is wrong with them goes to
    /// <paramref name="problems"/>.</summary>
    private static FailureSpec Failures(ParseResult p, SimDuration? horizon, string horizonText, Option<string?> hostMtbf, Option<string?> hostMttr, Option<string?> pfMtbf,
        Option<string?> pfMttr, Option<string[]> outageOption, Option<bool> noRestart, List<string> problems)
    {
        SimDuration? Duration(Option<string?> option)
        {
            if (p.GetValue(option) is not { } text) return null;
            var d = ScenarioReader.ParseDuration(text);
            if (d is null) problems.Add($"{option.Name} '{text}' is not a duration: write e.g. 90d, 4h or 30m");
            return d;
        }
        FailureRate? Rate(Option<string?> mtbf, Option<string?> mttr)
        {
            var (between, repair) = (Duration(mtbf), Duration(mttr));
            if (p.GetValue(mttr) is not null && p.GetValue(mtbf) is null) problems.Add($"{mttr.Name} needs {mtbf.Name} (without it nothing fails at random)");
            return between is null ? null : new FailureRate(between, repair);
        }
        var hosts = Rate(hostMtbf, hostMttr);
        var pfs = Rate(pfMtbf, pfMttr);
        var outages = new List<OutageSpec>();
        foreach (var text in p.GetValue(outageOption) ?? [])
        {
            var (outage, problem) = ScenarioReader.ParseOutage(text);
            if (problem is not null) problems.Add(problem);
            else if (horizon is { } h && outage!.At >= h) problems.Add($"--outage '{text}': it starts at or after the horizon ({horizonText}), so it would never happen");
            else outages.Add(outage!);
        }
        return new FailureSpec(hosts, pfs, outages, p.GetValue(noRestart) ? false : null, new SourcePosition(0, 0, "options"));
    }

    /// <summary>twin simulate's maintenance options as a scenario's maintenance section, one host's windows first, then
    /// the rolling ones; what is wrong with them goes to <paramref name="problems"/>. Hosts and clusters are checked
    /// against the base once it is read.</summary>
    private static List<MaintenanceSpec> Maintenance(ParseResult p, SimDuration? horizon, string horizonText, Option<string[]> windowOption,
        Option<string[]> rollingOption, List<string> problems)
    {
        var windows = new List<MaintenanceSpec>();
        foreach (var (option, parse) in new (Option<string[]>, Func<string, (MaintenanceSpec?, string?)>)[]
                 {
                     (windowOption, ScenarioReader.ParseMaintenance), (rollingOption, ScenarioReader.ParseRollingMaintenance),
                 })
            foreach (var text in p.GetValue(option) ?? [])
            {
                var (window, problem) = parse(text);
                if (problem is not null) problems.Add(problem);
                else if (horizon is { } h && window!.At >= h) problems.Add($"{option.Name} '{text}': it starts at or after the horizon ({horizonText}), so it would never happen");
                else windows.Add(window!);
            }
        return windows;
    }

    // ---------------- twin scenario ----------------

    private static Command Scenarios(GlobalOptions g, CliConsole console)
    {
        var saveName = new Argument<string>("NAME") { Description = "The scenario's name in the twin (letters, digits, '.', '_', '-')" };
        var saveFile = new Argument<FileInfo>("FILE") { Description = "The scenario file (YAML or JSON); its relative paths are read from its folder, by the server" };
        var save = new Command("save", "Saves (or replaces) a scenario in the twin, after checking it; its last run becomes stale") { saveName, saveFile }
            .Client(g, console, async (p, c, ct) =>
            {
                var file = p.GetValue(saveFile)!;
                if (ReadScenario(c.Console, file) is null) return ExitCodes.Usage;
                var json = await c.Client.SendAsync(HttpMethod.Put, $"api/scenarios/{TwinClient.Segment(p.GetValue(saveName)!)}",
                    new ScenarioBody(await File.ReadAllTextAsync(file.FullName, ct), file.DirectoryName, file.Name), ct);
                if (AsJson(c, json)) return ExitCodes.Ok;
                Listing(c, [json.Deserialize<ScenarioListing>(TwinJson.Reading)!]);
                return ExitCodes.Ok;
            });

        var list = new Command("list", "The saved scenarios: revision, last run, committed variant and the VFs it reserves")
            .Client(g, console, async (p, c, ct) =>
            {
                var (listings, json) = await c.Client.GetAsync<IReadOnlyList<ScenarioListing>>("api/scenarios", ct);
                if (!AsJson(c, json)) Listing(c, listings);
                return ExitCodes.Ok;
            });

        var showName = new Argument<string>("NAME") { Description = "A saved scenario" };
        var show = new Command("show", "A saved scenario's text and its last run's verdicts") { showName }
            .Client(g, console, async (p, c, ct) =>
            {
                var (view, json) = await c.Client.GetAsync<ScenarioView>($"api/scenarios/{TwinClient.Segment(p.GetValue(showName)!)}", ct);
                if (AsJson(c, json)) return ExitCodes.Ok;
                c.Output.Record(
                [
                    ("name", view.Name), ("description", view.Description ?? "-"), ("revision", N(view.Revision)), ("saved", $"{Time(view.SavedAt)} by {view.SavedBy}"),
                    ("folder", view.SourceDirectory ?? "-"), ("committed", view.CommittedVariant ?? "-"),
                    ("last run", view.LastRun is { } r ? $"revision {r.Revision}, {Time(r.RanAt)} by {r.RanBy}, {r.Seconds:0.0} s" + (r.Revision != view.Revision ? " (stale)" : "") : "never"),
                ]);
                foreach (var verdict in view.LastRun?.Verdicts ?? []) c.Console.Line($"  {verdict}");
                c.Console.Line("");
                c.Console.Line(view.Text.TrimEnd());
                return ExitCodes.Ok;
            });

        var runName = new Argument<string>("NAME") { Description = "A saved scenario" };
        var runReport = ReportOption();
        var run = new Command("run", "Runs a saved scenario on the server (against the twin as it is now, other scenarios' reservations applied) and keeps the result")
            { runName, runReport }
            .Client(g, console, async (p, c, ct) =>
            {
                var json = await c.Client.SendAsync(HttpMethod.Post, $"api/scenarios/{TwinClient.Segment(p.GetValue(runName)!)}/run", null, ct);
                var view = json.Deserialize<ScenarioRunView>(TwinJson.Reading)!;
                var report = view.Report.Deserialize<WhatIfReport>(TwinJson.Reading)!;
                WhatIfOutput.Report(c.Console, c.Output, report, view.Seconds);
                if (p.GetValue(runReport) is { } html) await WhatIfOutput.WriteHtml(c.Console, c.Output, report, view.Seconds, html, ct);
                return ExitCodes.Ok;
            });

        var compareNames = new Argument<string[]>("NAME") { Description = "Saved scenarios to compare (their last runs)", Arity = ArgumentArity.OneOrMore };
        var compare = new Command("compare", "Saved scenarios' last runs side by side: every variant's first exhaustion, unmet demand, gain and CPU saved") { compareNames }
            .Client(g, console, async (p, c, ct) =>
            {
                var names = string.Join(",", p.GetValue(compareNames)!);
                var (rows, json) = await c.Client.GetAsync<IReadOnlyList<ScenarioComparisonRow>>($"api/scenarios/compare?names={Q(names)}", ct);
                if (AsJson(c, json)) return ExitCodes.Ok;
                c.Output.Table(
                    [
                        new("SCENARIO"), new("REVISION"), new("VARIANT"), new("FIRST_EXHAUSTION_DAY"), new("P95_DAY"), new("EXHAUSTED"), new("FELL_BACK"),
                        new("FAILED_STARTS"), new("GAIN_GBPS"), new("CPU_SAVED"), new("VERDICT"),
                    ],
                    rows.Select(r => (string?[])
                    [
                        r.Scenario, N(r.Revision) + (r.Stale ? " (stale)" : ""), r.Variant, r.FirstExhaustionDayP50?.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                        r.FirstExhaustionDayP95?.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) ?? "-", r.Exhausted,
                        r.VnicsFellBackP50.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture), r.FailedStartsP50.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture),
                        r.GainGbpsP50.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), r.CpuCoresSavedP50.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), r.Verdict,
                    ]));
                return ExitCodes.Ok;
            });

        var commitName = new Argument<string>("NAME") { Description = "A saved scenario with a current run" };
        var variant = new Option<string>("--variant") { Description = "The variant to commit (its VFs beyond the baseline's, per PF, are reserved)", Required = true, HelpName = "VARIANT" };
        var commit = new Command("commit", "Commits a variant of a saved scenario: the VFs it needs are reserved, visible in `twin pools` and taken by later what-ifs")
            { commitName, variant }
            .Client(g, console, async (p, c, ct) =>
            {
                var json = await c.Client.SendAsync(HttpMethod.Post, $"api/scenarios/{TwinClient.Segment(p.GetValue(commitName)!)}/commit",
                    new CommitBody(p.GetValue(variant)!), ct);
                if (AsJson(c, json)) return ExitCodes.Ok;
                var r = json.Deserialize<CapacityReservationRecord>(TwinJson.Reading)!;
                c.Console.Line($"{r.Id} ({r.Variant}, revision {r.Revision}) reserves {r.Pfs.Sum(x => x.Vfs)} VF(s) on {r.Pfs.Count} PF(s); operation {r.Operation}");
                c.Output.Table([new("NIC"), new("HOST"), new("RESERVED")], r.Pfs.Select(x => (string?[])[x.Nic, x.Host, N(x.Vfs)]));
                return ExitCodes.Ok;
            });

        var releaseName = new Argument<string>("NAME") { Description = "A committed scenario" };
        var release = new Command("release", "Releases what a committed scenario reserved") { releaseName }
            .Client(g, console, (p, c, ct) => Operation(c, HttpMethod.Delete, $"api/scenarios/{TwinClient.Segment(p.GetValue(releaseName)!)}/commit", null, ct));

        var reservations = new Command("reservations", "Every committed scenario's reserved VFs, per PF")
            .Client(g, console, async (p, c, ct) =>
            {
                var (all, json) = await c.Client.GetAsync<IReadOnlyList<CapacityReservationRecord>>("api/reservations", ct);
                if (AsJson(c, json)) return ExitCodes.Ok;
                c.Output.Table([new("SCENARIO"), new("VARIANT"), new("NIC"), new("HOST"), new("RESERVED"), new("COMMITTED")],
                    all.SelectMany(r => r.Pfs.Select(x => (string?[])[r.Id, r.Variant, x.Nic, x.Host, N(x.Vfs), $"{Time(r.CommittedAt)} by {r.CommittedBy}"])));
                return ExitCodes.Ok;
            });

        return new Command("scenario", "What-if scenarios saved in the twin: save, list, show, run, compare, commit (reserve capacity), release, reservations")
        {
            save, list, show, run, compare, commit, release, reservations,
        };
    }

    private static void Listing(CliContext c, IEnumerable<ScenarioListing> listings) =>
        c.Output.Table([new("NAME"), new("REVISION"), new("SAVED"), new("LAST_RUN"), new("COMMITTED"), new("RESERVED_VFS"), new("DESCRIPTION")],
            listings.Select(l => (string?[])
            [
                l.Name, N(l.Revision), $"{Time(l.SavedAt)} by {l.SavedBy}", l.LastRunAt is { } at ? Time(at) + (l.LastRunIsCurrent ? "" : " (stale)") : "never",
                l.CommittedVariant ?? "-", N(l.ReservedVfs), l.Description ?? "",
            ]));
}
