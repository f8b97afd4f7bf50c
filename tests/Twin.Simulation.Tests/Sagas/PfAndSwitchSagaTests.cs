using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using static Twin.Simulation.Tests.Sagas.Datacenters;

namespace Twin.Simulation.Tests.Sagas;

public sealed class PfAndSwitchSagaTests
{
    [Fact]
    public void Disabling_sriov_on_a_hyper_v_pf_moves_every_holder_to_synthetic_in_one_operation()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 2, vms: 3));
        for (var vm = 1; vm <= 3; vm++) twin.Start(vm);
        var op = NextOp("disable");
        twin.Run(op, T0, p => PfSagas.Configure(p, new NicCommand.DisableSriov(Pf(1), op, T0)));
        Assert.All(new[] { 1, 2, 3 }, vm => Assert.Equal(DatapathKind.Synthetic, twin.Datapath(vm).Kind));
        Assert.Equal(Datapath.Synthetic(SriovBlocker.SriovDisabledByOperator), twin.Datapath(1));
        Assert.Equal(0, twin.Nic(Pf(1))!.Allocated);
        Assert.Equal(2, twin.Log.Count(e => e.Operation == op && e.Event is NicEvent.VfRevoked));
        twin.AssertConsistent();
    }

    [Fact]
    public void Changing_the_vf_count_on_hyper_v_revokes_every_vf_and_regives_what_the_new_count_allows()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 3, vms: 3));
        for (var vm = 1; vm <= 3; vm++) twin.Start(vm);
        var op = NextOp("count");
        twin.Run(op, T0, p => PfSagas.Configure(p, new NicCommand.SetVfCount(Pf(1), 2, op, T0)));
        Assert.Equal(2, Enumerable.Range(1, 3).Count(vm => twin.Datapath(vm).Kind == DatapathKind.Vf));
        Assert.Equal(3, twin.Log.Count(e => e.Operation == op && e.Event is NicEvent.VfRevoked));
        twin.AssertConsistent();
    }

    [Fact]
    public void On_kvm_a_count_change_with_holders_is_refused_and_nothing_moves()
    {
        var twin = Seed(Build(Platform.Kvm, vfs: 4, vms: 1));
        twin.Start(1);
        var op = NextOp("count");
        var result = twin.Run(op, T0, p => PfSagas.Configure(p, new NicCommand.SetVfCount(Pf(1), 8, op, T0)));
        Assert.Equal(NicChangeRefusal.MustPassThroughZero, Assert.IsType<NicEvent.VfConfigurationRejected>(Assert.Single(result.Events)).Reason);
        Assert.Equal(DatapathKind.Vf, twin.Datapath(1).Kind);
    }

    [Fact]
    public void Recreating_a_hyper_v_switch_with_iov_disconnects_its_vnics_and_gives_them_vfs()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 4, vms: 2, switchIov: false));
        twin.Start(1);
        twin.Start(2);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.SwitchIovDisabled), twin.Datapath(1));
        var refusal = twin.Execute(new SwitchCommand.SetSwitchIov(Ext(1), true, NextOp("iov"), T0), NextOp("iov"));
        var rejected = Assert.IsType<SwitchEvent.SwitchIovChangeRejected>(Assert.Single(refusal.Events));
        Assert.Equal(2, rejected.WouldDisconnect.Count);
        var op = NextOp("recreate");
        var outcome = twin.Run(op, T0, p => PfSagas.RecreateSwitch(p, Ext(1), iov: true));
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(DatapathKind.Vf, twin.Datapath(1).Kind);
        Assert.Equal(DatapathKind.Vf, twin.Datapath(2).Kind);
        Assert.Equal(2, twin.Log.Count(e => e.Operation == op && e.Event is VmEvent.VnicDatapathChanged { To.Kind: DatapathKind.Disconnected }));
        twin.AssertConsistent();
    }

    [Fact]
    public void Reconciliation_frees_an_orphan_exactly_once_and_leaves_legitimate_holders_alone()
    {
        var twin = Seed(Build(Platform.Kvm, vfs: 4, vms: 2));
        twin.Start(1);
        // an orphan: a VF held for vm-02, which is off (e.g. its start crashed and nobody resumed it)
        var crashed = new OperationId("crashed-start");
        twin.Execute(new NicCommand.AllocateVfs(Pf(1), [new VfRequest(new VnicRef(Vm(2), "net0"))], crashed, T0), crashed);
        var findings = twin.Run(NextOp("reconcile"), T0, p => Reconciliation.Run(p, [Pf(1)]));
        var orphan = Assert.Single(findings);
        Assert.True(orphan.Freed);
        Assert.Equal(Vm(2), orphan.Vnic.Vm);
        Assert.Equal(1, twin.Nic(Pf(1))!.Allocated);
        Assert.Empty(twin.Run(NextOp("reconcile"), T0, p => Reconciliation.Run(p, [Pf(1)])));
        twin.AssertConsistent();
    }

    [Fact]
    public async Task Reconciliation_records_a_vf_a_running_vm_holds_but_never_heard_of()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 1, vms: 2));
        twin.Start(1);
        twin.Start(2);
        // vm-01 stops; the hand-over notice to vm-02 is lost (a crash between the steps)
        var op = NextOp("stop");
        var port = twin.Port(op, T0);
        await VmSagas.Stop(port, Vm(1)); // its notices are queued and never delivered
        Assert.Equal(DatapathKind.Synthetic, twin.Datapath(2).Kind);
        var findings = twin.Run(NextOp("reconcile"), T0, p => Reconciliation.Run(p, [Pf(1)]));
        Assert.False(Assert.Single(findings).Freed);
        Assert.Equal(DatapathKind.Vf, twin.Datapath(2).Kind);
        twin.AssertConsistent();
    }
}
