using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Twin.Grains.Hosting;
using Twin.Grains.Sagas;
using Twin.Grains.UseCases;
using Twin.Projections;
using Twin.Projections.Storage;

namespace Twin.Grains.Tests;

/// <summary>
/// A real PostgreSQL (started by the fixture, thrown away after) and a real in-process Orleans test cluster whose
/// silos host the twin's grains on it. Nothing is mocked. Shared by the tests of a collection; tests use unique ids.
/// </summary>
public class TwinCluster : IAsyncLifetime
{
    private const string ConnectionKey = "Twin:ConnectionString";
    private const string DaemonKey = "Twin:Daemon";

    public EmbeddedPostgres Postgres { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;
    public IDocumentStore Store { get; private set; } = null!;
    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The use cases as the host wires them: MediatR over the cluster's grains and Marten.</summary>
    public ServiceProvider UseCases { get; private set; } = null!;

    public MediatR.IMediator Mediator() => UseCases.CreateScope().ServiceProvider.GetRequiredService<MediatR.IMediator>();

    /// <summary>Faults the sagas of every silo of this process consult.</summary>
    public static ScriptedFaults Faults { get; } = new();

    protected virtual short Silos => 1;

    /// <summary>Extra configuration of the test cluster (a subclass's own silo configurators).</summary>
    protected virtual void Configure(TestClusterBuilder builder)
    {
    }

    public async ValueTask InitializeAsync()
    {
        Postgres = await EmbeddedPostgres.StartThrowawayAsync(ct: TestContext.Current.CancellationToken);
        var builder = new TestClusterBuilder(Silos);
        builder.Properties[ConnectionKey] = Postgres.ConnectionString;
        // the silos run the async daemon: one alone, or hot/cold when there are several
        builder.Properties[DaemonKey] = (Silos > 1 ? DaemonMode.HotCold : DaemonMode.Solo).ToString();
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Configure(builder);
        // the schema first, once, as `twin serve` does: silos creating it lazily and together race in PostgreSQL
        // (23505 on pg_type_typname_nsp_index, seen once with two silos)
        using (var schema = DocumentStore.For(o => TwinGrainsHosting.ConfigureStore(o, Postgres.ConnectionString)))
            await TwinGrainsHosting.ApplySchemaAsync(schema, Postgres.ConnectionString, TestContext.Current.CancellationToken);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Store = DocumentStore.For(o => TwinStore.Configure(o, Postgres.ConnectionString));
        UseCases = new ServiceCollection()
            .AddSingleton(Cluster.GrainFactory)
            .AddSingleton(Store)
            .AddSingleton<ISagaFaults>(Faults)
            .AddTwinUseCases()
            .BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
        if (UseCases is not null) await UseCases.DisposeAsync();
        Store?.Dispose();
        if (Postgres is not null) await Postgres.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.Services.AddSingleton<ISagaFaults>(Faults);
            silo.AddTwinGrains(silo.Configuration[ConnectionKey] ?? throw new InvalidOperationException($"{ConnectionKey} missing"),
                daemon: Enum.Parse<DaemonMode>(silo.Configuration[DaemonKey] ?? nameof(DaemonMode.Solo)));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TwinClusterCollection : ICollectionFixture<TwinCluster>
{
    public const string Name = "twin-cluster";
}
