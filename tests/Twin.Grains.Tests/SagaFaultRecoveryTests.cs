using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using static Twin.Grains.Tests.LiveDatacenter;

namespace Twin.Grains.Tests;

/// <summary>A saga whose step throws stays open in its VM's stream; recovering it — the VM grain resuming it (what
/// activation and the reminder do) or the caller retrying with the same operation id — ends with no leaked and no
/// double-held VF, whatever step failed.</summary>
[Collection(TwinClusterCollection.Name)]
public sealed class SagaFaultRecoveryTests(TwinCluster fx)
{
    public enum Recovery
    {
        GrainResumes,
        CallerRetriesSameOperation,
    }

    private static readonly string[] StartSteps = ["Host.PlaceVm", "Switch.ConnectPort", "Nic.AllocateVfs", "Vm.RecordDatapath", "Vm.CompleteStart"];

    public static TheoryData<Platform, string, Recovery> StartFaults()
    {
        var data = new TheoryData<Platform, string, Recovery>();
        foreach (var platform in new[] { Platform.HyperV, Platform.VSphere, Platform.Kvm })
            foreach (var step in platform == Platform.VSphere ? [.. StartSteps, "Host.ReserveInterruptVectors"] : StartSteps)
                foreach (var recovery in Enum.GetValues<Recovery>())
                    data.Add(platform, step, recovery);
        return data;
    }

    private static async Task<SagaOutcome> Recover(LiveDatacenter dc, int vm, string op, Recovery recovery, Func<Task<SagaOutcome>> retry)
    {
        TwinCluster.Faults.Clear(new OperationId(op));
        if (recovery == Recovery.CallerRetriesSameOperation) return await retry();
        var resumed = await dc.VmGrain(vm).Resume();
        Assert.NotNull(resumed);
        Assert.Equal(new OperationId(op), resumed.Operation);
        return resumed;
    }

