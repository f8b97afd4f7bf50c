using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using static Twin.Simulation.Tests.Sagas.Datacenters;

namespace Twin.Simulation.Tests.Sagas;

public sealed class MigrationSagaTests
{
    /// <summary>Fails at one named checkpoint, as a crashed copy would.</summary>
    private sealed class FailingAt(ITwinPort inner, string step) : TwinPortDecorator(inner)
    {
        public override ValueTask Checkpoint(string s) => s == step ? throw new IOException($"injected failure at {s}") : Inner.Checkpoint(s);
    }

    private static SagaOutcome Migrate(Twin.Simulation.InMemory.InMemoryTwin twin, int vm, int toHost, string? failAt = null) =>
        twin.Run(NextOp("migrate"), T0, p => MigrationSaga.Migrate(failAt is null ? p : new FailingAt(p, failAt), Vm(vm), Host(toHost)));

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.Kvm)]
    public void A_migration_claims_a_vf_on_the_destination_then_frees_the_source_vf(Platform platform)
    {
        var twin = Seed(Build(platform, vfs: 2, vms: 1, hosts: 2));
        twin.Start(1);
        var outcome = Migrate(twin, 1, toHost: 2);
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(Host(2), twin.Vm(Vm(1))!.Host);
        Assert.Equal(Pf(2), twin.Datapath(1).Nic);
        Assert.Equal(0, twin.Nic(Pf(1))!.Allocated);
        Assert.Equal(1, twin.Nic(Pf(2))!.Allocated);
        Assert.Equal(VmOperationKind.None, twin.Vm(Vm(1))!.PendingKind);
        twin.AssertConsistent();
    }

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.Kvm)]
    public void A_migrated_vm_restarted_on_its_new_host_takes_its_vf_from_that_hosts_pf(Platform platform)
    {
        var twin = Seed(Build(platform, vfs: 2, vms: 1, hosts: 2));
        twin.Start(1);
        Assert.True(Migrate(twin, 1, toHost: 2).Succeeded);
        Assert.Equal(Ext(2), twin.Vm(Vm(1))!.Vnics[0].Spec.Switch);
        twin.Stop(1);
        Assert.True(twin.Start(1).Succeeded);
        Assert.Equal(Pf(2), twin.Datapath(1).Nic);
        Assert.Equal(0, twin.Nic(Pf(1))!.Allocated);
        twin.AssertConsistent();
    }

    [Fact]
    public void A_retry_of_a_finished_move_is_done_but_a_new_move_to_the_host_the_vm_is_on_is_refused()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 2, vms: 1, hosts: 2));
        twin.Start(1);
        var op = NextOp("migrate");
        Assert.True(twin.Run(op, T0, p => MigrationSaga.Migrate(p, Vm(1), Host(2))).Succeeded);
        var events = twin.Log.Count;
        Assert.True(twin.Run(op, T0, p => MigrationSaga.Migrate(p, Vm(1), Host(2))).Succeeded);
        Assert.Equal(events, twin.Log.Count);
        var e = Assert.Throws<DomainRuleViolated>(() => Migrate(twin, 1, toHost: 2));
        Assert.Contains($"already on {Host(2)}", e.Message, StringComparison.Ordinal);
        twin.AssertConsistent();
    }

    [Fact]
    public void On_hyper_v_a_vm_moving_to_a_host_without_a_free_vf_runs_synthetic_there()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 1, vms: 1, hosts: 2) with { });
        twin.Start(1);
        twin.Execute(new NicCommand.SetVfCount(Pf(2), 0, NextOp("cfg"), T0), NextOp("cfg"));
        Assert.True(Migrate(twin, 1, toHost: 2).Succeeded);
        Assert.Equal(DatapathKind.Synthetic, twin.Datapath(1).Kind);
        Assert.Equal(0, twin.Nic(Pf(1))!.Allocated);
    }

    [Fact]
    public void A_migration_failing_before_the_copy_releases_the_destination_claim_exactly_once_and_the_source_keeps_its_vf()
    {
        // Nova bug 2166786
        var twin = Seed(Build(Platform.HyperV, vfs: 2, vms: 1, hosts: 2));
        twin.Start(1);
        var before = twin.Datapath(1);
        var outcome = Migrate(twin, 1, toHost: 2, failAt: MigrationSaga.CopyStep);
        Assert.False(outcome.Succeeded);
        Assert.Equal(before, twin.Datapath(1));
        Assert.Equal((1, 0), (twin.Nic(Pf(1))!.Allocated, twin.Nic(Pf(2))!.Allocated));
        Assert.Single(twin.Log, e => e.Event is NicEvent.VfReleased r && r.Nic == Pf(2));
        Assert.Equal(VmStatus.Running, twin.Vm(Vm(1))!.Status);
        twin.AssertConsistent();
    }

    [Fact]
    public void Vsphere_refuses_to_migrate_an_sriov_vm_up_front()
    {
        var twin = Seed(Build(Platform.VSphere, vfs: 2, vms: 1, hosts: 2));
        twin.Start(1);
        var outcome = Migrate(twin, 1, toHost: 2);
        Assert.False(outcome.Succeeded);
        Assert.Contains("vMotion", outcome.Summary);
        Assert.Equal(0, twin.Nic(Pf(2))!.Allocated);
    }

    [Fact]
    public void A_migration_interrupted_after_the_switch_over_is_resumed_and_frees_the_source_vf_once()
    {
        var twin = Seed(Build(Platform.Kvm, vfs: 2, vms: 1, hosts: 2));
        twin.Start(1);
        var op = new OperationId("migrate-crash");
        // run the saga up to the switch-over, then "crash": redo its first steps by hand
        twin.Execute(new VmCommand.BeginMigration(Vm(1), Host(2), op, T0), op);
        twin.Execute(new NicCommand.AllocateVfs(Pf(2), [new VfRequest(new VnicRef(Vm(1), "net0"))], op, T0), op);
        twin.Execute(new VmCommand.RecordDestinationClaim(Vm(1), "net0", Datapath.OnVf(Pf(2), 0, op), op, T0), op);
        twin.Execute(new VmCommand.CompleteMigration(Vm(1), op, T0), op);
        Assert.Equal(VmOperationKind.ReleaseSourceVfs, twin.Vm(Vm(1))!.PendingKind);
        var resumed = twin.Run(op, T0, p => MigrationSaga.Continue(p, twin.Vm(Vm(1))!));
        Assert.True(resumed.Succeeded, resumed.Summary);
        Assert.Equal((0, 1), (twin.Nic(Pf(1))!.Allocated, twin.Nic(Pf(2))!.Allocated));
        Assert.Single(twin.Log, e => e.Event is NicEvent.VfReleased r && r.Nic == Pf(1));
        twin.AssertConsistent();
    }

    [Fact]
    public void On_hyper_v_a_vm_waiting_for_a_vf_stops_waiting_on_the_source_pf_when_it_migrates()
    {
        var twin = Seed(Build(Platform.HyperV, vfs: 1, vms: 2, hosts: 2));
        twin.Start(1);
        twin.Start(2);
        Assert.Single(twin.Nic(Pf(1))!.Waiting);
        Assert.True(Migrate(twin, 2, toHost: 2).Succeeded);
        Assert.Empty(twin.Nic(Pf(1))!.Waiting);
        Assert.Equal(Pf(2), twin.Datapath(2).Nic);
        twin.Stop(1);
        Assert.DoesNotContain(twin.Log, e => e.Event is NicEvent.VfAllocated a && a.Nic == Pf(1) && a.Vnic.Vm == Vm(2));
        twin.AssertConsistent();
    }

    [Fact]
    public void A_migrated_vm_is_on_the_destination_switch_and_restarting_it_takes_a_vf_of_its_new_host()
    {
        var twin = Seed(Build(Platform.Kvm, vfs: 2, vms: 1, hosts: 2));
        twin.Start(1);
        Assert.True(Migrate(twin, 1, toHost: 2).Succeeded);
        Assert.Equal(Ext(2), twin.Vm(Vm(1))!.Vnics.Single().Spec.Switch);
        Assert.DoesNotContain(twin.Switch(Ext(1))!.Ports, p => p.Vm == Vm(1));
        Assert.DoesNotContain(twin.Host(Host(1))!.Vms, p => p.Vm == Vm(1));
        twin.Stop(1);
        Assert.True(twin.Start(1).Succeeded);
        Assert.Equal(Pf(2), twin.Datapath(1).Nic);
        Assert.Equal((0, 1), (twin.Nic(Pf(1))!.Allocated, twin.Nic(Pf(2))!.Allocated));
        twin.AssertConsistent();
    }

    [Fact]
    public void Migrating_again_with_the_same_operation_after_the_switch_over_finishes_the_move_and_after_it_is_a_no_op()
    {
        var twin = Seed(Build(Platform.Kvm, vfs: 2, vms: 1, hosts: 2));
        twin.Start(1);
        var op = new OperationId("migrate-retry");
        twin.Execute(new VmCommand.BeginMigration(Vm(1), Host(2), op, T0), op);
        twin.Execute(new NicCommand.AllocateVfs(Pf(2), [new VfRequest(new VnicRef(Vm(1), "net0"))], op, T0), op);
        twin.Execute(new VmCommand.RecordDestinationClaim(Vm(1), "net0", Datapath.OnVf(Pf(2), 0, op), op, T0), op);
        twin.Execute(new VmCommand.CompleteMigration(Vm(1), op, T0), op);
        Assert.True(twin.Run(op, T0, p => MigrationSaga.Migrate(p, Vm(1), Host(2))).Succeeded);
        Assert.Equal((0, 1), (twin.Nic(Pf(1))!.Allocated, twin.Nic(Pf(2))!.Allocated));
        var count = twin.Log.Count;
        Assert.True(twin.Run(op, T0, p => MigrationSaga.Migrate(p, Vm(1), Host(2))).Succeeded);
        Assert.Equal(count, twin.Log.Count);
        twin.AssertConsistent();
    }
}
