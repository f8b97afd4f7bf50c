using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using static Twin.Grains.Tests.LiveDatacenter;

namespace Twin.Grains.Tests;

/// <summary>Each platform's SR-IOV behaviour (DESIGN §3.2), run through the live grains over Marten.</summary>
[Collection(TwinClusterCollection.Name)]
public sealed class PlatformBehaviourTests(TwinCluster fx)
{
    // ---------------- VF assignment ----------------

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.VSphere)]
    [InlineData(Platform.Kvm)]
    public async Task A_starting_vm_gets_a_vf_of_its_switchs_pf_under_its_start_operation(Platform platform)
    {
        var dc = await Build(fx.Grains, platform, vfs: 2, vms: 1);
        var op = NewOp("start");
        var outcome = await dc.Start(1, op);
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(Datapath.OnVf(dc.Pf(1), 0, new OperationId(op)), await dc.Datapath(1));
        var slot = Assert.Single((await dc.NicState(1)).Holders);
        Assert.Equal((dc.Vnic(1), new OperationId(op)), (slot.Holder!.Value, slot.Claim));
        Assert.Equal(VmStatus.Running, (await dc.VmState(1)).Status);
        var host = await dc.HostState(1);
        Assert.Contains(host.Vms, p => p.Vm == dc.Vm(1) && p.Placed);
        Assert.Equal(platform == Platform.VSphere ? 3 : 0, host.InterruptVectorsUsed);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.VSphere)]
    [InlineData(Platform.Kvm)]
    public async Task Enabling_sriov_on_a_running_vnic_assigns_it_a_vf_and_disabling_it_gives_the_vf_back(Platform platform)
    {
        var dc = await Build(fx.Grains, platform, vfs: 2, vms: 1, iovWeight: 0);
        await dc.StartInOrder(1);
        Assert.Equal(Datapath.Synthetic(), await dc.Datapath(1));

        var enable = NewOp("iov-on");
        var on = await dc.VmGrain(1).SetIovWeight("net0", 80, Context(enable));
        Assert.True(on.Succeeded, on.Summary);
        Assert.Equal(Datapath.OnVf(dc.Pf(1), 0, new OperationId(enable)), await dc.Datapath(1));
        Assert.Equal(platform == Platform.VSphere ? 3 : 0, (await dc.HostState(1)).InterruptVectorsUsed);

        var off = await dc.VmGrain(1).SetIovWeight("net0", 0, Context(NewOp("iov-off")));
        Assert.True(off.Succeeded, off.Summary);
        Assert.Equal(Datapath.Synthetic(), await dc.Datapath(1));
        Assert.Equal(0, (await dc.NicState(1)).Allocated);
        Assert.Equal(0, (await dc.HostState(1)).InterruptVectorsUsed);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    // ---------------- pool exhausted ----------------

    [Fact]
    public async Task On_hyper_v_a_vm_finding_no_free_vf_starts_on_the_synthetic_path_and_waits_for_one()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 3);
        await dc.StartInOrder(1, 2, 3);
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(2)).Kind);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.VfPoolExhausted), await dc.Datapath(3));
        Assert.Equal(VmStatus.Running, (await dc.VmState(3)).Status);
        var nic = await dc.NicState(1);
        Assert.Equal(2, nic.Allocated);
        Assert.Equal(dc.Vnic(3), Assert.Single(nic.Waiting).Vnic);
    }

    [Fact]
    public async Task On_hyper_v_a_freed_vf_goes_to_the_waiting_vnic_with_the_highest_iov_weight_ties_first_come()
    {
        // vm1 holds the only VF; vm2 (30), vm3 (80) and vm4 (80) wait in that order
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 4, weights: vm => vm switch { 1 => 100, 2 => 30, _ => 80 });
        await dc.StartInOrder(1, 2, 3, 4);
        Assert.Equal(3, (await dc.NicState(1)).Waiting.Count);

        await dc.Stop(1);
        await Eventually(async () => (await dc.Datapath(3)).Kind == DatapathKind.Vf, "vm3 (weight 80, first of the tie) gets the VF");
        Assert.Equal(DatapathKind.Synthetic, (await dc.Datapath(4)).Kind);
        Assert.Equal(DatapathKind.Synthetic, (await dc.Datapath(2)).Kind);

        await dc.Stop(3);
        await Eventually(async () => (await dc.Datapath(4)).Kind == DatapathKind.Vf, "vm4 (weight 80) gets it next");
        Assert.Equal(DatapathKind.Synthetic, (await dc.Datapath(2)).Kind);

        await dc.Stop(4);
        await Eventually(async () => (await dc.Datapath(2)).Kind == DatapathKind.Vf, "vm2 (weight 30) gets it last");
        await dc.Settled();
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task On_hyper_v_a_vnic_enabling_sriov_on_an_exhausted_pool_runs_synthetic_and_gets_the_next_freed_vf()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 2, weights: vm => vm == 1 ? 100 : 0);
        await dc.StartInOrder(1, 2);
        var refused = await dc.VmGrain(2).SetIovWeight("net0", 50, Context(NewOp("iov-on")));
        Assert.False(refused.Succeeded);
        Assert.Equal(SriovBlocker.VfPoolExhausted, refused.Reason);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.VfPoolExhausted), await dc.Datapath(2));

        await dc.Stop(1);
        await Eventually(async () => (await dc.Datapath(2)).Kind == DatapathKind.Vf, "vm2 gets the freed VF");
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task On_hyper_v_a_waiting_vnic_whose_iov_weight_goes_to_zero_stops_waiting_and_the_freed_vf_goes_to_the_next_waiter()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 3);
        await dc.StartInOrder(1, 2, 3); // vm2 then vm3 wait
        var off = await dc.VmGrain(2).SetIovWeight("net0", 0, Context(NewOp("iov-off")));
        Assert.True(off.Succeeded, off.Summary);
        Assert.Equal(Datapath.Synthetic(), await dc.Datapath(2));
        Assert.Equal([dc.Vnic(3)], (await dc.NicState(1)).Waiting.Select(w => w.Vnic));
        Assert.Equal(VmOperationKind.None, (await dc.VmState(2)).Vnics.Single().PendingStep);

        await dc.Stop(1);
        await Eventually(async () => (await dc.Datapath(3)).Kind == DatapathKind.Vf, "vm3 gets the VF");
        Assert.DoesNotContain((await EventLog.Stream(fx.Store, dc.Pf(1).Value)).Data<NicEvent.VfAllocated>(), a => a.Vnic == dc.Vnic(2));
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task On_hyper_v_a_waiting_vnic_whose_iov_weight_changes_is_served_by_its_new_weight_and_its_step_closes()
    {
        // vm2 (80) and vm3 (50) wait for vm1's VF; then vm2 lowers its weight to 10
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 3, weights: vm => vm switch { 1 => 100, 2 => 80, _ => 50 });
        await dc.StartInOrder(1, 2, 3);
        var lowered = await dc.VmGrain(2).SetIovWeight("net0", 10, Context(NewOp("iov")));
        Assert.False(lowered.Succeeded); // still no VF free: it keeps waiting
        Assert.Equal(Datapath.Synthetic(SriovBlocker.VfPoolExhausted), await dc.Datapath(2));
        Assert.Equal(VmOperationKind.None, (await dc.VmState(2)).Vnics.Single().PendingStep);
        Assert.Equal(10, (await dc.NicState(1)).Waiting.Single(w => w.Vnic == dc.Vnic(2)).Weight);

        await dc.Stop(1);
        await Eventually(async () => (await dc.Datapath(3)).Kind == DatapathKind.Vf, "vm3 (50) is served before vm2 (now 10)");
        Assert.Equal(DatapathKind.Synthetic, (await dc.Datapath(2)).Kind);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task On_vsphere_a_vm_finding_no_free_vf_fails_to_power_on_keeping_no_vf_no_interrupt_vectors_and_no_placement()
    {
        var dc = await Build(fx.Grains, Platform.VSphere, vfs: 1, vms: 2);
        await dc.StartInOrder(1);
        var op = NewOp("start");
        var outcome = await dc.Start(2, op);
        Assert.False(outcome.Succeeded);
        Assert.Equal(SriovBlocker.VfPoolExhausted, outcome.Reason);
        Assert.Contains("power-on failed", outcome.Summary);

        var vm = await dc.VmState(2);
        Assert.Equal(VmStatus.Off, vm.Status);
        Assert.Equal(Datapath.Off, vm.Vnics.Single().Datapath);
        var host = await dc.HostState(1);
        Assert.DoesNotContain(host.Vms, p => p.Vm == dc.Vm(2));
        Assert.Equal(3, host.InterruptVectorsUsed); // vm1's Intel VF only
        Assert.Equal(dc.Vnic(1), Assert.Single((await dc.NicState(1)).Holders).Holder);
        Assert.Empty((await dc.NicState(1)).Waiting);

        // the vectors were reserved and then given back by the same operation
        var log = await EventLog.OfOperation(fx.Store, op);
        Assert.Single(log.Data<Twin.Events.Hosts.HostEvent.InterruptVectorsReserved>());
        Assert.Single(log.Data<Twin.Events.Hosts.HostEvent.InterruptVectorsReleased>());
        Assert.Empty(log.Data<NicEvent.VfAllocated>());
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task On_vsphere_a_power_on_beyond_the_interrupt_vector_budget_fails_before_any_vf_is_taken()
    {
        var dc = await Build(fx.Grains, Platform.VSphere, vfs: 8, vms: 3, vectorBudget: 7);
        await dc.StartInOrder(1, 2); // 3 + 3 < 7
        var third = await dc.Start(3);
        Assert.False(third.Succeeded);
        Assert.Equal(SriovBlocker.OutOfInterruptVectors, third.Reason);
        Assert.Equal(2, (await dc.NicState(1)).Allocated);
        Assert.Equal(6, (await dc.HostState(1)).InterruptVectorsUsed);
        Assert.DoesNotContain(await EventLog.Stream(fx.Store, dc.Pf(1).Value), e => e.Data is NicEvent.VfAllocationRejected);
    }

    [Fact]
    public async Task On_kvm_hot_plugging_a_vf_into_a_running_vm_with_none_free_fails_and_keeps_nothing()
    {
        var dc = await Build(fx.Grains, Platform.Kvm, vfs: 1, vms: 2, weights: vm => vm == 1 ? 100 : 0);
        await dc.StartInOrder(1, 2);
        var plug = await dc.VmGrain(2).SetIovWeight("net0", 100, Context(NewOp("hotplug")));
        Assert.False(plug.Succeeded);
        Assert.Equal(SriovBlocker.VfPoolExhausted, plug.Reason);
        Assert.Equal(DatapathKind.Synthetic, (await dc.Datapath(2)).Kind);
        var nic = await dc.NicState(1);
        Assert.Equal(dc.Vnic(1), Assert.Single(nic.Holders).Holder);
        Assert.Empty(nic.Waiting); // KVM does not queue
    }

    // ---------------- migration ----------------

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.Kvm)]
    public async Task A_migration_claims_a_vf_on_the_destination_first_switches_over_and_frees_the_source_vf_after(Platform platform)
    {
        var dc = await Build(fx.Grains, platform, vfs: 2, vms: 1, hosts: 2);
        await dc.StartInOrder(1);
        var op = NewOp("migrate");
        var outcome = await dc.Migrate(1, toHost: 2, op);
        Assert.True(outcome.Succeeded, outcome.Summary);

        var log = await EventLog.OfOperation(fx.Store, op);
        long SequenceOf(Func<object, bool> what) => log.First(e => what(e.Data)).Sequence;
        var claimed = SequenceOf(e => e is NicEvent.VfAllocated a && a.Nic == dc.Pf(2));
        var synthetic = SequenceOf(e => e is VmEvent.VnicDatapathChanged { To.Reason: SriovBlocker.MigrationInProgress });
        var switchedOver = SequenceOf(e => e is VmEvent.VmMigrated);
        var freed = SequenceOf(e => e is NicEvent.VfReleased r && r.Nic == dc.Pf(1));
        Assert.True(claimed < synthetic && synthetic < switchedOver && switchedOver < freed,
            $"claim {claimed}, synthetic {synthetic}, switch-over {switchedOver}, source freed {freed}");

        var vm = await dc.VmState(1);
        Assert.Equal(dc.Host(2), vm.Host);
        Assert.Equal(Datapath.OnVf(dc.Pf(2), 0, new OperationId(op)), vm.Vnics.Single().Datapath);
        Assert.Empty(vm.SourceVfs);
        Assert.Equal(VmOperationKind.None, vm.PendingKind);
        Assert.DoesNotContain((await dc.HostState(1)).Vms, p => p.Vm == dc.Vm(1));
        Assert.Contains((await dc.HostState(2)).Vms, p => p.Vm == dc.Vm(1));
        Assert.Equal((0, 1), ((await dc.NicState(1)).Allocated, (await dc.NicState(2)).Allocated));
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task On_hyper_v_a_migrating_vm_runs_synthetic_during_the_move_while_its_source_vf_and_destination_claim_are_both_held()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 1, hosts: 2);
        await dc.StartInOrder(1);
        var op = NewOp("migrate");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = TwinCluster.Faults.Block(MigrationSaga.CopyStep, new OperationId(op), reached);
        var migration = dc.Migrate(1, toHost: 2, op);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        // the VM grain is busy with the copy: read what it recorded so far from its read model
        var during = await EventLog.ReadModel<VmSnapshot>(fx.Store, dc.Vm(1).Value);
        Assert.Equal(VmStatus.Migrating, during!.Status);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.MigrationInProgress), during.Vnics.Single().Datapath);
        Assert.Equal(DatapathKind.Vf, during.Vnics.Single().DestinationClaim?.Kind);
        Assert.Equal(dc.Vnic(1), Assert.Single((await dc.NicState(1)).Holders).Holder);
        var claim = Assert.Single((await dc.NicState(2)).Holders);
        Assert.Equal((dc.Vnic(1), new OperationId(op)), (claim.Holder!.Value, claim.Claim));

        gate.SetResult();
        TwinCluster.Faults.Clear(new OperationId(op));
        Assert.True((await migration).Succeeded);
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(1)).Kind);
        Assert.Equal((0, 1), ((await dc.NicState(1)).Allocated, (await dc.NicState(2)).Allocated));
    }

    [Fact]
    public async Task On_hyper_v_a_vm_moving_to_a_host_without_a_free_vf_runs_synthetic_there_and_its_source_vf_goes_to_a_local_waiter()
    {
        // vm1 and vm3 on h1 (vm3 waits), vm2 on h2 holds h2's only VF
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 3, hosts: 2, spread: true);
        await dc.StartInOrder(1, 2, 3);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.VfPoolExhausted), await dc.Datapath(3));

        var outcome = await dc.Migrate(1, toHost: 2);
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(dc.Host(2), (await dc.VmState(1)).Host);
        Assert.Equal(DatapathKind.Synthetic, (await dc.Datapath(1)).Kind);
        await Eventually(async () => (await dc.Datapath(3)).Kind == DatapathKind.Vf, "vm3 gets the VF vm1 left on h1");

        // vm1 waits on h2 now: when vm2 stops it gets h2's VF
        await dc.Stop(2);
        await Eventually(async () => (await dc.Datapath(1)).Kind == DatapathKind.Vf, "vm1 gets h2's VF");
        Assert.Equal(dc.Pf(2), (await dc.Datapath(1)).Nic);
        await dc.Settled();
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task A_migrated_vm_is_connected_to_the_destination_switch_and_a_later_start_takes_its_vf_from_the_destination_pf()
    {
        var dc = await Build(fx.Grains, Platform.Kvm, vfs: 2, vms: 1, hosts: 2);
        await dc.StartInOrder(1);
        Assert.True((await dc.Migrate(1, toHost: 2)).Succeeded);
        Assert.DoesNotContain(dc.Vnic(1), (await dc.SwitchGrain(1).GetSnapshot())!.Ports);
        Assert.Contains(dc.Vnic(1), (await dc.SwitchGrain(2).GetSnapshot())!.Ports);

        await dc.Stop(1);
        var restarted = await dc.Start(1);
        Assert.True(restarted.Succeeded, restarted.Summary);
        var vm = await dc.VmState(1);
        Assert.Equal(dc.Host(2), vm.Host);
        Assert.Equal(dc.Pf(2), vm.Vnics.Single().Datapath.Nic); // a VF of the host it runs on
        Assert.Equal((0, 1), ((await dc.NicState(1)).Allocated, (await dc.NicState(2)).Allocated));
        Assert.DoesNotContain(dc.Vnic(1), (await dc.SwitchGrain(1).GetSnapshot())!.Ports);

        // and it can move on again, claiming on its next destination
        Assert.True((await dc.Migrate(1, toHost: 1)).Succeeded);
        Assert.Equal(dc.Pf(1), (await dc.Datapath(1)).Nic);
        Assert.Equal((1, 0), ((await dc.NicState(1)).Allocated, (await dc.NicState(2)).Allocated));
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task On_hyper_v_a_vm_waiting_for_a_vf_stops_waiting_on_the_source_pf_when_it_migrates_away()
    {
        // vm1 holds h1's only VF, vm2 waits for it; h2's VF is free
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 2, hosts: 2);
        await dc.StartInOrder(1, 2);
        var op = NewOp("migrate");
        Assert.True((await dc.Migrate(2, toHost: 2, op)).Succeeded);
        Assert.Equal(dc.Pf(2), (await dc.Datapath(2)).Nic);
        Assert.Empty((await dc.NicState(1)).Waiting);

        // h1's VF, freed later, is never handed to the VM that left
        await dc.Stop(1);
        await dc.Settled();
        var h1 = await EventLog.Stream(fx.Store, dc.Pf(1).Value);
        Assert.DoesNotContain(h1.Data<NicEvent.VfAllocated>(), a => a.Vnic == dc.Vnic(2));
        Assert.Equal(0, (await dc.NicState(1)).Allocated);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task Vsphere_refuses_to_vmotion_an_sriov_vm_up_front_and_nothing_is_claimed_or_moved()
    {
        var dc = await Build(fx.Grains, Platform.VSphere, vfs: 2, vms: 1, hosts: 2);
        await dc.StartInOrder(1);
        var before = await dc.Datapath(1);
        var op = NewOp("vmotion");
        var outcome = await dc.Migrate(1, toHost: 2, op);
        Assert.False(outcome.Succeeded);
        Assert.Contains("vMotion", outcome.Summary);

        var vm = await dc.VmState(1);
        Assert.Equal((VmStatus.Running, dc.Host(1), before), (vm.Status, vm.Host, vm.Vnics.Single().Datapath));
        var log = await EventLog.OfOperation(fx.Store, op);
        Assert.IsType<VmEvent.VmMigrationRejected>(Assert.Single(log).Data);
        Assert.Equal(0, (await dc.NicState(2)).Allocated);
        Assert.Empty((await dc.HostState(2)).Vms);
    }

    // ---------------- PF and switch changes: every holder gets its events in the same operation ----------------

    [Fact]
    public async Task On_hyper_v_changing_the_vf_count_revokes_every_vf_and_hands_the_new_ones_out_each_vm_learning_it_in_the_same_operation()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 3, vms: 4);
        await dc.StartInOrder(1, 2, 3, 4); // vm4 waits
        var op = NewOp("numvfs");
        var result = await PfSagas.Configure(dc.Port(op), new NicCommand.SetVfCount(dc.Pf(1), 2, new OperationId(op), T0));
        Assert.Equal(3, result.Events.OfType<NicEvent.VfRevoked>().Count());
        Assert.Equal(2, result.Events.OfType<NicEvent.VfAllocated>().Count());
        Assert.Equal(2, result.Snapshot.Configured);

        await dc.Settled();
        var onVf = new List<int>();
        foreach (var vm in dc.AllVms)
            if ((await dc.Datapath(vm)).Kind == DatapathKind.Vf) onVf.Add(vm);
        Assert.Equal(2, onVf.Count);

        // every VM that lost or got a VF recorded it under the change's operation
        var log = await EventLog.OfOperation(fx.Store, op);
        foreach (var vm in new[] { 1, 2, 3 }.Concat(onVf).Distinct())
            Assert.Contains(log, e => e.Data is VmEvent.VnicDatapathChanged d && d.Vm == dc.Vm(vm));
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task On_vsphere_a_vf_count_change_waits_for_the_host_reboot_which_stops_the_vms_first()
    {
        var dc = await Build(fx.Grains, Platform.VSphere, vfs: 2, vms: 2);
        await dc.StartInOrder(1, 2);
        var op = NewOp("numvfs");
        var pending = await PfSagas.Configure(dc.Port(op), new NicCommand.SetVfCount(dc.Pf(1), 4, new OperationId(op), T0));
        Assert.IsType<NicEvent.VfConfigurationPending>(Assert.Single(pending.Events));
        Assert.Equal((2, 4, 2), (pending.Snapshot.Configured, pending.Snapshot.PendingVfs, pending.Snapshot.Allocated));
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(1)).Kind);

        var reboot = NewOp("reboot");
        var outcome = await PfSagas.RebootHost(dc.Port(reboot), dc.Host(1), [dc.Vm(1), dc.Vm(2)], [dc.Pf(1)]);
        Assert.True(outcome.Succeeded, outcome.Summary);
        var nic = await dc.NicState(1);
        Assert.Equal((4, (int?)null, 0), (nic.Configured, nic.PendingVfs, nic.Allocated));
        Assert.Equal(VmStatus.Off, (await dc.VmState(1)).Status);
        Assert.Equal(0, (await dc.HostState(1)).InterruptVectorsUsed);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task Recreating_a_hyper_v_switch_with_iov_disconnects_every_vnic_and_gives_each_a_vf_in_the_same_operation()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 4, vms: 2, switchIov: false);
        await dc.StartInOrder(1, 2);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.SwitchIovDisabled), await dc.Datapath(1));

        var op = NewOp("recreate");
        var outcome = await PfSagas.RecreateSwitch(dc.Port(op), dc.Ext(1), iov: true);
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(1)).Kind);
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(2)).Kind);

        var log = await EventLog.OfOperation(fx.Store, op);
        var recreated = Assert.Single(log.Data<SwitchEvent.SwitchRecreated>());
        Assert.Equal([dc.Vnic(1), dc.Vnic(2)], recreated.Disconnected.OrderBy(v => v.Vm.Value));
        foreach (var vm in new[] { 1, 2 })
        {
            var changes = log.Data<VmEvent.VnicDatapathChanged>().Where(d => d.Vm == dc.Vm(vm)).Select(d => d.To.Kind).ToList();
            Assert.Equal([DatapathKind.Disconnected, DatapathKind.Vf], changes);
        }
        Assert.Equal(2, log.Data<NicEvent.VfAllocated>().Count());
        Assert.Equal(2, (await fx.Grains.GetGrain<Contracts.ISwitchGrain>(dc.Ext(1).Value).GetSnapshot())!.Ports.Count);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task Recreating_a_switch_without_iov_takes_every_holders_vf_back_and_reconnects_it_synthetic_in_the_same_operation()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 2);
        await dc.StartInOrder(1, 2); // vm1 holds, vm2 waits
        var op = NewOp("recreate");
        var outcome = await PfSagas.RecreateSwitch(dc.Port(op), dc.Ext(1), iov: false);
        Assert.True(outcome.Succeeded, outcome.Summary);
        await dc.Settled();
        Assert.Equal(Datapath.Synthetic(SriovBlocker.SwitchIovDisabled), await dc.Datapath(1));
        Assert.Equal(Datapath.Synthetic(SriovBlocker.SwitchIovDisabled), await dc.Datapath(2));
        var nic = await dc.NicState(1);
        Assert.Equal(0, nic.Allocated);
        Assert.Empty(nic.Waiting);
        var log = await EventLog.OfOperation(fx.Store, op);
        Assert.Contains(log.Data<NicEvent.VfReleased>(), r => r.Vnic == dc.Vnic(1));
        Assert.Contains(log.Data<VmEvent.VnicDatapathChanged>(), d => d.Vm == dc.Vm(1) && d.To.Kind == DatapathKind.Disconnected);
        Assert.Contains(log.Data<VmEvent.VnicDatapathChanged>(), d => d.Vm == dc.Vm(2) && d.To.Kind == DatapathKind.Disconnected);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }
}
