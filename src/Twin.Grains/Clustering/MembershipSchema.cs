using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Twin.Grains.Clustering;

/// <summary>
/// The two tables of Orleans cluster membership in Twin's PostgreSQL schema, declared to Marten so that the same
/// migration that creates the event store creates them (idempotently, at start or in the admin step of production
/// mode). One version row per cluster, one row per silo incarnation (address, port and generation).
/// </summary>
public static class MembershipSchema
{
    /// <summary>The table holding each cluster's membership version and its concurrency tag.</summary>
    public const string VersionTable = "orleans_membership_version";

    /// <summary>The table holding one row per silo incarnation.</summary>
    public const string SiloTable = "orleans_membership";

    /// <summary>Adds both tables to <paramref name="opts"/>' schema objects (in <paramref name="schema"/>).</summary>
    public static void AddTo(StoreOptions opts, string schema)
    {
        var version = new Table(new PostgresqlObjectName(schema, VersionTable, SchemaUtils.IdentifierUsage.General));
        version.AddColumn<string>("cluster_id").AsPrimaryKey();
        version.AddColumn<int>("version").NotNull();
        version.AddColumn<string>("etag").NotNull();
        version.AddColumn("changed_at", "timestamp with time zone").NotNull().DefaultValueByExpression("now()");
        opts.Storage.ExtendedSchemaObjects.Add(version);

        var silos = new Table(new PostgresqlObjectName(schema, SiloTable, SchemaUtils.IdentifierUsage.General));
        silos.AddColumn<string>("cluster_id").AsPrimaryKey();
        silos.AddColumn<string>("silo").AsPrimaryKey();
        silos.AddColumn<int>("status").NotNull();
        silos.AddColumn<int>("proxy_port").NotNull();
        silos.AddColumn<string>("host_name");
        silos.AddColumn<string>("silo_name");
        silos.AddColumn<string>("role_name");
        silos.AddColumn<int>("update_zone").NotNull();
        silos.AddColumn<int>("fault_zone").NotNull();
        silos.AddColumn("start_time", "timestamp with time zone").NotNull();
        silos.AddColumn("i_am_alive_time", "timestamp with time zone").NotNull();
        silos.AddColumn<string>("suspect_times").NotNull();
        silos.AddColumn<long>("etag").NotNull();
        opts.Storage.ExtendedSchemaObjects.Add(silos);
    }
}
