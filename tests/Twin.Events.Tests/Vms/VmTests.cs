using Twin.Events.Common;
using Twin.Events.Platforms;
using Twin.Events.Vms;
using static Twin.Events.Tests.Given;
using static Twin.Events.Vms.VmCommand;
using static Twin.Events.Vms.VmEvent;

namespace Twin.Events.Tests.Vms;

public sealed class VmTests
{
    private static readonly Spec<VmCommand, VmEvent, Vm> Spec = new(VmDecider.Decider);
    private static readonly VmId Vm1 = new("vm-1");
    private static readonly SwitchId Sw = new("host-07/external");
    private static readonly HostId Host8 = new("host-08");

    private static VmDefined Defined(Platform platform, int iovWeight = 100) =>
        new(Vm1, Host7, platform, GuestOs.Parse("Windows Server 2022"), 4, 8192, ValueList.Of(new VnicSpec("net0", Sw, iovWeight)), T0);

    private static VmEvent[] Running(Platform platform, int iovWeight = 100, bool onVf = true) =>
    [
        Defined(platform, iovWeight), new VmStartRequested(Vm1, Host7, Op1, T0),
        new VnicDatapathChanged(Vm1, "net0", Datapath.Off, onVf ? Datapath.OnVf(Pf, 3, Op1) : Datapath.Synthetic(), Op1, T0),
        new VmStarted(Vm1, Host7, Op1, T0),
    ];

    [Fact]
    public void Starting_opens_an_operation_that_a_retry_does_not_reopen()
    {
        Spec.Given(Defined(Platform.HyperV)).When(new BeginStart(Vm1, Op1, T1)).Then(new VmStartRequested(Vm1, Host7, Op1, T1));
        Spec.Given(Defined(Platform.HyperV), new VmStartRequested(Vm1, Host7, Op1, T1)).When(new BeginStart(Vm1, Op1, T1)).ThenNothing();
    }

    [Fact]
    public void A_second_operation_must_wait_for_the_open_one() =>
        Spec.Given(Defined(Platform.HyperV), new VmStartRequested(Vm1, Host7, Op1, T1)).When(new BeginStart(Vm1, Op2, T1)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void A_failed_start_leaves_the_vm_off_with_every_vnic_off()
    {
        var s = Spec.Given(Defined(Platform.VSphere), new VmStartRequested(Vm1, Host7, Op1, T1),
            new VmStartFailed(Vm1, SriovBlocker.VfPoolExhausted, "no free VF", Op1, T1)).State;
        Assert.Equal(VmStatus.Off, s.Status);
        Assert.All(s.Vnics, v => Assert.Equal(Datapath.Off, v.Datapath));
        Assert.True(s.PendingOp.IsNone);
    }

    [Fact]
    public void A_vnic_that_does_not_want_sriov_never_records_a_vf() =>
        Spec.Given(Defined(Platform.HyperV, iovWeight: 0), new VmStartRequested(Vm1, Host7, Op1, T1))
            .When(new RecordDatapath(Vm1, "net0", Datapath.OnVf(Pf, 0, Op1), Op1, T1)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void Recording_the_same_datapath_again_is_a_no_op() =>
        Spec.Given(Running(Platform.HyperV)).When(new RecordDatapath(Vm1, "net0", Datapath.OnVf(Pf, 3, Op1), Op1, T1)).ThenNothing();

    [Fact]
    public void On_hyper_v_a_later_vf_is_recorded_on_a_running_vm() =>
        Spec.Given(Running(Platform.HyperV, onVf: false)).When(new RecordDatapath(Vm1, "net0", Datapath.OnVf(Pf, 0, Op2), Op2, T1))
            .Then(new VnicDatapathChanged(Vm1, "net0", Datapath.Synthetic(), Datapath.OnVf(Pf, 0, Op2), Op2, T1));

    [Fact]
    public void Vsphere_refuses_to_live_migrate_a_vm_with_an_sriov_adapter()
    {
        var events = Spec.Given(Running(Platform.VSphere)).When(new BeginMigration(Vm1, Host8, Op2, T1)).ThenEvents();
        var rejected = Assert.IsType<VmMigrationRejected>(Assert.Single(events));
        Assert.Contains("vMotion", rejected.Reason);
    }

    [Fact]
    public void Vsphere_migrates_a_vm_without_sriov() =>
        Spec.Given(Running(Platform.VSphere, iovWeight: 0, onVf: false)).When(new BeginMigration(Vm1, Host8, Op2, T1))
            .Then(new VmMigrationStarted(Vm1, Host7, Host8, ValueList<VfHolding>.Empty, Op2, T1));

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.Kvm)]
    public void Hyper_v_and_kvm_migrate_an_sriov_vm_keeping_its_source_vf_until_the_move_ends(Platform platform) =>
        Spec.Given(Running(platform)).When(new BeginMigration(Vm1, Host8, Op2, T1))
            .Then(new VmMigrationStarted(Vm1, Host7, Host8, ValueList.Of(new VfHolding("net0", Pf, 3, Op1)), Op2, T1));

