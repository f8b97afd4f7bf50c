using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using Twin.Grains.Contracts;
using static Twin.Grains.Tests.LiveDatacenter;

namespace Twin.Grains.Tests;

/// <summary>A silo dies while a VM grain on it is in the middle of a saga: the grain comes back on the survivor from
/// its stream, the open saga is resumed, and the VF accounting is exact — no leaked, no double-held VF.</summary>
[Collection(TwoSiloTwinClusterCollection.Name)]
public sealed class SiloCrashTests(TwoSiloTwinCluster fx)
{
    /// <summary>Runs <paramref name="saga"/> on a VM grain placed on the secondary silo, stops it at
    /// <paramref name="step"/> and kills that silo. The blocked activation dies with it (its gate is never opened).</summary>
    private async Task CutOff(IVmGrain vm, string step, string op, Func<Task> saga, Func<Task>? beforeKill = null)
    {
        var secondary = await fx.Secondary();
        await fx.PlaceOn(vm, secondary);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TwinCluster.Faults.Block(step, new OperationId(op), reached);
        var cutOff = saga();
        _ = cutOff.ContinueWith(t => t.Exception, TaskScheduler.Default); // its caller never hears back
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        if (beforeKill is not null) await beforeKill();
        await fx.Cluster.KillSiloAsync(secondary);
        TwinCluster.Faults.Clear(new OperationId(op)); // the survivor's resume runs the step for real
    }

    /// <summary>Calls the survivor until the grain answers (the dead silo's directory entries are being cleaned up).</summary>
    private static async Task<T> OnSurvivor<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception) when (attempt < 10)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task ResumedOnSurvivor(LiveDatacenter dc, int vm)
    {
        await OnSurvivor(() => dc.VmGrain(vm).Resume());
        await Eventually(async () => (await dc.VmState(vm)) is { PendingKind: VmOperationKind.None } s && s.Vnics.All(v => v.PendingStep == VmOperationKind.None),
            $"{dc.Vm(vm)} has no open saga");
    }

    [Theory]
    [InlineData(Platform.HyperV, MigrationSaga.CopyStep)]
    [InlineData(Platform.Kvm, MigrationSaga.CopyStep)]
    [InlineData(Platform.HyperV, "Nic.ReleaseVf")]
    [InlineData(Platform.Kvm, "Nic.ReleaseVf")]
    public async Task Killing_the_silo_mid_migration_leaves_no_orphan_once_the_vm_grain_resumes_on_the_survivor(Platform platform, string step)
    {
        var dc = await Build(fx.Grains, platform, vfs: 1, vms: 1, hosts: 2);
        await dc.StartInOrder(1);
        var op = NewOp("migrate");
        await CutOff(dc.VmGrain(1), step, op, () => dc.Migrate(1, toHost: 2, op));

        await ResumedOnSurvivor(dc, 1);
        var vm = await dc.VmState(1);
        Assert.Equal((VmStatus.Running, dc.Host(2)), (vm.Status, vm.Host));
        Assert.Equal(Datapath.OnVf(dc.Pf(2), 0, new OperationId(op)), vm.Vnics.Single().Datapath);
        Assert.Equal((0, 1), ((await dc.NicState(1)).Allocated, (await dc.NicState(2)).Allocated));
        Assert.Single((await EventLog.Stream(fx.Store, dc.Pf(1).Value)).Data<NicEvent.VfReleased>());
        Assert.Single((await EventLog.Stream(fx.Store, dc.Pf(2).Value)).Data<NicEvent.VfAllocated>());
        Assert.DoesNotContain((await dc.HostState(1)).Vms, p => p.Vm == dc.Vm(1));
        Assert.Empty(await Reconciliation.Run(dc.Port(NewOp("reconcile")), dc.AllPfs)); // no orphan to find
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.VSphere)]
    [InlineData(Platform.Kvm)]
    public async Task A_start_cut_off_by_a_silo_crash_after_claiming_its_vf_is_finished_by_the_reactivated_grain_alone(Platform platform)
    {
        var dc = await Build(fx.Grains, platform, vfs: 1, vms: 2);
        var op = NewOp("start");
        await CutOff(dc.VmGrain(1), "Vm.RecordDatapath", op, () => dc.Start(1, op));

        // the VF is claimed for vm1 but not recorded: vm2 cannot have it
        var competitor = await OnSurvivor(() => dc.Start(2));
        Assert.Equal(platform == Platform.HyperV, competitor.Succeeded);

        // no Resume call: any call reactivates the grain, which resumes its open saga by itself
        await Eventually(async () => (await OnSurvivor(() => dc.VmState(1))).Status == VmStatus.Running, "vm1 finishes its start on the survivor");
        Assert.Equal(Datapath.OnVf(dc.Pf(1), 0, new OperationId(op)), await dc.Datapath(1));
        Assert.Single((await EventLog.Stream(fx.Store, dc.Pf(1).Value)).Data<NicEvent.VfAllocated>());
        await dc.Settled();
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task A_stop_cut_off_by_a_silo_crash_frees_the_vms_vf_exactly_once_and_the_waiter_gets_it()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 2);
        await dc.StartInOrder(1, 2); // vm2 waits
        await fx.PlaceOn(dc.VmGrain(2), fx.Cluster.Primary!); // the hand-over notice must reach it (a notice dying with vm2 is the next test)
        var op = NewOp("stop");
        await CutOff(dc.VmGrain(1), "Vm.CompleteStop", op, () => dc.Stop(1, op)); // VF already freed and handed to vm2

        await ResumedOnSurvivor(dc, 1);
        Assert.Equal(VmStatus.Off, (await dc.VmState(1)).Status);
        await Eventually(async () => (await dc.Datapath(2)).Kind == DatapathKind.Vf, "vm2 has the handed-over VF");
        Assert.Single((await EventLog.Stream(fx.Store, dc.Pf(1).Value)).Data<NicEvent.VfReleased>());
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task A_hand_over_notice_lost_with_its_silo_is_repaired_by_reconciliation_exactly_once()
    {
        // vm2/net0 waits for the only VF; vm2 is busy enabling SR-IOV on net1 when vm1 stops and the VF is handed to it
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 2, vnicsPerVm: 2, vnicWeights: (_, vnic) => vnic == 0 ? 100 : 0);
        await dc.StartInOrder(1, 2);
        var op = NewOp("iov-on");
        await CutOff(dc.VmGrain(2), "Nic.AllocateVfs", op, () => dc.VmGrain(2).SetIovWeight("net1", 50, Context(op)), beforeKill: async () =>
        {
            Assert.True((await dc.Stop(1)).Succeeded); // the notice to vm2 queues behind its blocked call
        });

        await ResumedOnSurvivor(dc, 2);
        var nic = await dc.NicState(1);
        Assert.Equal(dc.Vnic(2, "net0"), Assert.Single(nic.Holders).Holder); // the PF gave it the VF...
        Assert.Equal(DatapathKind.Synthetic, (await dc.Datapath(2, "net0")).Kind); // ...and vm2 never heard of it

        var findings = await Reconciliation.Run(dc.Port(NewOp("reconcile")), dc.AllPfs);
        var repaired = Assert.Single(findings);
        Assert.Equal((dc.Vnic(2, "net0"), false), (repaired.Vnic, repaired.Freed));
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(2, "net0")).Kind);
        Assert.Empty(await Reconciliation.Run(dc.Port(NewOp("reconcile")), dc.AllPfs));
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }
}
