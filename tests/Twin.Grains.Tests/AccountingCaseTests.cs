using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.Contracts;
using static Twin.Grains.Tests.LiveDatacenter;

namespace Twin.Grains.Tests;

/// <summary>The cross-aggregate cases of DESIGN §3.6, each taken from a real VF accounting bug, run through the live
/// grains. (Killing the silo mid-migration is in <see cref="SiloCrashTests"/>.)</summary>
[Collection(TwinClusterCollection.Name)]
public sealed class AccountingCaseTests(TwinCluster fx)
{
    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.Kvm)]
    public async Task A_migration_failing_before_the_copy_releases_the_destination_claim_exactly_once_and_the_source_keeps_its_vf(Platform platform)
    {
        // Nova bug 2166786
        var dc = await Build(fx.Grains, platform, vfs: 2, vms: 1, hosts: 2);
        await dc.StartInOrder(1);
        var before = await dc.Datapath(1);
        var op = NewOp("migrate");
        TwinCluster.Faults.Throw(MigrationSaga.CopyStep, new OperationId(op));

        var outcome = await dc.Migrate(1, toHost: 2, op);
        TwinCluster.Faults.Clear(new OperationId(op));

        Assert.False(outcome.Succeeded);
        Assert.Contains("aborted", outcome.Summary);
        var vm = await dc.VmState(1);
        Assert.Equal((VmStatus.Running, dc.Host(1), before), (vm.Status, vm.Host, vm.Vnics.Single().Datapath));
        Assert.Equal(VmOperationKind.None, vm.PendingKind);
        Assert.Equal((1, 0), ((await dc.NicState(1)).Allocated, (await dc.NicState(2)).Allocated));
        Assert.DoesNotContain((await dc.HostState(2)).Vms, p => p.Vm == dc.Vm(1));

        var destination = await EventLog.Stream(fx.Store, dc.Pf(2).Value);
        var claim = Assert.Single(destination.Data<NicEvent.VfAllocated>());
        var release = Assert.Single(destination.Data<NicEvent.VfReleased>());
        Assert.Equal((claim.VfIndex, claim.Op), (release.VfIndex, release.ClaimOp));
        Assert.Empty((await EventLog.Stream(fx.Store, dc.Pf(1).Value)).Data<NicEvent.VfReleased>());

        // resuming the closed saga changes nothing: the claim is not released a second time
        Assert.Null(await dc.VmGrain(1).Resume());
        Assert.Single((await EventLog.Stream(fx.Store, dc.Pf(2).Value)).Data<NicEvent.VfReleased>());
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task A_reconcile_pass_that_saw_the_source_vf_before_the_move_finished_never_frees_the_moved_vms_vf()
    {
        // Nova bug 1896463: the periodic pass looks at the source PF while the migration frees it
        var dc = await Build(fx.Grains, Platform.Kvm, vfs: 2, vms: 1, hosts: 2);
        await dc.StartInOrder(1);
        var migrate = NewOp("migrate");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = TwinCluster.Faults.Block("Nic.ReleaseVf", new OperationId(migrate), reached); // moved, source not yet freed
        var migration = dc.Migrate(1, toHost: 2, migrate);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        var looked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var port = new ObservedPort(dc.Port(NewOp("reconcile")), _ => { looked.TrySetResult(); return ValueTask.CompletedTask; });
        var reconcile = Reconciliation.Run(port, [dc.Pf(1), dc.Pf(2)]).AsTask();
        await looked.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken); // it has read PF1: vm1 holds a VF there

        gate.SetResult(); // the move finishes and frees the source VF, then the pass reads the VM
        TwinCluster.Faults.Clear(new OperationId(migrate));
        Assert.True((await migration).Succeeded);
        var findings = await reconcile;

        Assert.All(findings, f => Assert.False(f.Freed, $"{f.Nic} VF {f.VfIndex}: {f.Finding}"));
        var held = Assert.Single((await dc.NicState(2)).Holders);
        Assert.Equal((dc.Vnic(1), new OperationId(migrate)), (held.Holder!.Value, held.Claim));
        Assert.Equal(Datapath.OnVf(dc.Pf(2), held.Index, new OperationId(migrate)), await dc.Datapath(1));
        var sourceReleases = (await EventLog.Stream(fx.Store, dc.Pf(1).Value)).Data<NicEvent.VfReleased>().ToList();
        Assert.Equal(new OperationId(migrate), Assert.Single(sourceReleases).Op);
        Assert.Empty((await EventLog.Stream(fx.Store, dc.Pf(2).Value)).Data<NicEvent.VfReleased>());
        Assert.Empty(await Reconciliation.Run(dc.Port(NewOp("reconcile")), [dc.Pf(1), dc.Pf(2)]));
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task A_reconcile_pass_that_saw_the_destination_claim_mid_move_leaves_it_to_the_migration()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 1, hosts: 2);
        await dc.StartInOrder(1);
        var migrate = NewOp("migrate");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = TwinCluster.Faults.Block(MigrationSaga.CopyStep, new OperationId(migrate), reached);
        var migration = dc.Migrate(1, toHost: 2, migrate);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        var looked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var port = new ObservedPort(dc.Port(NewOp("reconcile")), _ => { looked.TrySetResult(); return ValueTask.CompletedTask; });
        var reconcile = Reconciliation.Run(port, [dc.Pf(2), dc.Pf(1)]).AsTask();
        await looked.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken); // it has seen the claim on PF2

        gate.SetResult();
        TwinCluster.Faults.Clear(new OperationId(migrate));
        Assert.True((await migration).Succeeded);
        Assert.Empty(await reconcile);
        Assert.Equal((0, 1), ((await dc.NicState(1)).Allocated, (await dc.NicState(2)).Allocated));
        Assert.Equal(dc.Pf(2), (await dc.Datapath(1)).Nic);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task Starting_a_kvm_vm_that_needs_k_vfs_from_a_pool_with_fewer_free_fails_atomically()
    {
        var dc = await Build(fx.Grains, Platform.Kvm, vfs: 4, vms: 2, vnicsPerVm: 3);
        await dc.StartInOrder(1);
        Assert.Equal(3, (await dc.NicState(1)).Allocated);

        var outcome = await dc.Start(2);
        Assert.False(outcome.Succeeded);
        Assert.Equal(SriovBlocker.VfPoolExhausted, outcome.Reason);
        var vm = await dc.VmState(2);
        Assert.Equal(VmStatus.Off, vm.Status);
        Assert.All(vm.Vnics, v => Assert.Equal(Datapath.Off, v.Datapath));
        Assert.DoesNotContain((await dc.HostState(1)).Vms, p => p.Vm == dc.Vm(2));

        var pf = await EventLog.Stream(fx.Store, dc.Pf(1).Value);
        Assert.DoesNotContain(pf.Data<NicEvent.VfAllocated>(), a => a.Vnic.Vm == dc.Vm(2)); // not even for a moment
        var rejected = pf.Data<NicEvent.VfAllocationRejected>().Where(r => r.Vnic.Vm == dc.Vm(2)).ToList();
        Assert.Equal(3, rejected.Count);
        Assert.All(rejected, r => Assert.Equal((1, 3, false), (r.Free, r.Needed, r.Queued)));
        Assert.Equal(3, (await dc.NicState(1)).Allocated);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task On_hyper_v_the_k_plus_first_sriov_vm_on_a_k_vf_pf_runs_synthetic_and_attached_vfs_never_exceed_k()
    {
        const int k = 3;
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: k, vms: k + 1);
        var outcomes = await Task.WhenAll(dc.AllVms.Select(vm => dc.Start(vm)));
        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Summary));

        var datapaths = await Task.WhenAll(dc.AllVms.Select(vm => dc.Datapath(vm)));
        Assert.Equal(k, datapaths.Count(d => d.Kind == DatapathKind.Vf));
        Assert.Equal(Datapath.Synthetic(SriovBlocker.VfPoolExhausted), Assert.Single(datapaths, d => d.Kind != DatapathKind.Vf));
        var nic = await dc.NicState(1);
        Assert.Equal((k, 0, 1), (nic.Allocated, nic.Free, nic.Waiting.Count));
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc); // never more than k held, at any event
    }

    [Fact]
    public async Task Disabling_sriov_on_a_hyper_v_pf_moves_every_holder_to_synthetic_in_one_step()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 3);
        await dc.StartInOrder(1, 2, 3); // vm3 waits
        var op = NewOp("disable");
        var result = await PfSagas.Configure(dc.Port(op), new NicCommand.DisableSriov(dc.Pf(1), new OperationId(op), T0));

        // one command, one append: both revocations, the withdrawn wait and the switch-off together
        Assert.Equal(2, result.Events.OfType<NicEvent.VfRevoked>().Count());
        Assert.Single(result.Events.OfType<NicEvent.VfRequestWithdrawn>());
        Assert.IsType<NicEvent.SriovDisabled>(result.Events[^1]);
        var stream = await EventLog.Stream(fx.Store, dc.Pf(1).Value);
        Assert.Equal(result.Events, stream.TakeLast(result.Events.Length).Select(e => e.Data));
        Assert.Equal((0, 0), (result.Snapshot.Allocated, result.Snapshot.Configured));

        await Eventually(async () =>
        {
            var paths = await Task.WhenAll(dc.AllVms.Select(vm => dc.Datapath(vm)));
            return paths.All(p => p == Datapath.Synthetic(SriovBlocker.SriovDisabledByOperator));
        }, "every VM runs synthetic because SR-IOV was disabled");
        var log = await EventLog.OfOperation(fx.Store, op);
        foreach (var vm in dc.AllVms)
            Assert.Contains(log.Data<VmEvent.VnicDatapathChanged>(), d => d.Vm == dc.Vm(vm)); // each VM's change is part of the operation
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task Enabling_iov_on_an_existing_hyper_v_switch_is_refused_with_the_recreate_plan_listing_the_vnics_it_disconnects()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 4, vms: 3, switchIov: false);
        await dc.StartInOrder(1, 2); // vm3 was never started: not connected
        var op = NewOp("iov");
        var result = await fx.Grains.GetGrain<ISwitchGrain>(dc.Ext(1).Value)
            .Execute(new SwitchCommand.SetSwitchIov(dc.Ext(1), true, new OperationId(op), T0), Context(op));

        var refused = Assert.IsType<SwitchEvent.SwitchIovChangeRejected>(Assert.Single(result.Events));
        Assert.Equal(SwitchDecider.RecreatePlan, refused.Plan);
        Assert.Equal([dc.Vnic(1), dc.Vnic(2)], refused.WouldDisconnect.OrderBy(v => v.Vm.Value));
        Assert.False(result.Snapshot.IovEnabled);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.SwitchIovDisabled), await dc.Datapath(1));
        Assert.Equal(0, (await dc.NicState(1)).Allocated);
        Assert.IsType<SwitchEvent.SwitchIovChangeRejected>((await EventLog.Stream(fx.Store, dc.Ext(1).Value))[^1].Data);
    }

    [Fact]
    public async Task On_linux_changing_numvfs_from_n_to_m_is_refused_and_going_through_zero_needs_every_holder_evicted_first()
    {
        var dc = await Build(fx.Grains, Platform.Kvm, vfs: 4, vms: 1);
        await dc.StartInOrder(1);
        var port = dc.Port(NewOp("numvfs"));

        var toEight = await PfSagas.Configure(port, new NicCommand.SetVfCount(dc.Pf(1), 8, port.Operation, T0));
        var refused = Assert.IsType<NicEvent.VfConfigurationRejected>(Assert.Single(toEight.Events));
        Assert.Equal((NicChangeRefusal.MustPassThroughZero, 8), (refused.Reason, refused.RequestedVfs));
        Assert.Equal([dc.Vnic(1)], refused.Holders);

        var toZero = await PfSagas.Configure(port, new NicCommand.SetVfCount(dc.Pf(1), 0, port.Operation, T0));
        var inUse = Assert.IsType<NicEvent.VfConfigurationRejected>(Assert.Single(toZero.Events));
        Assert.Equal(NicChangeRefusal.VfsInUse, inUse.Reason);
        Assert.Equal([dc.Vnic(1)], inUse.Holders);
        Assert.Equal((4, 1), (toZero.Snapshot.Configured, toZero.Snapshot.Allocated));
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(1)).Kind);

        await dc.Stop(1);
        Assert.IsType<NicEvent.SriovDisabled>(Assert.Single((await PfSagas.Configure(port, new NicCommand.SetVfCount(dc.Pf(1), 0, port.Operation, T0))).Events));
        var enabled = await PfSagas.Configure(port, new NicCommand.SetVfCount(dc.Pf(1), 8, port.Operation, T0));
        Assert.Equal(8, Assert.IsType<NicEvent.SriovEnabled>(Assert.Single(enabled.Events)).VfCount);
        Assert.True((await dc.Start(1)).Succeeded);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task Overlapping_resource_pools_are_refused_so_no_vf_is_counted_twice_and_pool_capacities_never_exceed_the_vfs()
    {
        var dc = await Build(fx.Grains, Platform.Kvm, vfs: 4, vms: 4);
        var nic = dc.NicGrain(1);
        var op = Context(NewOp("pools"));
        Task<CommandResult<NicEvent, NicSnapshot>> Define(string name, params int[] vfs) =>
            nic.Execute(new NicCommand.DefineResourcePool(dc.Pf(1), name, vfs, T0), op);

        Assert.IsType<NicEvent.ResourcePoolDefined>(Assert.Single((await Define("a", 0, 1)).Events));
        var overlap = Assert.IsType<NicEvent.ResourcePoolRejected>(Assert.Single((await Define("b", 1, 2)).Events));
        Assert.Contains("VF 1 is already in pool 'a'", overlap.Problem);
        var defined = await Define("b", 2);
        var pools = defined.Snapshot.Slots.Where(s => s.ResourcePool is not null).GroupBy(s => s.ResourcePool!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 }, pools);
        Assert.True(pools.Values.Sum() <= defined.Snapshot.Configured);
        Assert.Equal(pools.Values.Sum(), defined.Snapshot.Allocatable);

        // asking pool "a" a third time finds it exhausted although VFs of "b" and outside any pool are free
        var requests = Enumerable.Range(1, 3).Select(i => new VfRequest(new VnicRef(new VmId($"{dc.Prefix}-pod{i}"), "net0"), ResourcePool: "a")).ToList();
        foreach (var r in requests.Take(2))
            Assert.IsType<NicEvent.VfAllocated>(Assert.Single((await nic.Execute(new NicCommand.AllocateVfs(dc.Pf(1), [r], op.Operation, T0), op)).Events));
        var third = await nic.Execute(new NicCommand.AllocateVfs(dc.Pf(1), [requests[2]], op.Operation, T0), op);
        Assert.Equal((SriovBlocker.VfPoolExhausted, 0), (Assert.IsType<NicEvent.VfAllocationRejected>(Assert.Single(third.Events)).Reason, third.Snapshot.FreeIn("a")));
        foreach (var r in requests.Take(2))
            await nic.Execute(new NicCommand.ReleaseVf(dc.Pf(1), r.Vnic, OperationId.None, op.Operation, T0), op);

        // VMs racing for the pooled VFs: exactly as many start as the pools hold, the VF outside every pool is never given
        var outcomes = await Task.WhenAll(dc.AllVms.Select(vm => dc.Start(vm)));
        Assert.Equal(3, outcomes.Count(o => o.Succeeded));
        var after = await dc.NicState(1);
        Assert.Equal((3, 0), (after.Allocated, after.Free));
        Assert.DoesNotContain(after.Holders, s => s.Index == 3);
        var ledger = await VfLedger.Read(fx.Store, dc.AllPfs);
        Assert.DoesNotContain(ledger.Holders, h => h.Vf == 3);
        await ledger.AssertAgreesWith(dc);
    }
}

internal static class NicSnapshotPools
{
    /// <summary>Free VFs of one resource pool (from a snapshot).</summary>
    public static int FreeIn(this NicSnapshot nic, string pool) => nic.Slots.Count(s => s.ResourcePool == pool && s.Holder is null);
}