    private async Task<long> ResumeReminders(string vm)
    {
        await using var connection = new Npgsql.NpgsqlConnection(fx.Postgres.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new Npgsql.NpgsqlCommand("select count(*) from twin.orleansreminderstable where grainid like '%' || $1", connection);
        count.Parameters.Add(new Npgsql.NpgsqlParameter { Value = vm });
        return (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private static async Task ThrowsInjected(Func<Task> saga)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(saga);
        Assert.Contains("injected failure", ex.Message);
    }

    [Theory]
    [MemberData(nameof(StartFaults))]
    public async Task A_start_whose_step_fails_ends_after_recovery_with_one_holder_for_the_only_vf_and_nothing_leaked(Platform platform, string step, Recovery recovery)
    {
        var dc = await Build(fx.Grains, platform, vfs: 1, vms: 2);
        var op = NewOp("start");
        TwinCluster.Faults.Throw(step, new OperationId(op));
        await ThrowsInjected(() => dc.Start(1, op));
        var open = await dc.VmState(1);
        Assert.Equal((VmStatus.Starting, VmOperationKind.Start, new OperationId(op)), (open.Status, open.PendingKind, open.PendingOp));
        // the open saga's reminder is a row of Orleans' ADO.NET reminder table in Twin's PostgreSQL
        Assert.Equal(1, await ResumeReminders(dc.Vm(1).Value));

        // meanwhile vm2 asks for the only VF
        var competitor = await dc.Start(2);

        var outcome = await Recover(dc, 1, op, recovery, () => dc.Start(1, op));
        await dc.Settled();

        var ledger = await VfLedger.Read(fx.Store, dc.AllPfs);
        await ledger.AssertAgreesWith(dc);
        Assert.Equal(0, await ResumeReminders(dc.Vm(1).Value)); // closed saga, reminder gone
        var vm1 = await dc.VmState(1);
        Assert.Equal(VmOperationKind.None, vm1.PendingKind);
        Assert.Equal(outcome.Succeeded, vm1.Status == VmStatus.Running);
        Assert.Equal(competitor.Succeeded, (await dc.VmState(2)).Status == VmStatus.Running);
        Assert.Single(ledger.Holders); // one VF, one holder: the one that claimed it first
        if (platform != Platform.HyperV)
            Assert.NotEqual(outcome.Succeeded, competitor.Succeeded); // exactly one of them powered on
        Assert.True((await EventLog.Stream(fx.Store, dc.Pf(1).Value)).Data<NicEvent.VfAllocated>().Count(a => a.Vnic.Vm == dc.Vm(1)) <= 1,
            "the resumed start claimed a second time");
        var host = await dc.HostState(1);
        Assert.Equal(new[] { vm1, await dc.VmState(2) }.Count(v => v.Status == VmStatus.Running), host.Vms.Count(p => p.Placed));
        Assert.Equal(platform == Platform.VSphere ? 3 : 0, host.InterruptVectorsUsed);
    }

    public static TheoryData<Platform, string, Recovery> StopFaults()
    {
        var data = new TheoryData<Platform, string, Recovery>();
        foreach (var platform in new[] { Platform.HyperV, Platform.VSphere, Platform.Kvm })
            foreach (var step in new[] { "Nic.ReleaseVf", "Host.ReleaseInterruptVectors", "Host.RemoveVm", "Vm.CompleteStop" })
                foreach (var recovery in Enum.GetValues<Recovery>())
                    data.Add(platform, step, recovery);
        return data;
    }

    [Theory]
    [MemberData(nameof(StopFaults))]
    public async Task A_stop_whose_step_fails_frees_its_vf_exactly_once_after_recovery(Platform platform, string step, Recovery recovery)
    {
        var dc = await Build(fx.Grains, platform, vfs: 1, vms: 2);
        await dc.StartInOrder(1);
        await dc.Start(2); // Hyper-V: waits; elsewhere: refused
        var op = NewOp("stop");
        TwinCluster.Faults.Throw(step, new OperationId(op));
        await ThrowsInjected(() => dc.Stop(1, op));
        Assert.Equal(VmOperationKind.Stop, (await dc.VmState(1)).PendingKind);

        var outcome = await Recover(dc, 1, op, recovery, () => dc.Stop(1, op));
        Assert.True(outcome.Succeeded, outcome.Summary);
        await dc.Settled();
        Assert.Equal((VmStatus.Off, VmOperationKind.None), ((await dc.VmState(1)).Status, (await dc.VmState(1)).PendingKind));
        var releases = (await EventLog.Stream(fx.Store, dc.Pf(1).Value)).Data<NicEvent.VfReleased>().Where(r => r.Vnic == dc.Vnic(1));
        Assert.Single(releases);
        if (platform == Platform.HyperV) Assert.Equal(DatapathKind.Vf, (await dc.Datapath(2)).Kind); // the waiter got it
        var host = await dc.HostState(1);
        Assert.DoesNotContain(host.Vms, p => p.Vm == dc.Vm(1));
        Assert.Equal(0, host.InterruptVectorsUsed);
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    public static TheoryData<Platform, string, Recovery> MigrationFaults()
    {
        var data = new TheoryData<Platform, string, Recovery>();
        foreach (var platform in new[] { Platform.HyperV, Platform.Kvm })
            foreach (var step in new[] { "Vm.CompleteMigration", "Switch.DisconnectPort", "Nic.ReleaseVf", "Vm.RecordSourceRelease", "Host.RemoveVm" })
                foreach (var recovery in Enum.GetValues<Recovery>())
                    data.Add(platform, step, recovery);
        return data;
    }

    [Theory]
    [MemberData(nameof(MigrationFaults))]
    public async Task A_migration_whose_step_fails_after_the_copy_is_finished_on_recovery_freeing_the_source_exactly_once(Platform platform, string step, Recovery recovery)
    {
        var dc = await Build(fx.Grains, platform, vfs: 1, vms: 1, hosts: 2);
        await dc.StartInOrder(1);
        var op = NewOp("migrate");
        TwinCluster.Faults.Throw(step, new OperationId(op));
        await ThrowsInjected(() => dc.Migrate(1, toHost: 2, op));

        var outcome = await Recover(dc, 1, op, recovery, () => dc.Migrate(1, toHost: 2, op));
        Assert.True(outcome.Succeeded, outcome.Summary);
        var vm = await dc.VmState(1);
        Assert.Equal((VmStatus.Running, dc.Host(2), VmOperationKind.None), (vm.Status, vm.Host, vm.PendingKind));
        Assert.Equal(Datapath.OnVf(dc.Pf(2), 0, new OperationId(op)), vm.Vnics.Single().Datapath);
        var source = await EventLog.Stream(fx.Store, dc.Pf(1).Value);
        Assert.Single(source.Data<NicEvent.VfReleased>());
        Assert.Single((await EventLog.Stream(fx.Store, dc.Pf(2).Value)).Data<NicEvent.VfAllocated>());
        Assert.DoesNotContain((await dc.HostState(1)).Vms, p => p.Vm == dc.Vm(1));
        Assert.Contains((await dc.HostState(2)).Vms, p => p.Vm == dc.Vm(1));
        Assert.DoesNotContain(dc.Vnic(1), (await dc.SwitchGrain(1).GetSnapshot())!.Ports);
        Assert.Contains(dc.Vnic(1), (await dc.SwitchGrain(2).GetSnapshot())!.Ports);
        Assert.Empty(await Reconciliation.Run(dc.Port(NewOp("reconcile")), dc.AllPfs));
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Theory]
    [InlineData("Nic.AllocateVfs", Recovery.GrainResumes)]
    [InlineData("Nic.AllocateVfs", Recovery.CallerRetriesSameOperation)]
    [InlineData("Vm.RecordDatapath", Recovery.GrainResumes)]
    [InlineData("Vm.RecordDatapath", Recovery.CallerRetriesSameOperation)]
    public async Task Enabling_sriov_on_a_running_vnic_whose_step_fails_gets_exactly_one_vf_after_recovery(string step, Recovery recovery)
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 1, iovWeight: 0);
        await dc.StartInOrder(1);
        var op = NewOp("iov-on");
        TwinCluster.Faults.Throw(step, new OperationId(op));
        await ThrowsInjected(() => dc.VmGrain(1).SetIovWeight("net0", 60, Context(op)));
        Assert.Equal(VmOperationKind.AssignVf, (await dc.VmState(1)).Vnics.Single().PendingStep);

        var outcome = await Recover(dc, 1, op, recovery, () => dc.VmGrain(1).SetIovWeight("net0", 60, Context(op)));
        Assert.True(outcome.Succeeded, outcome.Summary);
        Assert.Equal(Datapath.OnVf(dc.Pf(1), 0, new OperationId(op)), await dc.Datapath(1));
        Assert.Equal(VmOperationKind.None, (await dc.VmState(1)).Vnics.Single().PendingStep);
        Assert.Single((await EventLog.Stream(fx.Store, dc.Pf(1).Value)).Data<NicEvent.VfAllocated>());
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }
}
