using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Vms;
using Twin.Grains.Contracts;
using static Twin.Grains.Tests.LiveDatacenter;

namespace Twin.Grains.Tests;

[Collection(TwinClusterCollection.Name)]
public sealed class GrainBasicsTests(TwinCluster fx)
{
    [Fact]
    public async Task A_command_is_decided_by_the_grain_and_appended_to_its_marten_stream_with_its_metadata()
    {
        var dc = await Build(fx.Grains, Platform.Kvm, vfs: 4, vms: 0);
        var context = new CommandContext(new OperationId(Ids.New("op")), "alice", new OperationId("cause-1"));
        var result = await dc.NicGrain(1).Execute(new NicCommand.AllocateVfs(dc.Pf(1), [new VfRequest(dc.Vnic(1))], context.Operation, T0), context);
        Assert.Equal(0, Assert.IsType<NicEvent.VfAllocated>(Assert.Single(result.Events)).VfIndex);

        await using var session = fx.Store.QuerySession();
        var stream = await session.Events.FetchStreamAsync(dc.Pf(1).Value, token: TestContext.Current.CancellationToken);
        var appended = stream.Last();
        Assert.IsType<NicEvent.VfAllocated>(appended.Data);
        Assert.Equal(result.Snapshot.Version, appended.Version);
        Assert.Equal(context.Operation.Value, appended.CorrelationId);
        Assert.Equal("cause-1", appended.CausationId);
        Assert.Equal("alice", appended.UserName);
        var readModel = await session.LoadAsync<NicSnapshot>(dc.Pf(1).Value, TestContext.Current.CancellationToken);
        Assert.Equal(result.Snapshot, readModel);
    }

    [Fact]
    public async Task An_impossible_command_comes_back_as_a_domain_rule_violation_and_appends_nothing()
    {
        var nic = fx.Grains.GetGrain<INicGrain>(Ids.New("nope"));
        var ex = await Assert.ThrowsAsync<DomainRuleViolated>(() =>
            nic.Execute(new NicCommand.EnableSriov(new NicId(nic.GetPrimaryKeyString()), 4, new OperationId("x"), T0), Context("x")));
        Assert.Contains("not installed", ex.Message);
        await using var session = fx.Store.QuerySession();
        Assert.Null(await session.Events.FetchStreamStateAsync(nic.GetPrimaryKeyString(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Every_grain_comes_back_from_marten_identical_after_deactivation()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 3);
        for (var vm = 1; vm <= 3; vm++) await dc.VmGrain(vm).Start(Context(Ids.New("start")));
        var before = (await dc.NicGrain(1).GetSnapshot(), await dc.VmGrain(1).GetSnapshot(), await dc.VmGrain(3).GetSnapshot());

        await fx.Cluster.DeactivateAsync(dc.NicGrain(1));
        await fx.Cluster.DeactivateAsync(dc.VmGrain(1));
        await fx.Cluster.DeactivateAsync(dc.VmGrain(3));

        var after = (await dc.NicGrain(1).GetSnapshot(), await dc.VmGrain(1).GetSnapshot(), await dc.VmGrain(3).GetSnapshot());
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_write_behind_the_grains_back_is_caught_by_the_expected_version_and_the_grain_decides_again()
    {
        var dc = await Build(fx.Grains, Platform.Kvm, vfs: 1, vms: 0);
        await dc.NicGrain(1).GetSnapshot(); // activate: the grain caches the pool with VF 0 free
        await using (var session = fx.Store.LightweightSession())
        {
            session.Events.Append(dc.Pf(1).Value, new NicEvent.VfAllocated(dc.Pf(1), 0, dc.Vnic(99), 100, 1, VfAllocationCause.Requested, new OperationId("intruder"), T0));
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var result = await dc.NicGrain(1).Execute(new NicCommand.AllocateVfs(dc.Pf(1), [new VfRequest(dc.Vnic(1))], new OperationId("late"), T0), Context("late"));
        var rejected = Assert.IsType<NicEvent.VfAllocationRejected>(Assert.Single(result.Events));
        Assert.Equal(SriovBlocker.VfPoolExhausted, rejected.Reason);
        Assert.Equal(dc.Vnic(99), Assert.Single(result.Snapshot.Holders).Holder);
    }

    [Fact]
    public async Task A_vm_start_saga_runs_across_the_grains_and_records_the_datapath()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 1, vms: 2);
        var first = await dc.VmGrain(1).Start(Context(Ids.New("start")));
        Assert.True(first.Succeeded, first.Summary);
        Assert.Equal(DatapathKind.Vf, (await dc.Datapath(1)).Kind);
        var second = await dc.VmGrain(2).Start(Context(Ids.New("start")));
        Assert.True(second.Succeeded, second.Summary);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.VfPoolExhausted), await dc.Datapath(2));

        // vm1 stops: the VF goes to vm2, which learns it through a one-way notice
        await dc.VmGrain(1).Stop(Context(Ids.New("stop")));
        await Eventually(async () => (await dc.Datapath(2)).Kind == DatapathKind.Vf, "vm2 records the handed-over VF");
    }
}

[Collection(TwinClusterCollection.Name)]
public sealed class ReadModelRebuildTests(TwinCluster fx)
{
    [Fact]
    public async Task Rebuilding_the_read_models_from_scratch_gives_the_documents_the_grains_wrote()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: 2, vms: 3);
        for (var vm = 1; vm <= 3; vm++) await dc.VmGrain(vm).Start(Context(Ids.New("start")));
        await dc.VmGrain(1).Stop(Context(Ids.New("stop")));
        await Eventually(async () => (await dc.Datapath(3)).Kind == DatapathKind.Vf, "vm3 gets the freed VF");
        var ct = TestContext.Current.CancellationToken;
        await using var before = fx.Store.QuerySession();
        var nic = await before.LoadAsync<NicSnapshot>(dc.Pf(1).Value, ct);
        var vm3 = await before.LoadAsync<VmSnapshot>(dc.Vm(3).Value, ct);
        await using (var wipe = fx.Store.LightweightSession())
        {
            wipe.Delete<NicSnapshot>(dc.Pf(1).Value);
            wipe.Delete<VmSnapshot>(dc.Vm(3).Value);
            await wipe.SaveChangesAsync(ct);
        }
        var (events, streams) = await Twin.Projections.ReadModels.SnapshotRebuilder.RebuildAllAsync(fx.Store, ct);
        Assert.True(events > 0 && streams > 0);
        await using var after = fx.Store.QuerySession();
        Assert.Equal(nic, await after.LoadAsync<NicSnapshot>(dc.Pf(1).Value, ct));
        Assert.Equal(vm3, await after.LoadAsync<VmSnapshot>(dc.Vm(3).Value, ct));
    }
}
