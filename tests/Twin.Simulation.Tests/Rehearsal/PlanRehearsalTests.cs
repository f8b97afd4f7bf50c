using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Simulation.InMemory;
using Twin.Simulation.Rehearsal;
using static Twin.Simulation.Tests.Sagas.Datacenters;

namespace Twin.Simulation.Tests.Rehearsal;

/// <summary>The rehearsal engine on in-memory forks: what it reads and writes per step, that it never changes the
/// twin it forks from, plan validation, and the horizon comparison. (The DESIGN §3.6 cases run against a fork of the live
/// twin in Twin.Grains.Tests.)</summary>
public sealed class PlanRehearsalTests
{
    private static readonly OperationId Op = new("plan-1");

    private static ChangePlan Plan(params PlanStep[] steps) => new("test", [.. steps]) { Horizon = new HorizonSpec { Enabled = false } };

    private static Task<RehearsalResult> Rehearse(InMemoryTwin live, ChangePlan plan) =>
        PlanRehearsal.RunAsync(live.Vms.Cast<ISnapshot>().Concat(live.Nics).Concat(live.Hosts).Concat(live.Switches).Concat(live.Chipsets), plan, Op, T0);

    [Fact]
    public async Task A_rehearsal_forks_the_twin_and_leaves_it_untouched()
    {
        var live = Seed(Build(Platform.HyperV, vfs: 2, vms: 2));
        live.Start(1);
        var versions = live.Versions();
        var log = live.Log.Count;
        var result = await Rehearse(live, Plan(new StartVmStep(Vm(2)), new DisableSriovStep(Pf(1))));
        Assert.True(result.AllStepsSucceed, string.Join("; ", result.Failures));
        Assert.Equal(versions, live.Versions());
        Assert.Equal(log, live.Log.Count);
        Assert.NotEmpty(result.Steps[1].Events);
    }

    [Fact]
    public async Task Each_step_notes_the_streams_it_reads_at_their_version_and_the_versions_it_leaves()
    {
        var live = Seed(Build(Platform.HyperV, vfs: 2, vms: 1));
        var result = await Rehearse(live, Plan(new StartVmStep(Vm(1)), new StopVmStep(Vm(1))));
        var start = result.Steps[0];
        var seen = start.Seen.ToDictionary(s => s.Stream, s => s.Version);
        Assert.Equal(live.Vm(Vm(1))!.Version, seen[Vm(1).Value]);
        Assert.Equal(live.Nic(Pf(1))!.Version, seen[Pf(1).Value]);
        Assert.Equal(live.Host(Host(1))!.Version, seen[Host(1).Value]);
        Assert.Contains(start.Seen, s => s.Kind == "chipset");
        // the second step begins where the first ended
        var stop = result.Steps[1].Seen.ToDictionary(s => s.Stream, s => s.Version);
        Assert.Equal(start.Ends.Single(e => e.Stream == Vm(1).Value).Version, stop[Vm(1).Value]);
        // the plan expects every stream at its fork version
        Assert.Equal(live.Vm(Vm(1))!.Version, result.Expected.Single(e => e.Stream == Vm(1).Value).Version);
        Assert.All(result.Steps.SelectMany(s => s.Events), e => Assert.StartsWith("plan-1/", e.Operation.Value));
    }

    [Fact]
    public async Task A_failed_step_makes_the_plan_no_go_and_later_steps_are_still_rehearsed()
    {
        var live = Seed(Build(Platform.Kvm, vfs: 4, vms: 1));
        live.Start(1);
        var result = await Rehearse(live, Plan(new SetVfsStep(Pf(1), 8), new StopVmStep(Vm(1)), new SetVfsStep(Pf(1), 0), new SetVfsStep(Pf(1), 8)));
        Assert.False(result.Steps[0].Outcome.Succeeded);
        Assert.Equal(nameof(NicChangeRefusal.MustPassThroughZero), result.Steps[0].Outcome.Reason);
        Assert.All(result.Steps.Skip(1), s => Assert.True(s.Outcome.Succeeded, s.Outcome.Summary));
        Assert.Single(result.Failures);
        Assert.Equal(8, result.Pfs.Single().ConfiguredAfter);
    }

    [Fact]
    public async Task An_impossible_step_fails_with_the_domain_rule_and_the_rest_goes_on()
    {
        var live = Seed(Build(Platform.HyperV, vfs: 2, vms: 1));
        var result = await Rehearse(live, Plan(new StartVmStep(new VmId("nobody")), new StartVmStep(Vm(1))));
        Assert.Equal("DomainRule", result.Steps[0].Outcome.Reason);
        Assert.Contains(result.Steps[0].Seen, s => s.Stream == "nobody" && s.Version == 0);
        Assert.True(result.Steps[1].Outcome.Succeeded);
    }

    [Fact]
    public void Plan_problems_name_the_step_and_the_field()
    {
        var plan = new ChangePlan("", [new SetVfsStep(new NicId(""), -1), new SetIovWeightStep(Vm(1), 101) { Id = "a" }, new StopVmStep(Vm(1)) { Id = "a" }])
        {
            Horizon = new HorizonSpec { Days = 0 },
        };
        var problems = plan.Validate().Select(p => p.ToString()).ToList();
        Assert.Equal(
        [
            "name is required",
            "steps[0].nic is required",
            "steps[0].vfs cannot be negative (-1)",
            "steps[1].iovWeight must be 0-100, not 101",
            "steps[2].id 'a' names another step too; step ids are unique",
            "horizon.days must be 1-366, not 0",
        ], problems);
    }

    [Fact]
    public async Task The_horizon_compares_the_same_workload_before_and_after_with_running_vms_pinned()
    {
        var live = Seed(Build(Platform.HyperV, vfs: 2, vms: 4, switchIov: false));
        for (var vm = 1; vm <= 4; vm++) live.Start(vm);
        var result = await Rehearse(live, Plan(new RecreateSwitchStep(Ext(1), true)));
        Assert.True(result.AllStepsSucceed);
        var spec = new HorizonSpec { Days = 7, Replications = 3, Seed = 5, ArrivalsPerHour = 0.5 };
        var horizon = RehearsalHorizon.Compare(result.Before, result.After, spec, T0, ct: TestContext.Current.CancellationToken);
        Assert.Equal((4, 4), (horizon.RunningVmsWithout, horizon.RunningVmsWith));
        var fellBack = horizon.Figures.Single(f => f.Name.StartsWith("vNICs on the synthetic", StringComparison.Ordinal));
        // without IOV on the switch every SR-IOV vNIC runs synthetic; with it, only those beyond the 2 VFs
        Assert.True(fellBack.With < fellBack.Without, $"{fellBack.Without} → {fellBack.With}");
        Assert.False(horizon.Regression);
        var again = RehearsalHorizon.Compare(result.Before, result.After, spec, T0, ct: TestContext.Current.CancellationToken);
        Assert.Equal(horizon.Figures, again.Figures);
    }
}
