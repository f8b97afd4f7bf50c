using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Marten;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using Twin.Grains.Contracts;
using Twin.Grains.UseCases;
using Twin.Simulation.Rehearsal;

namespace Twin.Grains.Tests;

/// <summary>
/// Change rehearsal against the live twin (real PostgreSQL, real Orleans cluster): a fork of the live twin at its
/// stream versions gives the verdict and side effects of every DESIGN §3.6 case a plan can express, the live streams are
/// never touched by a rehearsal, an apply appends exactly the predicted events, and drift is caught before anything is
/// appended.
/// </summary>
[Collection(TwinClusterCollection.Name)]
public sealed class RehearsalTests(TwinCluster fx)
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly HorizonSpec NoHorizon = new() { Enabled = false };

    private static ChangePlan Plan(params PlanStep[] steps) => new("test plan", [.. steps]) { Horizon = NoHorizon };

    private async Task<RehearsalReport> Rehearse(ChangePlan plan, string? operation = null) =>
        await fx.Mediator().Send(new RehearsePlan(plan) { Operation = operation ?? Ids.New("plan"), Actor = "test" }, Ct);

    private async Task<PlanApplyReport> Apply(ChangePlan plan, RehearsalReport rehearsal) =>
        await fx.Mediator().Send(new ApplyPlan(plan, rehearsal.Expected) { Operation = rehearsal.Operation, Actor = "test" }, Ct);

    private static async Task Start(LiveDatacenter dc, params int[] vms)
    {
        foreach (var vm in vms)
            Assert.True((await dc.VmGrain(vm).Start(LiveDatacenter.Context(Ids.New("start")))).Succeeded);
    }

    private static RehearsedStep Only(RehearsalReport report) => Assert.Single(report.Steps);

    private static IEnumerable<SideEffect> Effects(RehearsedStep step, SideEffectKind kind) => step.SideEffects.Where(e => e.Kind == kind);

    private async Task<Dictionary<string, long>> StreamVersions(IEnumerable<string> streams)
    {
        await using var session = fx.Store.QuerySession();
        var versions = new Dictionary<string, long>();
        foreach (var s in streams) versions[s] = (await session.Events.FetchStreamStateAsync(s, Ct))?.Version ?? 0;
        return versions;
    }

    private static IEnumerable<string> Streams(LiveDatacenter dc, int hosts, int vms) =>
        Enumerable.Range(1, hosts).SelectMany(h => new[] { dc.Host(h).Value, $"{dc.Host(h)}/chipset", dc.Pf(h).Value, dc.Ext(h).Value })
            .Concat(Enumerable.Range(1, vms).Select(v => dc.Vm(v).Value));

    // ---------------- DESIGN §3.6 cases a plan can express ----------------

    [Fact]
    public async Task Enabling_iov_on_an_existing_hyper_v_switch_is_no_go_and_offers_the_recreate_plan_listing_the_vnics_it_disconnects()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 4, vms: 2, switchIov: false);
        await Start(dc, 1, 2);
        var report = await Rehearse(Plan(new SetSwitchIovStep(dc.Ext(1), true)));
        Assert.False(report.Go);
        Assert.Equal(RehearsalReport.NoGoVerdict, report.Verdict);
        var step = Only(report);
        Assert.False(step.Succeeded);
        Assert.Equal("IovFixedAtCreation", step.Reason);
        var recreate = Assert.Single(Effects(step, SideEffectKind.RecreateRequired));
        Assert.Contains("New-VMSwitch -EnableIov", recreate.Detail);
        Assert.Contains(dc.Vnic(1).ToString(), recreate.Detail);
        Assert.Contains(dc.Vnic(2).ToString(), recreate.Detail);
        Assert.Contains(report.NoGo, r => r.Contains("it would disconnect", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Recreating_the_switch_with_iov_disconnects_its_vnics_and_puts_them_back_on_vfs()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 4, vms: 2, switchIov: false);
        await Start(dc, 1, 2);
        var report = await Rehearse(Plan(new RecreateSwitchStep(dc.Ext(1), true)));
        Assert.True(report.Go, string.Join("; ", report.NoGo));
        var step = Only(report);
        Assert.Equal([dc.Vnic(1).ToString(), dc.Vnic(2).ToString()], Effects(step, SideEffectKind.VnicDisconnected).Select(e => e.Subject).Order());
        Assert.Equal([dc.Vnic(1).ToString(), dc.Vnic(2).ToString()], Effects(step, SideEffectKind.VnicOnVf).Select(e => e.Subject).Order());
        Assert.All(report.Vnics, v => Assert.StartsWith("VF ", v.After));
        // the live VMs still run synthetic: a rehearsal changes nothing
        Assert.Equal(Datapath.Synthetic(SriovBlocker.SwitchIovDisabled), await dc.Datapath(1));
    }

    [Fact]
    public async Task Changing_numvfs_n_to_m_on_linux_is_no_go_with_ebusy()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.Kvm, vfs: 4, vms: 1);
        await Start(dc, 1);
        var step = Only(await Rehearse(Plan(new SetVfsStep(dc.Pf(1), 8))));
        Assert.False(step.Succeeded);
        Assert.Equal(nameof(NicChangeRefusal.MustPassThroughZero), step.Reason);
        var drain = Assert.Single(Effects(step, SideEffectKind.DrainRequired));
        Assert.Contains("EBUSY", drain.Detail);
        Assert.Contains(dc.Vnic(1).ToString(), drain.Detail);
    }

    [Fact]
    public async Task Going_through_zero_vfs_on_linux_with_holders_is_no_go_naming_the_holders_to_evict()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.Kvm, vfs: 4, vms: 2);
        await Start(dc, 1, 2);
        var report = await Rehearse(Plan(new SetVfsStep(dc.Pf(1), 0), new DisableSriovStep(dc.Pf(1))));
        Assert.False(report.Go);
        Assert.All(report.Steps, s =>
        {
            Assert.False(s.Succeeded);
            Assert.Equal(nameof(NicChangeRefusal.VfsInUse), s.Reason);
            var drain = Assert.Single(Effects(s, SideEffectKind.DrainRequired));
            Assert.Contains(dc.Vnic(1).ToString(), drain.Detail);
            Assert.Contains(dc.Vnic(2).ToString(), drain.Detail);
        });
        // evicting them first makes it GO
        var drained = await Rehearse(Plan(new StopVmStep(dc.Vm(1)), new StopVmStep(dc.Vm(2)), new SetVfsStep(dc.Pf(1), 0), new SetVfsStep(dc.Pf(1), 8)));
        Assert.True(drained.Go, string.Join("; ", drained.NoGo));
        Assert.Equal(8, Assert.Single(drained.Pfs).ConfiguredAfter);
    }

    [Fact]
    public async Task Disabling_sriov_on_a_hyper_v_pf_moves_every_holder_to_synthetic_in_one_step()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 3);
        await Start(dc, 1, 2, 3);
        var step = Only(await Rehearse(Plan(new DisableSriovStep(dc.Pf(1)))));
        Assert.True(step.Succeeded, step.Summary);
        Assert.Equal(2, Effects(step, SideEffectKind.VfRevoked).Count());
        var synthetic = Effects(step, SideEffectKind.VnicSynthetic).ToList();
        Assert.Equal([dc.Vnic(1).ToString(), dc.Vnic(2).ToString()], synthetic.Where(e => e.Detail.StartsWith("runs synthetic", StringComparison.Ordinal)).Select(e => e.Subject).Order());
        Assert.All(synthetic, e => Assert.Contains(nameof(SriovBlocker.SriovDisabledByOperator), e.Detail));
        // one append on the PF: the revocations, the withdrawal of the waiter and the switch-off at consecutive versions
        var nicEvents = step.Events.Where(e => e.Stream == dc.Pf(1).Value).ToList();
        Assert.Equal(["VfRevoked", "VfRevoked", "VfRequestWithdrawn", "SriovDisabled"], nicEvents.Select(e => e.Type));
        Assert.Equal(Enumerable.Range((int)nicEvents[0].Version, 4).Select(v => (long)v), nicEvents.Select(e => e.Version));
    }

    [Fact]
    public async Task On_hyper_v_the_k_plus_first_sriov_vm_on_a_k_vf_pf_runs_synthetic_and_the_plan_stays_go()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 3);
        var report = await Rehearse(Plan(new StartVmStep(dc.Vm(1)), new StartVmStep(dc.Vm(2)), new StartVmStep(dc.Vm(3))));
        Assert.True(report.Go, string.Join("; ", report.NoGo));
        Assert.Equal(dc.Vnic(3).ToString(), Assert.Single(Effects(report.Steps[2], SideEffectKind.VnicSynthetic)).Subject);
        Assert.Contains(nameof(SriovBlocker.VfPoolExhausted), Effects(report.Steps[2], SideEffectKind.VnicSynthetic).Single().Detail);
        var pf = Assert.Single(report.Pfs);
        Assert.Equal((2, 2), (pf.ConfiguredAfter, pf.AllocatedAfter));
        Assert.Contains(report.Warnings, w => w.StartsWith(dc.Vnic(3).ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_kvm_start_needing_more_vfs_than_free_fails_atomically_and_keeps_none()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.Kvm, vfs: 1, vms: 1, vnicsPerVm: 2);
        var step = Only(await Rehearse(Plan(new StartVmStep(dc.Vm(1)))));
        Assert.False(step.Succeeded);
        Assert.Equal(nameof(SriovBlocker.VfPoolExhausted), step.Reason);
        Assert.Single(Effects(step, SideEffectKind.StartFailed));
        Assert.DoesNotContain(step.Events, e => e.Type == nameof(NicEvent.VfAllocated));
        Assert.Equal(2, step.Events.Count(e => e.Type == nameof(NicEvent.VfAllocationRejected)));
    }

    [Fact]
    public async Task Vsphere_refuses_vmotion_for_an_sriov_vm()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.VSphere, vfs: 4, vms: 1, hosts: 2);
        await Start(dc, 1);
        var step = Only(await Rehearse(Plan(new MigrateVmStep(dc.Vm(1), dc.Host(2)))));
        Assert.False(step.Succeeded);
        Assert.Contains("vMotion", Assert.Single(Effects(step, SideEffectKind.MigrationRefused)).Detail);
        Assert.Equal(["VmMigrationRejected"], step.Events.Select(e => e.Type));
    }

    [Fact]
    public async Task A_migration_claims_the_destination_vf_before_freeing_the_source()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 1, hosts: 2);
        await Start(dc, 1);
        var step = Only(await Rehearse(Plan(new MigrateVmStep(dc.Vm(1), dc.Host(2)))));
        Assert.True(step.Succeeded, step.Summary);
        var claimed = step.Events.ToList().FindIndex(e => e.Stream == dc.Pf(2).Value && e.Type == nameof(NicEvent.VfAllocated));
        var freed = step.Events.ToList().FindIndex(e => e.Stream == dc.Pf(1).Value && e.Type == nameof(NicEvent.VfReleased));
        Assert.True(claimed >= 0 && freed > claimed, $"claim at {claimed}, release at {freed}");
        Assert.Contains(dc.Pf(2).Value, Assert.Single(Effects(step, SideEffectKind.VnicOnVf)).Detail);
    }

    [Fact]
    public async Task A_vsphere_numvfs_change_is_pending_until_a_reboot_which_stops_the_hosts_vms()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.VSphere, vfs: 4, vms: 1);
        await Start(dc, 1);
        var pending = await Rehearse(Plan(new SetVfsStep(dc.Pf(1), 8)));
        Assert.True(pending.Go);
        Assert.Contains(dc.Host(1).Value, Assert.Single(Effects(Only(pending), SideEffectKind.RebootRequired)).Detail);
        Assert.Contains(pending.Warnings, w => w.Contains("not in effect until", StringComparison.Ordinal));
        var rebooted = await Rehearse(Plan(new SetVfsStep(dc.Pf(1), 8), new RebootHostStep(dc.Host(1))));
        Assert.True(rebooted.Go, string.Join("; ", rebooted.NoGo));
        Assert.Single(Effects(rebooted.Steps[1], SideEffectKind.VmStopped));
        Assert.Single(Effects(rebooted.Steps[1], SideEffectKind.HostRebooted));
        Assert.Equal(8, Assert.Single(rebooted.Pfs).ConfiguredAfter);
        Assert.DoesNotContain(rebooted.Warnings, w => w.Contains("not in effect until", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Overlapping_resource_pools_are_no_go_because_pools_never_share_a_vf()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.Kvm, vfs: 4, vms: 0);
        var overlapping = await Rehearse(Plan(new DefinePoolStep(dc.Pf(1), "tenant-a", [0, 1]), new DefinePoolStep(dc.Pf(1), "tenant-b", [1, 2])));
        Assert.False(overlapping.Go);
        Assert.True(overlapping.Steps[0].Succeeded);
        Assert.Contains("pools never share a VF", overlapping.Steps[1].Summary);
        var apart = await Rehearse(Plan(new DefinePoolStep(dc.Pf(1), "tenant-a", [0, 1]), new DefinePoolStep(dc.Pf(1), "tenant-b", [2, 3])));
        Assert.True(apart.Go, string.Join("; ", apart.NoGo));
    }

    // ---------------- the live twin is never touched; apply does what was rehearsed ----------------

    [Fact]
    public async Task A_rehearsal_never_touches_the_live_streams()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 3, hosts: 2, switchIov: false);
        await Start(dc, 1, 2);
        var streams = Streams(dc, hosts: 2, vms: 3).ToList();
        var before = await StreamVersions(streams);
        var snapshot = await dc.VmGrain(1).GetSnapshot();
        var report = await Rehearse(new ChangePlan("everything", [
            new RecreateSwitchStep(dc.Ext(1), true), new StartVmStep(dc.Vm(3)), new MigrateVmStep(dc.Vm(1), dc.Host(2)),
            new SetVfsStep(dc.Pf(2), 4), new DisableSriovStep(dc.Pf(1)), new RebootHostStep(dc.Host(1)),
        ]) { Horizon = new HorizonSpec { Days = 3, Replications = 2 } });
        Assert.True(report.Go, string.Join("; ", report.NoGo));
        Assert.NotNull(report.Horizon);
        Assert.NotEmpty(report.Steps.SelectMany(s => s.Events));
        Assert.Equal(before, await StreamVersions(streams));
        Assert.Equal(snapshot, await dc.VmGrain(1).GetSnapshot());
        await using var session = fx.Store.QuerySession();
        Assert.Empty(await session.Events.QueryAllRawEvents().Where(e => e.CorrelationId == report.Steps[0].Operation).ToListAsync(Ct));
        Assert.Empty(await session.Events.QueryAllRawEvents()
            .Where(e => e.CorrelationId == report.Operation || e.CorrelationId!.StartsWith(report.Operation + "/")).ToListAsync(Ct));

        // the rehearsal is kept as a document (not an event), its report whole
        var kept = await session.LoadAsync<RehearsalRecord>(report.Operation, Ct);
        Assert.NotNull(kept);
        Assert.Equal(("everything", "GO", 6, 0, "test", (RehearsalApplyRecord?)null), (kept.Plan, kept.Verdict, kept.Steps, kept.StepsFailed, kept.Actor, kept.Apply));
        Assert.Equal(report.Expected, kept.Report.Expected);
        Assert.Equal(report.Steps.Select(s => (s.Name, s.Succeeded, s.Events.Count)), kept.Report.Steps.Select(s => (s.Name, s.Succeeded, s.Events.Count)));
        Assert.Equal(report.Horizon!.Figures, kept.Report.Horizon!.Figures);
    }

    [Fact]
    public async Task Rehearsal_then_apply_appends_exactly_the_events_the_rehearsal_predicted()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 3, hosts: 2, switchIov: false);
        await Start(dc, 1, 2);
        var newVm = new VmId($"{dc.Prefix}-vm9");
        var plan = new ChangePlan("enable SR-IOV on host 1", [
            new RecreateSwitchStep(dc.Ext(1), true),
            new StartVmStep(dc.Vm(3)),
            new SetIovWeightStep(dc.Vm(1), 0, "net0"),
            new MigrateVmStep(dc.Vm(2), dc.Host(2)),
            new DefineVmStep(newVm, dc.Host(1), "Windows Server 2022", [new VnicSpec("net0", dc.Ext(1), 80)]),
            new StartVmStep(newVm),
            new SetVfsStep(dc.Pf(2), 4),
        ]) { Horizon = NoHorizon };
        var report = await Rehearse(plan);
        Assert.True(report.Go, string.Join("; ", report.NoGo));

        var applied = await Apply(plan, report);
        Assert.True(applied.Applied, $"{applied.Status}: {applied.Summary}\n{string.Join("\n", applied.Steps.SelectMany(s => s.Differences))}");
        Assert.Equal(ApplyStatus.Applied, applied.Status);
        Assert.All(applied.Steps, s => Assert.True(s.AsRehearsed && s.Outcome == "applied", $"{s.Name}: {s.Outcome} {string.Join("; ", s.Differences)}"));

        // every event appended under the plan's operation, stream by stream, is the predicted one (modulo its time)
        await using var session = fx.Store.QuerySession();
        foreach (var step in report.Steps)
        {
            var live = await session.Events.QueryAllRawEvents()
                .Where(e => e.CorrelationId == step.Operation || e.CorrelationId!.StartsWith(step.Operation + "/")).ToListAsync(Ct);
            Assert.Equal(step.Events.Select(e => (e.Stream, e.Version)).Order(), live.Select(e => (e.StreamKey!, e.Version)).Order());
            foreach (var e in live)
            {
                var predicted = step.Events.Single(p => p.Stream == e.StreamKey && p.Version == e.Version);
                Assert.Equal(predicted.Type, e.Data.GetType().Name);
                Assert.True(JsonNode.DeepEquals(WithoutTime(predicted.Data), WithoutTime(JsonSerializer.SerializeToElement(e.Data, e.Data.GetType(), Json))),
                    $"{e.StreamKey} v{e.Version}: predicted {predicted.Data}, appended {JsonSerializer.Serialize(e.Data, e.Data.GetType(), Json)}");
            }
        }
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(3)).Kind);
        Assert.Equal(DatapathKind.Synthetic, (await dc.Datapath(1)).Kind);

        // applying again with the same operation is idempotent: every step is already applied, nothing is appended
        var versions = await StreamVersions(Streams(dc, hosts: 2, vms: 3).Append(newVm.Value));
        var again = await Apply(plan, report);
        Assert.Equal(ApplyStatus.Applied, again.Status);
        Assert.All(again.Steps.Where(s => report.Steps[s.Number - 1].Events.Count > 0), s => Assert.Equal("already applied", s.Outcome));
        Assert.Equal(versions, await StreamVersions(Streams(dc, hosts: 2, vms: 3).Append(newVm.Value)));
    }

    [Fact]
    public async Task A_change_between_rehearsal_and_apply_is_caught_as_drift_and_nothing_is_appended()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 3);
        await Start(dc, 1);
        var plan = Plan(new StartVmStep(dc.Vm(2)), new SetIovWeightStep(dc.Vm(1), 10, "net0"));
        var report = await Rehearse(plan);
        Assert.True(report.Go);
        await Start(dc, 3); // someone else takes the last VF meanwhile
        var streams = Streams(dc, hosts: 1, vms: 3).ToList();
        var before = await StreamVersions(streams);

        var applied = await Apply(plan, report);
        Assert.False(applied.Applied);
        Assert.Equal(ApplyStatus.Refused, applied.Status);
        Assert.Contains(applied.Drift, d => d.Stream == dc.Pf(1).Value && d.Now > d.Rehearsed);
        Assert.Contains(applied.Drift, d => d.Stream == dc.Host(1).Value);
        Assert.All(applied.Drift, d => Assert.Contains($"rehearsed at v{d.Rehearsed}, now at v{d.Now}", d.Detail));
        Assert.All(applied.Steps, s => Assert.Equal("not run", s.Outcome));
        Assert.Equal(before, await StreamVersions(streams));
        await using var session = fx.Store.QuerySession();
        Assert.Empty(await session.Events.QueryAllRawEvents().Where(e => e.CorrelationId!.StartsWith(report.Operation + "/")).ToListAsync(Ct));
    }

    [Fact]
    public async Task An_independent_step_whose_streams_moved_is_skipped_and_the_rest_of_the_plan_applies()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 1, hosts: 2);
        var plan = Plan(new StartVmStep(dc.Vm(1)), new SetVfsStep(dc.Pf(2), 4) { Id = "grow-h2", Independent = true });
        var report = await Rehearse(plan);
        Assert.True(report.Go);
        await fx.Mediator().Send(new SetScarceVfPolicy(dc.Pf(2), ScarceVfPolicy.WeightPreemptive), Ct);

        var applied = await Apply(plan, report);
        Assert.Equal(ApplyStatus.AppliedWithSkips, applied.Status);
        Assert.Equal(["applied", "skipped (drift)"], applied.Steps.Select(s => s.Outcome));
        Assert.Equal(dc.Pf(2).Value, Assert.Single(applied.Drift).Stream);
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(1)).Kind);
        Assert.Equal(2, (await dc.NicGrain(2).GetSnapshot())!.Configured);
    }

    [Fact]
    public async Task A_change_that_lands_between_two_steps_stops_the_apply_before_the_step_it_affects()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 1, hosts: 2);
        var other = new VmId($"{dc.Prefix}-vm9");
        Assert.True((await fx.Mediator().Send(new DefineVm(other, dc.Host(2), "Windows Server 2022", 2, 4096, [new VnicSpec("net0", dc.Ext(2), 100)]), Ct)).Succeeded);
        var plan = Plan(new StartVmStep(dc.Vm(1)), new StartVmStep(other));
        var report = await Rehearse(plan);
        Assert.True(report.Go);

        // step 1 is held at its last command while someone changes the PF step 2 reads
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = TwinCluster.Faults.Block("Vm.CompleteStart", new OperationId(report.Steps[0].Operation), reached);
        try
        {
            var applying = Apply(plan, report);
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await fx.Mediator().Send(new SetScarceVfPolicy(dc.Pf(2), ScarceVfPolicy.WeightPreemptive), Ct);
            gate.SetResult();
            var applied = await applying;

            Assert.Equal(ApplyStatus.PartiallyApplied, applied.Status);
            Assert.Equal(["applied", "stopped (drift)"], applied.Steps.Select(s => s.Outcome));
            Assert.True(applied.Steps[0].AsRehearsed);
            Assert.Equal(dc.Pf(2).Value, Assert.Single(applied.Drift).Stream);
            Assert.Equal(VmStatus.Running, (await dc.VmGrain(1).GetSnapshot())!.Status);
            Assert.Equal(VmStatus.Off, (await fx.Grains.GetGrain<IVmGrain>(other.Value).GetSnapshot())!.Status);
        }
        finally
        {
            gate.TrySetResult();
            TwinCluster.Faults.Clear(new OperationId(report.Steps[0].Operation));
        }
    }

    [Fact]
    public async Task A_step_that_appends_something_else_than_predicted_stops_the_apply_and_a_retry_is_refused()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 2, hosts: 2);
        await Start(dc, 1);
        var plan = Plan(new MigrateVmStep(dc.Vm(1), dc.Host(2)), new StartVmStep(dc.Vm(2)));
        var report = await Rehearse(plan);
        Assert.True(report.Go);
        var migration = new OperationId(report.Steps[0].Operation);
        TwinCluster.Faults.Throw(MigrationSaga.CopyStep, migration); // the memory copy fails live
        try
        {
            var applied = await Apply(plan, report);
            Assert.Equal(ApplyStatus.Diverged, applied.Status);
            Assert.False(applied.Steps[0].AsRehearsed);
            Assert.Contains(applied.Steps[0].Differences, d => d.Contains("the rehearsal said it succeeds", StringComparison.Ordinal));
            Assert.Equal("not run", applied.Steps[1].Outcome);
            Assert.Equal(dc.Host(1), (await dc.VmGrain(1).GetSnapshot())!.Host);
            Assert.Equal(VmStatus.Off, (await dc.VmGrain(2).GetSnapshot())!.Status);
        }
        finally
        {
            TwinCluster.Faults.Clear(migration);
        }
        // what the failed step appended is not what was rehearsed: a retry sees drift and refuses
        var retry = await Apply(plan, report);
        Assert.Equal(ApplyStatus.Refused, retry.Status);
        Assert.Contains(retry.Drift, d => d.Stream == dc.Vm(1).Value);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static JsonNode? WithoutTime(JsonElement e)
    {
        var node = JsonNode.Parse(e.GetRawText());
        if (node is JsonObject o) o.Remove("at");
        return node;
    }
}