    [Fact]
    public void A_completed_migration_moves_the_vm_and_an_aborted_one_keeps_it()
    {
        var migrating = Running(Platform.HyperV).Concat([(VmEvent)new VmMigrationStarted(Vm1, Host7, Host8, ValueList.Of(new VfHolding("net0", Pf, 3, Op1)), Op2, T1)]).ToArray();
        Spec.Given(migrating).When(new CompleteMigration(Vm1, Op2, T2)).Then(new VmMigrated(Vm1, Host7, Host8, Op2, T2));
        var aborted = Spec.Given([.. migrating, new VmMigrationAborted(Vm1, "copy failed", Op2, T2)]).State;
        Assert.Equal((VmStatus.Running, Host7), (aborted.Status, aborted.Host));
        Assert.Equal(Datapath.OnVf(Pf, 3, Op1), aborted.Vnics[0].Datapath);
    }

    [Fact]
    public void Closing_a_migration_twice_is_a_no_op() =>
        Spec.Given([.. Running(Platform.HyperV), new VmMigrationStarted(Vm1, Host7, Host8, ValueList<VfHolding>.Empty, Op2, T1), new VmMigrated(Vm1, Host7, Host8, Op2, T2)])
            .When(new CompleteMigration(Vm1, Op2, T2)).ThenNothing();

    [Fact]
    public void Enabling_sriov_on_a_running_vnic_opens_a_vf_assignment_step()
    {
        var s = Spec.Given([.. Running(Platform.HyperV, iovWeight: 0, onVf: false), new IovWeightChanged(Vm1, "net0", 0, 50, Op2, T1)]).State;
        Assert.Equal((Op2, VmOperationKind.AssignVf), s.Vnics[0].PendingStep);
    }

    [Fact]
    public void An_iov_weight_outside_0_to_100_is_impossible() =>
        Spec.Given(Defined(Platform.HyperV)).When(new SetIovWeight(Vm1, "net0", 101, Op2, T1)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void A_running_vm_cannot_be_deleted() =>
        Spec.Given(Running(Platform.Kvm)).When(new DeleteVm(Vm1, Op2, T1)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void Stopping_turns_every_vnic_off()
    {
        var s = Spec.Given([.. Running(Platform.Kvm), new VmStopRequested(Vm1, Op2, T1), new VmStopped(Vm1, Op2, T1)]).State;
        Assert.Equal(VmStatus.Off, s.Status);
        Assert.Empty(s.HeldVfs());
    }

    [Fact]
    public void A_waiting_vnic_whose_iov_weight_goes_to_zero_opens_a_step_to_stop_waiting()
    {
        VmEvent[] waiting =
        [
            Defined(Platform.HyperV), new VmStartRequested(Vm1, Host7, Op1, T0),
            new VnicDatapathChanged(Vm1, "net0", Datapath.Off, Datapath.Synthetic(SriovBlocker.VfPoolExhausted), Op1, T0), new VmStarted(Vm1, Host7, Op1, T0),
        ];
        var s = Spec.Given([.. waiting, new IovWeightChanged(Vm1, "net0", 100, 0, Op2, T1)]).State;
        Assert.Equal((Op2, VmOperationKind.ReleaseVf), s.Vnics[0].PendingStep);
    }

    [Fact]
    public void Recording_an_unchanged_datapath_as_the_outcome_of_an_open_step_closes_the_step_and_keeps_its_since()
    {
        var history = Running(Platform.HyperV, iovWeight: 80, onVf: false).Append(new IovWeightChanged(Vm1, "net0", 80, 10, Op2, T1)).ToArray();
        var closing = Spec.Given(history).When(new RecordDatapath(Vm1, "net0", Datapath.Synthetic(), Op2, T2)).ThenEvents();
        Assert.Equal([new VnicDatapathChanged(Vm1, "net0", Datapath.Synthetic(), Datapath.Synthetic(), Op2, T2)], closing);
        var s = Spec.Given([.. history, .. closing]).State;
        Assert.Null(s.Vnics[0].PendingStep);
        Assert.Equal(T0, s.Vnics[0].Since);
        Spec.Given([.. history, .. closing]).When(new RecordDatapath(Vm1, "net0", Datapath.Synthetic(), Op2, T2)).ThenNothing();
    }

    [Fact]
    public void A_migrated_vm_moves_its_vnics_to_the_switch_of_the_same_name_on_the_destination()
    {
        var s = Spec.Given([.. Running(Platform.Kvm), new VmMigrationStarted(Vm1, Host7, Host8, ValueList<VfHolding>.Empty, Op2, T1), new VmMigrated(Vm1, Host7, Host8, Op2, T2)]).State;
        Assert.Equal(new SwitchId("host-08/external"), s.Vnics[0].Spec.Switch);
    }

    [Fact]
    public void Retrying_a_migration_after_its_switch_over_resumes_it_and_another_operation_waits()
    {
        var moved = Running(Platform.Kvm).Concat(new VmEvent[]
        {
            new VmMigrationStarted(Vm1, Host7, Host8, ValueList.Of(new VfHolding("net0", Pf, 3, Op1)), Op2, T1),
            new VmMigrated(Vm1, Host7, Host8, Op2, T2),
        }).ToArray();
        Spec.Given(moved).When(new BeginMigration(Vm1, Host8, Op2, T2)).ThenNothing();
        Spec.Given(moved).When(new BeginMigration(Vm1, Host7, Op3, T2)).ThenThrows<DomainRuleViolated>();
    }
}
