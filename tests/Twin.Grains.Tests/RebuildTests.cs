using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;
using static Twin.Grains.Tests.LiveDatacenter;

namespace Twin.Grains.Tests;

/// <summary>A grain is only a cache of its stream: deactivating every grain of a busy datacenter loses nothing.</summary>
[Collection(TwinClusterCollection.Name)]
public sealed class RebuildTests(TwinCluster fx)
{
    /// <summary>Two hosts; six VMs on h1 of which five were started (some waiting or refused), one migrated, one that
    /// gave its VF back, one stopped.</summary>
    private async Task<LiveDatacenter> Populate(Platform platform)
    {
        var dc = await Build(fx.Grains, platform, vfs: 2, vms: 6, hosts: 2);
        foreach (var vm in new[] { 1, 2, 3, 4, 5 }) await dc.Start(vm);
        await dc.Migrate(1, toHost: 2); // refused on vSphere
        await dc.VmGrain(2).SetIovWeight("net0", 0, Context(NewOp("iov-off")));
        await dc.Stop(3);
        await dc.Settled();
        return dc;
    }

    private static async Task<List<ISnapshot?>> Snapshots(LiveDatacenter dc)
    {
        var all = new List<ISnapshot?>();
        foreach (var g in dc.AllGrains()) all.Add(await g.Snapshot());
        return all;
    }

    private async Task DeactivateAll(LiveDatacenter dc)
    {
        foreach (var g in dc.AllGrains()) await fx.Cluster.DeactivateAsync(g.Grain);
    }

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.VSphere)]
    [InlineData(Platform.Kvm)]
    public async Task Every_grain_of_a_populated_datacenter_comes_back_from_marten_identical_after_deactivation(Platform platform)
    {
        var dc = await Populate(platform);
        var before = await Snapshots(dc);
        Assert.All(before, Assert.NotNull);
        Assert.True(before.OfType<NicSnapshot>().Sum(n => n.Allocated) > 0);

        await DeactivateAll(dc);

        var after = await Snapshots(dc);
        Assert.Equal(before, after);
        await using (var session = fx.Store.QuerySession())
        {
            foreach (var snapshot in after.OfType<VmSnapshot>())
                Assert.Equal(snapshot, await session.LoadAsync<VmSnapshot>(snapshot.Id, TestContext.Current.CancellationToken));
            foreach (var snapshot in after.OfType<NicSnapshot>())
                Assert.Equal(snapshot, await session.LoadAsync<NicSnapshot>(snapshot.Id, TestContext.Current.CancellationToken));
        }
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);

        // and the rebuilt grains carry on deciding from where they were
        var restarted = await dc.Start(3);
        Assert.True(restarted.Succeeded, restarted.Summary);
        await dc.Settled();
        await (await VfLedger.Read(fx.Store, dc.AllPfs)).AssertAgreesWith(dc);
    }

    [Fact]
    public async Task Every_grain_comes_back_identical_from_its_event_stream_alone_when_its_read_model_is_gone()
    {
        var dc = await Populate(Platform.HyperV);
        var before = await Snapshots(dc);

        await using (var session = fx.Store.LightweightSession())
        {
            foreach (var snapshot in before)
            {
                switch (snapshot)
                {
                    case HostSnapshot s: session.Delete<HostSnapshot>(s.Id); break;
                    case ChipsetSnapshot s: session.Delete<ChipsetSnapshot>(s.Id); break;
                    case NicSnapshot s: session.Delete<NicSnapshot>(s.Id); break;
                    case SwitchSnapshot s: session.Delete<SwitchSnapshot>(s.Id); break;
                    case VmSnapshot s: session.Delete<VmSnapshot>(s.Id); break;
                }
            }
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        await DeactivateAll(dc);

        Assert.Equal(before, await Snapshots(dc));
    }
}
