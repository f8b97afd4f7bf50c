using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using static Twin.Simulation.Tests.Sagas.Datacenters;

namespace Twin.Simulation.Tests.Sagas;

public sealed class StartStopSagaTests
{
    [Fact]
    public void On_hyper_v_vms_beyond_the_pool_start_synthetic_and_wait()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 3, vms: 5));
        for (var vm = 1; vm <= 5; vm++) Assert.True(twin.Start(vm).Succeeded);
        Assert.Equal(3, Enumerable.Range(1, 5).Count(vm => twin.Datapath(vm).Kind == DatapathKind.Vf));
        Assert.Equal(Datapath.Synthetic(SriovBlocker.VfPoolExhausted), twin.Datapath(5));
        Assert.Equal(2, twin.Nic(Pf(1))!.Waiting.Count);
        twin.AssertConsistent();
    }

    [Fact]
    public void On_hyper_v_a_stopped_vms_vf_goes_to_a_waiting_vm_which_records_it()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 1, vms: 2));
        twin.Start(1);
        twin.Start(2);
        Assert.Equal(DatapathKind.Synthetic, twin.Datapath(2).Kind);
        Assert.True(twin.Stop(1).Succeeded);
        Assert.Equal(DatapathKind.Vf, twin.Datapath(2).Kind);
        Assert.Empty(twin.Nic(Pf(1))!.Waiting);
        twin.AssertConsistent();
    }

    [Fact]
    public void On_vsphere_a_vm_that_finds_no_free_vf_fails_to_power_on_and_keeps_nothing()
    {
        var twin = Seed(Build(Platform.VSphere, vfs: 1, vms: 2));
        Assert.True(twin.Start(1).Succeeded);
        var outcome = twin.Start(2);
        Assert.False(outcome.Succeeded);
        Assert.Equal(SriovBlocker.VfPoolExhausted, outcome.Reason);
        Assert.Contains("power-on failed", outcome.Summary);
        Assert.Equal(VmStatus.Off, twin.Vm(Vm(2))!.Status);
        var host = twin.Host(Host(1))!;
        Assert.DoesNotContain(host.Vms, p => p.Vm == Vm(2));
        Assert.Equal(3, host.InterruptVectorsUsed); // only vm-01's Intel VF
        twin.AssertConsistent();
    }

    [Fact]
    public void On_vsphere_the_interrupt_vector_budget_fails_a_power_on_before_any_vf_is_taken()
    {
        var twin = Seed(Build(Platform.VSphere, vfs: 8, vms: 3, vectorBudget: 7));
        Assert.True(twin.Start(1).Succeeded);
        Assert.True(twin.Start(2).Succeeded); // 6 < 7
        var third = twin.Start(3);
        Assert.Equal(SriovBlocker.OutOfInterruptVectors, third.Reason);
        Assert.Equal(2, twin.Nic(Pf(1))!.Allocated);
    }

    [Fact]
    public void On_kvm_a_vm_needing_more_vfs_than_are_free_fails_atomically()
    {
        var twin = Seed(Build(Platform.Kvm, vfs: 4, vms: 2, vnicsPerVm: 3));
        Assert.True(twin.Start(1).Succeeded);
        Assert.Equal(3, twin.Nic(Pf(1))!.Allocated);
        var second = twin.Start(2);
        Assert.False(second.Succeeded);
        Assert.Equal(3, twin.Nic(Pf(1))!.Allocated);
        Assert.DoesNotContain(twin.Nic(Pf(1))!.Holders, h => h.Holder!.Value.Vm == Vm(2));
        twin.AssertConsistent();
    }

    [Fact]
    public void A_vm_whose_switch_has_no_iov_runs_synthetic_on_hyper_v_and_fails_on_kvm()
    {
        var hyperV = Seed(Build(Platform.HyperV, vfs: 4, vms: 1, switchIov: false));
        Assert.True(hyperV.Start(1).Succeeded);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.SwitchIovDisabled), hyperV.Datapath(1));
        var kvm = Seed(Build(Platform.Kvm, vfs: 4, vms: 1, switchIov: false));
        Assert.Equal(SriovBlocker.SwitchIovDisabled, kvm.Start(1).Reason);
    }

    [Fact]
    public void A_windows_7_guest_on_hyper_v_runs_synthetic_with_the_reason()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 4, vms: 1, guest: "Windows 7"));
        twin.Start(1);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.GuestOsUnsupported), twin.Datapath(1));
        Assert.Equal(0, twin.Nic(Pf(1))!.Allocated);
    }

    [Fact]
    public void Starting_again_with_the_same_operation_resumes_and_appends_nothing_more()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 2, vms: 1));
        var op = new OperationId("start-once");
        twin.Run(op, T0, p => VmSagas.Start(p, Vm(1)));
        var count = twin.Log.Count;
        twin.Run(op, T0, p => VmSagas.Start(p, Vm(1)));
        Assert.Equal(count, twin.Log.Count);
    }

    [Fact]
    public void A_start_interrupted_after_its_vf_was_allocated_is_resumed_to_completion_without_a_second_vf()
    {
        var twin = Seed(Build(Platform.Kvm, vfs: 2, vms: 1));
        var op = new OperationId("start-crash");
        // the steps the saga had done before the crash: opened, placed, allocated
        twin.Execute(new VmCommand.BeginStart(Vm(1), op, T0), op);
        twin.Execute(new NicCommand.AllocateVfs(Pf(1), [new VfRequest(new VnicRef(Vm(1), "net0"))], op, T0), op);
        var resumed = twin.Run(op, T0, p => VmSagas.ContinueStart(p, twin.Vm(Vm(1))!));
        Assert.True(resumed.Succeeded);
        Assert.Equal(1, twin.Nic(Pf(1))!.Allocated);
        Assert.Equal(DatapathKind.Vf, twin.Datapath(1).Kind);
        twin.AssertConsistent();
    }

    [Fact]
    public void Enabling_sriov_on_a_running_vnic_assigns_a_vf_and_disabling_frees_it()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 2, vms: 1, iovWeight: 0));
        twin.Start(1);
        Assert.Equal(Datapath.Synthetic(), twin.Datapath(1));
        Assert.True(twin.Run(NextOp("iov"), T0, p => VmSagas.SetIovWeight(p, Vm(1), "net0", 80)).Succeeded);
        Assert.Equal(DatapathKind.Vf, twin.Datapath(1).Kind);
        Assert.True(twin.Run(NextOp("iov"), T0, p => VmSagas.SetIovWeight(p, Vm(1), "net0", 0)).Succeeded);
        Assert.Equal(Datapath.Synthetic(), twin.Datapath(1));
        Assert.Equal(0, twin.Nic(Pf(1))!.Allocated);
        twin.AssertConsistent();
    }

    [Fact]
    public void On_hyper_v_a_waiting_vnic_set_to_iov_weight_zero_stops_waiting_and_the_next_waiter_gets_the_freed_vf()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 1, vms: 3));
        for (var vm = 1; vm <= 3; vm++) twin.Start(vm);
        Assert.True(twin.Run(NextOp("iov"), T0, p => VmSagas.SetIovWeight(p, Vm(2), "net0", 0)).Succeeded);
        Assert.Equal(Datapath.Synthetic(), twin.Datapath(2));
        Assert.Equal([new VnicRef(Vm(3), "net0")], twin.Nic(Pf(1))!.Waiting.Select(w => w.Vnic));
        Assert.Equal(VmOperationKind.None, twin.Vm(Vm(2))!.Vnics.Single().PendingStep);
        twin.Stop(1);
        Assert.Equal(DatapathKind.Vf, twin.Datapath(3).Kind);
        twin.AssertConsistent();
    }

    [Fact]
    public void On_hyper_v_a_waiting_vnic_that_changes_its_weight_waits_with_the_new_one_and_its_step_closes()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 1, vms: 3));
        for (var vm = 1; vm <= 3; vm++) twin.Start(vm);
        twin.Run(NextOp("iov"), T0, p => VmSagas.SetIovWeight(p, Vm(3), "net0", 50));
        Assert.False(twin.Run(NextOp("iov"), T0, p => VmSagas.SetIovWeight(p, Vm(2), "net0", 10)).Succeeded);
        Assert.Equal(VmOperationKind.None, twin.Vm(Vm(2))!.Vnics.Single().PendingStep);
        Assert.Equal([10, 50], twin.Nic(Pf(1))!.Waiting.Select(w => w.Weight));
        twin.Stop(1);
        Assert.Equal(DatapathKind.Vf, twin.Datapath(3).Kind); // 50 beats 10
        Assert.Equal(DatapathKind.Synthetic, twin.Datapath(2).Kind);
        twin.AssertConsistent();
    }
}
