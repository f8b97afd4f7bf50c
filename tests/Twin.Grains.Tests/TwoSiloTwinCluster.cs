using Orleans.Configuration;
using Orleans.TestingHost;
using Twin.Grains.Contracts;

namespace Twin.Grains.Tests;

/// <summary>The twin on two silos sharing one PostgreSQL, so a test can kill the silo a grain lives on and watch the
/// survivor take over. Failure detection is tuned down so a killed silo is declared dead within seconds.</summary>
public sealed class TwoSiloTwinCluster : TwinCluster
{
    protected override short Silos => 2;

    protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<FastFailureDetection>();

    /// <summary>Makes sure the cluster has two silos again (a test may have killed one) and returns the one that is
    /// not the primary (killing the primary would take the test cluster's membership table with it).</summary>
    public async Task<SiloHandle> Secondary()
    {
        if (Cluster.SecondarySilos.Count == 0)
        {
            var started = await Cluster.StartAdditionalSiloAsync();
            for (var i = 0; i < 400 && !(await Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).ContainsKey(started.SiloAddress); i++)
                await Task.Delay(25); // until the cluster sees it as active
            await Cluster.WaitForClusterManifestToStabilizeAsync(); // and can place grains on it
        }
        return Cluster.SecondarySilos[0];
    }

    /// <summary>Makes sure a VM grain is active on <paramref name="silo"/>, moving its activation there if it is
    /// elsewhere (it reloads its stream there).</summary>
    public async Task PlaceOn(IVmGrain grain, SiloHandle silo)
    {
        await grain.GetSnapshot(); // activate it wherever placement puts it
        if (SiloOf(grain) != silo.SiloAddress) // migrating to the silo it is on would wait for a deactivation that never comes
            await Cluster.MigrateAsync(grain, silo.SiloAddress).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(silo.SiloAddress, SiloOf(grain));
    }

    private SiloAddress? SiloOf(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address.SiloAddress : null;

    private sealed class FastFailureDetection : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
        });
    }
}

[CollectionDefinition(Name)]
public sealed class TwoSiloTwinClusterCollection : ICollectionFixture<TwoSiloTwinCluster>
{
    public const string Name = "twin-two-silos";
}
