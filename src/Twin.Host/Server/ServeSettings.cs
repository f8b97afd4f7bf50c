using System.Net;

namespace Twin.Host.Server;

/// <summary>How the silo finds the other silos of its cluster.</summary>
public enum ClusteringMode
{
    /// <summary>One silo on this machine, membership in memory (the default).</summary>
    Localhost,
    /// <summary>Membership in Twin's PostgreSQL through Orleans' ADO.NET clustering (<c>adonet</c>, alias <c>postgres</c>):
    /// every silo on the same database and cluster id joins one cluster.</summary>
    Postgres,
}

/// <summary>How <c>twin serve</c> runs: where it listens, where its data lives, and which PostgreSQL it uses.</summary>
public sealed record ServeSettings
{
    /// <summary>The default address of the HTTP API and dashboard (loopback only).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5077";

    /// <summary>The default data folder, relative to the working directory.</summary>
    public const string DefaultDataDirectory = ".twin";

    /// <summary>The environment variables naming the silo's ports (docker-compose sets them).</summary>
    public const string SiloPortVariable = "TWIN_SILO_PORT";

    /// <summary>See <see cref="SiloPortVariable"/>.</summary>
    public const string GatewayPortVariable = "TWIN_GATEWAY_PORT";

    /// <summary>The environment variable choosing <see cref="Clustering"/>: <c>localhost</c> or <c>adonet</c> (alias <c>postgres</c>).</summary>
    public const string ClusteringVariable = "TWIN_CLUSTERING";

    /// <summary>The environment variable naming the cluster (silos with the same id on one database form one cluster).</summary>
    public const string ClusterIdVariable = "TWIN_CLUSTER_ID";

    /// <summary>The environment variable with the address other silos reach this one at: an IP, or <c>auto</c> (this
    /// host's first non-loopback IPv4 address, as in a container). Default 127.0.0.1.</summary>
    public const string AdvertisedAddressVariable = "TWIN_ADVERTISED_IP";

    /// <summary>The environment variable that turns on production mode (<c>1</c> or <c>true</c>), see <see cref="Production"/>.</summary>
    public const string ProductionVariable = "TWIN_PRODUCTION";

    /// <summary>The environment variable that makes queries need a token too (<c>1</c> or <c>true</c>).</summary>
    public const string ProtectReadsVariable = "TWIN_PROTECT_READS";

    /// <summary>Semicolon-separated URLs Kestrel listens on (port 0 = any free port).</summary>
    public string Urls { get; init; } = DefaultUrl;

    /// <summary>The folder of the embedded PostgreSQL cluster (unused with <see cref="ConnectionString"/>) and of the
    /// generated API tokens.</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory;

    /// <summary>An existing PostgreSQL server to use instead of the embedded one.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The silo-to-silo port; null = a free one (one silo with localhost clustering needs no fixed port).</summary>
    public int? SiloPort { get; init; }

    /// <summary>The Orleans client gateway port; null = a free one.</summary>
    public int? GatewayPort { get; init; }

    /// <summary>How silos find each other.</summary>
    public ClusteringMode Clustering { get; init; } = ClusteringMode.Localhost;

    /// <summary>The cluster's id (and service id) in the membership table.</summary>
    public string ClusterId { get; init; } = "twin";

    /// <summary>The address other silos reach this silo at (postgres clustering).</summary>
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Production mode: Twin never creates or changes the database schema (an administrator runs
    /// <c>twin db migrate</c>), and refuses to start as a role that owns the schema or is a superuser, so that the
    /// server's credentials cannot drop what they use.</summary>
    public bool Production { get; init; }

    /// <summary>The token that commands (every non-GET under <c>/api</c>) need; queries accept it too.</summary>
    public required string WriteToken { get; init; }

    /// <summary>The read-only token: queries only, refused (403) on commands.</summary>
    public required string ReadToken { get; init; }

    /// <summary>Queries (<c>GET /api/…</c>, <c>/metrics</c>) need a token too; the default when the API listens beyond loopback.</summary>
    public bool ProtectReads { get; init; }

    /// <summary>Log Information and above (else warnings and errors only).</summary>
    public bool Verbose { get; init; }

    /// <summary>Largest request body accepted, in bytes, except topology uploads (<see cref="MaxTopologyBytes"/>).</summary>
    public long MaxRequestBytes { get; init; } = 1L << 20;

    /// <summary>Largest topology body accepted, in bytes.</summary>
    public long MaxTopologyBytes { get; init; } = 32L << 20;
}
