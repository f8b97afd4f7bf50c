using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Twin.Events.Planning;
using Twin.Events.Common;
using Twin.Events.Chipsets;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Projections.History;
using Twin.Projections.ReadModels;
using Weasel.Core;

namespace Twin.Projections;

/// <summary>
/// The one Marten configuration of Twin, shared by the silo, the CLI, the tests and the benchmarks (two stores with
/// different append modes on one schema break each other, so there is exactly one).
/// </summary>
public static class TwinStore
{
    /// <summary>The PostgreSQL schema Twin's events and documents live in.</summary>
    public const string DefaultSchema = "twin";

    /// <summary>Most connections Marten opens per process when the connection string does not say (Npgsql's own
    /// default, 100, is PostgreSQL's whole default max_connections: a silo, the Orleans providers and a second process
    /// on the same server would be refused with 53300 "too many clients" under load instead of waiting their turn).</summary>
    public const int MartenPoolSize = 40;

    /// <summary><paramref name="connectionString"/> with at most <paramref name="cap"/> pooled connections, unless it
    /// sets Maximum Pool Size itself (to a value other than Npgsql's default of 100, which is taken as unset).</summary>
    public static string CapPool(string connectionString, int cap)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxPoolSize != DefaultNpgsqlPoolSize) return connectionString;
        builder.MaxPoolSize = cap;
        if (builder.MinPoolSize > cap) builder.MinPoolSize = cap;
        return builder.ConnectionString;
    }

    private const int DefaultNpgsqlPoolSize = 100;

    /// <summary>Configures <paramref name="opts"/> for Twin: string stream keys (= entity ids = grain keys), Rich append
    /// mode (grains append with explicit expected versions), event metadata (operation id as correlation, causation,
    /// actor, headers), every event type, the per-aggregate snapshot read models (inline: same transaction), and the
    /// cross-stream read models and history index of <see cref="DatacenterProjection"/> (async: a process hosting the
    /// store must run the async daemon for them to be kept).</summary>
    public static StoreOptions Configure(StoreOptions opts, string connectionString, string schema = DefaultSchema, HistoryOptions? history = null)
    {
        opts.Connection(CapPool(connectionString, MartenPoolSize));
        opts.DatabaseSchemaName = schema;
        opts.Events.DatabaseSchemaName = schema;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        opts.Events.AppendMode = EventAppendMode.Rich;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString);
        opts.Events.AddEventTypes(Aggregates.EventTypes());
        opts.Events.AddEventTypes(CapacityEvent.EventTypes);

        // per-aggregate read models: each aggregate's snapshot, stored by its grain in the same transaction as its
        // events (cheaper than an inline projection's read-modify-write, and never behind); SnapshotRebuilder
        // refolds them from the streams with the same deciders
        opts.Schema.For<HostSnapshot>().Identity(x => x.Id);
        opts.Schema.For<ChipsetSnapshot>().Identity(x => x.Id);
        opts.Schema.For<NicSnapshot>().Identity(x => x.Id);
        opts.Schema.For<SwitchSnapshot>().Identity(x => x.Id);
        opts.Schema.For<VmSnapshot>().Identity(x => x.Id);

        // cross-stream views: Async (run by the daemon), never Inline (inline multi-stream projections lose updates
        // under concurrent writers)
        opts.Projections.Add(new DatacenterProjection(history ?? HistoryOptions.Default), ProjectionLifecycle.Async, DatacenterProjection.ProjectionName,
            async =>
            {
                async.BatchSize = 2_000; // the fold is in memory; bigger batches publish the read models less often
                foreach (var type in DatacenterProjection.Documents) async.DeleteViewTypeOnTeardown(type);
            });
        opts.Schema.For<HistoryCheckpoint>().Duplicate(c => c.WindowNumber).Duplicate(c => c.Key);
        opts.Schema.For<HistoryWindow>();
        opts.Schema.For<VfPoolUsage>();
        opts.Schema.For<VmSriovReadiness>();
        return opts;
    }
}
