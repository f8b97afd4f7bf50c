using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Twin.Grains.Clustering;
using Twin.Grains.Persistence;
using Twin.Grains.Sagas;
using Twin.Grains.Simulation;
using Twin.Projections;
using Twin.Projections.History;

namespace Twin.Grains.Hosting;

/// <summary>Registers everything a silo needs to host the twin's grains.</summary>
public static class TwinGrainsHosting
{
    /// <summary>Marten (Twin's store configuration) on <paramref name="connectionString"/>, the event-store adapter,
    /// durable reminders in the same database, a clock and (unless a test registered its own) no saga faults. The silo
    /// runs Marten's async daemon, which keeps the cross-stream read models and the history index
    /// (<see cref="DatacenterProjection"/>): <see cref="DaemonMode.Solo"/> for a single silo, <see cref="DaemonMode.HotCold"/>
    /// when several silos share the database (one of them runs each projection, the others stand by),
    /// <see cref="DaemonMode.Disabled"/> when another process runs it. <paramref name="manageSchema"/> false: the silo
    /// never changes the database schema (production mode, where an administrator migrates it with
    /// <see cref="ConfigureStore"/>'s objects and the silo's role may not).</summary>
    public static ISiloBuilder AddTwinGrains(this ISiloBuilder silo, string connectionString, string schema = TwinStore.DefaultSchema,
        DaemonMode daemon = DaemonMode.Solo, HistoryOptions? history = null, bool manageSchema = true)
    {
        var marten = silo.Services.AddMarten(opts =>
        {
            ConfigureStore(opts, connectionString, schema, history);
            if (!manageSchema) opts.AutoCreateSchemaObjects = JasperFx.AutoCreate.None;
        }).UseLightweightSessions();
        if (daemon != DaemonMode.Disabled) marten.AddAsyncDaemon(daemon);
        silo.Services.TryAddSingleton<IEventStore, GroupCommitEventStore>();
        silo.Services.TryAddSingleton<ISagaFaults, NoSagaFaults>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        // reminders in the same PostgreSQL through Orleans' ADO.NET provider, its table created by Twin (OrleansSchema)
        OrleansSchema.RegisterProvider();
        silo.AddReminders();
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = OrleansSchema.ConnectionString(connectionString, schema);
        });
        if (manageSchema)
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new OrleansSchemaParticipant(connectionString, schema));
        silo.AddPlacementDirector<SiloKeyPlacement, SiloKeyPlacementDirector>();
        silo.AddIncomingGrainCallFilter<StorageExceptionFilter>();
        return silo;
    }

    /// <summary>The Marten part of the database Twin needs: the event store and its documents (<see cref="TwinStore"/>)
    /// (the reminders are Orleans' ADO.NET table, see <see cref="OrleansSchema"/>). The silo and the administrator's migration use the same; <see cref="ApplySchemaAsync"/>
    /// adds the Orleans clustering and reminder tables (<see cref="OrleansSchema"/>).</summary>
    public static StoreOptions ConfigureStore(StoreOptions opts, string connectionString, string schema = TwinStore.DefaultSchema, HistoryOptions? history = null)
    {
        TwinStore.Configure(opts, connectionString, schema, history);
        return opts;
    }

    /// <summary>Creates or updates the schema of <paramref name="store"/> and the Orleans clustering tables in the same
    /// schema (idempotent) under a PostgreSQL advisory lock, so that silos starting together on one database do not
    /// race to create the same objects.</summary>
    public static async Task ApplySchemaAsync(IDocumentStore store, string connectionString, CancellationToken ct = default)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var lockCommand = new Npgsql.NpgsqlCommand($"select pg_advisory_lock({SchemaLockId})", connection))
            await lockCommand.ExecuteNonQueryAsync(ct);
        try
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await OrleansSchema.ApplyAsync(connection, store.Options.DatabaseSchemaName, ct);
        }
        finally
        {
            await using var unlock = new Npgsql.NpgsqlCommand($"select pg_advisory_unlock({SchemaLockId})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private const long SchemaLockId = OrleansSchema.SchemaLockId;

    /// <summary>Cluster membership in PostgreSQL through Orleans' ADO.NET clustering provider (its tables in
    /// <paramref name="schema"/>, created by <see cref="ApplySchemaAsync"/>): silos started with the same
    /// <paramref name="clusterId"/> on the same database form one cluster. <paramref name="advertisedAddress"/> is the
    /// address other silos reach this one at.</summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder silo, string connectionString, System.Net.IPAddress advertisedAddress,
        int siloPort, int gatewayPort, string clusterId = "twin", string serviceId = "twin", string schema = TwinStore.DefaultSchema)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = serviceId;
        });
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = advertisedAddress;
            o.SiloPort = siloPort;
            o.GatewayPort = gatewayPort;
            if (!System.Net.IPAddress.IsLoopback(advertisedAddress))
            {
                // in a container the advertised address is the container's; listening on every interface reaches it
                o.SiloListeningEndpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Any, siloPort);
                o.GatewayListeningEndpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Any, gatewayPort);
            }
        });
        OrleansSchema.RegisterProvider();
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = OrleansSchema.ConnectionString(connectionString, schema);
        });
        return silo;
    }
}

/// <summary>Creates Orleans' tables (reminders, clustering) before the silo's services start, when missing.</summary>
internal sealed class OrleansSchemaParticipant(string connectionString, string schema) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OrleansSchemaParticipant), ServiceLifecycleStage.RuntimeInitialize,
            ct => OrleansSchema.EnsureAsync(connectionString, schema, ct));
}
