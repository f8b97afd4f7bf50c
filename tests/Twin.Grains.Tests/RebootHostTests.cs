using Twin.Events.Common;
using Twin.Events.Platforms;
using Twin.Events.Vms;
using Twin.Grains.UseCases;

namespace Twin.Grains.Tests;

/// <summary>The reboot use case on a host that once had a VM deleted (found while writing the rehearsal's reboot step).</summary>
[Collection(TwinClusterCollection.Name)]
public sealed class RebootHostTests(TwinCluster fx)
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rebooting_a_host_with_a_deleted_vm_stops_the_running_ones_and_leaves_the_deleted_one_alone()
    {
        var dc = await LiveDatacenter.Build(fx.Grains, Platform.VSphere, vfs: 4, vms: 2);
        Assert.True((await dc.VmGrain(1).Start(LiveDatacenter.Context(Ids.New("start")))).Succeeded);
        var deleted = (await dc.VmGrain(2).Execute(new VmCommand.DeleteVm(dc.Vm(2), new OperationId(Ids.New("delete")), LiveDatacenter.T0), LiveDatacenter.Context(Ids.New("delete")))).Snapshot;
        Assert.Equal(VmStatus.Deleted, deleted.Status);
        await fx.Mediator().Send(new ConfigurePf(dc.Pf(1), PfAction.SetVfCount, 8), Ct);

        var result = await fx.Mediator().Send(new RebootHost(dc.Host(1)), Ct);
        Assert.True(result.Succeeded, result.Summary);
        Assert.Equal(VmStatus.Off, (await dc.VmGrain(1).GetSnapshot())!.Status);
        Assert.Equal(deleted, await dc.VmGrain(2).GetSnapshot());
        Assert.Equal(8, (await dc.NicGrain(1).GetSnapshot())!.Configured);
    }
}
