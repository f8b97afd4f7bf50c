using Orleans.Configuration;
using Orleans.TestingHost;

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
            await Cluster.StartAdditionalSiloAsync();
            await Cluster.WaitForLivenessToStabilizeAsync();
        }
        return Cluster.SecondarySilos[0];
    }

    /// <summary>Moves a grain's activation to <paramref name="silo"/> (it reloads its stream there).</summary>
    public async Task PlaceOn(IAddressable grain, SiloHandle silo)
    {
        await Cluster.MigrateAsync(grain, silo.SiloAddress);
        Assert.True(Cluster.TryGetGrainContext(grain.GetGrainId(), out var context), $"{grain.GetGrainId()} is not active");
        Assert.Equal(silo.SiloAddress, context.Address.SiloAddress);
    }

    private sealed class FastFailureDetection : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
            o.NumMissedProbesLimit = 1;
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
