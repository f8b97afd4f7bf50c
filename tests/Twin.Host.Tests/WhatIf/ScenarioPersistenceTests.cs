using System.Text.Json;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using Twin.Host.Cli;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Tests.WhatIf;

/// <summary>Scenarios saved in the twin (Marten) against a running server: save, list, show, run, compare, commit, and
/// the reservation a commit makes, seen by <c>twin pools</c> and by the next what-if; the live twin as a base.</summary>
[Collection(ServerCollection.Name)]
public sealed class ScenarioPersistenceTests(TwinServerFixture fx) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("twin-scenarios-");

    private string Server => fx.BaseAddress.ToString();

    public void Dispose() => _dir.Delete(recursive: true);

    private Task<CliRun> Twin(params string[] args) => CliRunner.Against(Server, args);

    private Task<CliRun> Ok(params string[] args) => CliRunner.OkAgainst(Server, args);

    private string Write(string name, string yaml)
    {
        var file = Path.Combine(_dir.FullName, name);
        File.WriteAllText(file, yaml);
        return file;
    }

    /// <summary>A scenario on one cluster of the live twin: nothing arrives in the baseline; the variant adds six
    /// long-lived SR-IOV VMs to the cluster.</summary>
    internal static string Plan(string name, string cluster, bool withVariant = true) => $$$"""
        name: {{{name}}}
        description: six SR-IOV VMs on {{{cluster}}}
        base: {live: true, clusters: [{{{cluster}}}]}
        start: 2026-01-05
        horizon: 30d
        replications: 3
        seed: 3
        workload: none
        """ + (withVariant ? $$$"""

        variants:
          - name: web
            changes:
              - addCohort: {name: web, cluster: {{{cluster}}}, arrivalsPerHour: 2, count: 6, lifetimeHours: {mean: 100000}, cores: 1, memoryGiB: 1, network: {sriovShare: 1}}
        """ : "\n");

    [Fact]
    public async Task A_saved_scenario_runs_compares_and_commits_and_the_next_whatif_sees_its_reservation()
    {
        var cluster = Http.NewId("plan");
        var dc = await Datacenter.Create(fx.Http, vfs: 16, cluster: cluster);
        var name = Http.NewId("growth");
        var file = Write("growth.yaml", Plan(name, cluster));

        var saved = await Ok("scenario", "save", name, file);
        Assert.Contains(name, saved.Out);
        Assert.Contains("never", saved.Out);
        Assert.Equal(ExitCodes.Ok, (await Twin("scenario", "save", name, file)).ExitCode);
        var listed = JsonDocument.Parse((await Ok("scenario", "list", "-o", "json")).Out).RootElement.Deserialize<List<ScenarioListing>>(TwinJson.Reading)!;
        var listing = listed.Single(l => l.Name == name);
        Assert.Equal((1, (DateTimeOffset?)null, "six SR-IOV VMs on " + cluster), (listing.Revision, listing.LastRunAt, listing.Description));

        var early = await Twin("scenario", "commit", name, "--variant", "web");
        Assert.Equal(ExitCodes.Failed, early.ExitCode);
        Assert.Contains($"run it first (twin scenario run {name})", early.Error);

        var run = await Ok("scenario", "run", name, "-o", "json");
        var report = JsonDocument.Parse(run.Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
        Assert.Equal(["baseline", "web"], report.Variants.Select(v => v.Name));
        Assert.Equal(0, report.Baseline.PfResults.Single().PeakAllocated.P50);
        Assert.Equal(6, report.Variant("web")!.PfResults.Single().PeakAllocated.P50);
        Assert.StartsWith("this twin now", report.Base);

        var shown = await Ok("scenario", "show", name);
        Assert.Contains("web: ", shown.Out);
        Assert.Contains("addCohort", shown.Out);
        var compared = await Ok("scenario", "compare", name);
        Assert.Contains("baseline", compared.Out);
        Assert.Contains("web", compared.Out);

        var committed = JsonDocument.Parse((await Ok("scenario", "commit", name, "--variant", "web", "-o", "json")).Out).RootElement
            .Deserialize<CapacityReservationRecord>(TwinJson.Reading)!;
        Assert.Equal((name, "web", 1), (committed.Id, committed.Variant, committed.Revision));
        Assert.Equal(new ReservedVfs(dc.Nic, dc.Host, 6), Assert.Single(committed.Pfs));

        var whileReserved = DateTimeOffset.UtcNow;

        // the reservation is visible where pools are read ...
        var pool = JsonDocument.Parse((await Ok("pools", "--host", dc.Host, "-o", "json")).Out).RootElement[0];
        Assert.Equal(6, pool.GetProperty("reserved").GetInt32());
        Assert.Contains(name, (await Ok("scenario", "reservations")).Out);
        Assert.Contains("6", (await Ok("scenario", "list")).Out);

        // ... and the next what-if on this twin starts with those six VFs taken, while the plan itself does not count its own
        var next = Write("next.yaml", Plan(Http.NewId("next"), cluster, withVariant: false));
        var nextReport = JsonDocument.Parse((await Ok("whatif", next, "-o", "json")).Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
        Assert.Equal(name, Assert.Single(nextReport.ReservationsApplied).Scenario);
        Assert.Equal(6, nextReport.Baseline.PfResults.Single().MeanAllocated.P50, 9);
        Assert.Contains(nextReport.Notes, n => n.Contains($"reserved by committed scenario {name} (web): 6 VF(s) on 1 PF(s)", StringComparison.Ordinal));
        var again = JsonDocument.Parse((await Ok("scenario", "run", name, "-o", "json")).Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
        Assert.Empty(again.ReservationsApplied);

        Assert.Contains("released 6 VF(s) on 1 PF(s)", (await Ok("scenario", "release", name)).Out);
        Assert.Equal(0, JsonDocument.Parse((await Ok("pools", "--host", dc.Host, "-o", "json")).Out).RootElement[0].GetProperty("reserved").GetInt32());
        var after = JsonDocument.Parse((await Ok("whatif", next, "-o", "json")).Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
        Assert.Empty(after.ReservationsApplied);

        // commit and release are events in the scenario's reservation stream, with the operation and actor: the
        // timeline shows them, and the pools as they were while it was reserved still count the six VFs
        var timeline = (await Ok("timeline", "--entity", $"reservation:{name}", "-o", "csv")).Out;
        var lines = timeline.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains("CapacityReserved", lines[0], StringComparison.Ordinal);
        Assert.Contains(committed.Operation, lines[0], StringComparison.Ordinal);
        Assert.Contains("6 VF(s) reserved on 1 PF(s)", lines[0], StringComparison.Ordinal);
        Assert.Contains("CapacityReleased", lines[1], StringComparison.Ordinal);
        var then = JsonDocument.Parse((await Ok("pools", "--host", dc.Host, "--at", whileReserved.ToString("O"), "-o", "json")).Out).RootElement;
        Assert.Equal(6, then[0].GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task A_saved_scenario_survives_as_written_and_a_new_text_makes_its_run_stale()
    {
        var cluster = Http.NewId("stale");
        await Datacenter.Create(fx.Http, vfs: 4, cluster: cluster);
        var name = Http.NewId("stale");
        var file = Write("s.yaml", Plan(name, cluster));
        await Ok("scenario", "save", name, file);
        await Ok("scenario", "run", name);
        var view = (await fx.Http.Get($"api/scenarios/{name}")).Deserialize<ScenarioView>(TwinJson.Reading)!;
        Assert.Equal((1, Plan(name, cluster)), (view.Revision, view.Text));
        Assert.Equal(1, view.LastRun!.Revision);
        Assert.Equal(_dir.FullName, view.SourceDirectory);

        File.WriteAllText(file, Plan(name, cluster).Replace("seed: 3", "seed: 4", StringComparison.Ordinal));
        await Ok("scenario", "save", name, file);
        var listing = (await fx.Http.Get("api/scenarios")).Deserialize<List<ScenarioListing>>(TwinJson.Reading)!.Single(l => l.Name == name);
        Assert.Equal((2, false), (listing.Revision, listing.LastRunIsCurrent));
        Assert.Contains("(stale)", (await Ok("scenario", "compare", name)).Out);
    }

    [Fact]
    public async Task A_malformed_scenario_is_not_saved_and_the_problem_names_its_line()
    {
        var name = Http.NewId("bad");
        var response = await fx.Http.PutAsync($"api/scenarios/{name}", Http.Content(new ScenarioBody("name: x\nbase: {live: true}\nhorizon: soon\n", null, "bad.yaml")), Http.Ct);
        var problem = await response.Json(400);
        Assert.Contains("bad.yaml:3:10: horizon: 'soon' is not a duration", problem.GetProperty("detail").GetString());
        await fx.Http.Get($"api/scenarios/{name}", 404);
        Assert.Equal(ExitCodes.Usage, (await Twin("scenario", "save", "no good name!", Write("ok.yaml", Plan("x", "y")))).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await Twin("scenario", "run", Http.NewId("ghost"))).ExitCode);
    }

    [Fact]
    public async Task The_live_twin_now_or_at_a_past_moment_is_a_base_and_a_moment_before_history_is_refused_at_its_line()
    {
        var cluster = Http.NewId("live");
        var dc = await Datacenter.Create(fx.Http, vfs: 2, cluster: cluster);
        // the server stamps events with the same clock, and each VM below is defined after this moment
        var beforeVms = DateTimeOffset.UtcNow;
        await dc.Vm(fx.Http, weight: 50);
        await dc.Vm(fx.Http, weight: 50);
        await dc.Vm(fx.Http, weight: 50);

        var topology = await fx.Http.Get("api/topology");
        Assert.Contains(topology.GetProperty("hosts").EnumerateArray(), h => h.GetProperty("id").GetString() == dc.Host);

        var file = Write("live.yaml", Plan(Http.NewId("live"), cluster, withVariant: false));
        var report = JsonDocument.Parse((await Ok("whatif", file, "-o", "json")).Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
        var pf = report.Baseline.PfResults.Single();
        // the twin's three running VMs are there from day 0: two on the 2 VFs, one synthetic (Hyper-V)
        Assert.Equal((dc.Nic, 2.0, 1.0, 0.0), (pf.Nic, pf.PeakAllocated.P50, pf.FellBack.P50, pf.FirstExhaustion.P50));
        Assert.Contains($"the twin at {Server}", report.Base);

        // as it was before its VMs started: the same PF, nothing held from day 0
        var then = Write("then.yaml", Plan(Http.NewId("then"), cluster, withVariant: false)
            .Replace("live: true", $"at: {beforeVms:O}", StringComparison.Ordinal));
        var earlier = JsonDocument.Parse((await Ok("whatif", then, "-o", "json")).Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
        Assert.Equal((dc.Nic, 0.0, 0.0), earlier.Baseline.PfResults.Single() is var p0 ? (p0.Nic, p0.PeakAllocated.P50, p0.FellBack.P50) : default);
        Assert.Contains("as it was at", earlier.Base);

        var past = Write("past.yaml", Plan(Http.NewId("past"), cluster, withVariant: false).Replace("live: true", "at: 2001-01-01T00:00:00Z", StringComparison.Ordinal));
        var refused = await Twin("whatif", past);
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("past.yaml:3:7: base.at:", refused.Error);
        Assert.Contains("nothing existed at 2001-01-01 00:00:00Z: the twin's history starts at", refused.Error);

        var unknown = await Twin("whatif", Write("nocluster.yaml", Plan(Http.NewId("n"), Http.NewId("nowhere"), withVariant: false)));
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("the base has no cluster", unknown.Error);
    }
}
