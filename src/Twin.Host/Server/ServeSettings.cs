namespace Twin.Host.Server;

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

    /// <summary>Semicolon-separated URLs Kestrel listens on (port 0 = any free port).</summary>
    public string Urls { get; init; } = DefaultUrl;

    /// <summary>The folder of the embedded PostgreSQL cluster (unused with <see cref="ConnectionString"/>).</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory;

    /// <summary>An existing PostgreSQL server to use instead of the embedded one.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The silo-to-silo port; null = a free one (one silo with localhost clustering needs no fixed port).</summary>
    public int? SiloPort { get; init; }

    /// <summary>The Orleans client gateway port; null = a free one.</summary>
    public int? GatewayPort { get; init; }

    /// <summary>Log Information and above (else warnings and errors only).</summary>
    public bool Verbose { get; init; }

    /// <summary>Largest request body accepted, in bytes, except topology uploads (<see cref="MaxTopologyBytes"/>).</summary>
    public long MaxRequestBytes { get; init; } = 1L << 20;

    /// <summary>Largest topology body accepted, in bytes.</summary>
    public long MaxTopologyBytes { get; init; } = 32L << 20;
}
