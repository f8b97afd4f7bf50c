using JasperFx;
using JasperFx.Events;
using Marten;
using Twin.Events.Common;
using Twin.Events.Chipsets;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
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

    /// <summary>Configures <paramref name="opts"/> for Twin: string stream keys (= entity ids = grain keys), Rich append
    /// mode (grains append with explicit expected versions), event metadata (operation id as correlation, causation,
    /// actor, headers), every event type, and the per-aggregate snapshot documents.</summary>
    public static StoreOptions Configure(StoreOptions opts, string connectionString, string schema = DefaultSchema)
    {
        opts.Connection(connectionString);
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

        // per-aggregate read models: each aggregate's snapshot, stored by its grain in the same transaction as its
        // events (cheaper than an inline projection's read-modify-write, and never behind); SnapshotRebuilder
        // refolds them from the streams with the same deciders
        opts.Schema.For<HostSnapshot>().Identity(x => x.Id);
        opts.Schema.For<ChipsetSnapshot>().Identity(x => x.Id);
        opts.Schema.For<NicSnapshot>().Identity(x => x.Id);
        opts.Schema.For<SwitchSnapshot>().Identity(x => x.Id);
        opts.Schema.For<VmSnapshot>().Identity(x => x.Id);
        return opts;
    }
}
