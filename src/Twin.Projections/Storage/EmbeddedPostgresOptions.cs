namespace Twin.Projections.Storage;

/// <summary>How <see cref="EmbeddedPostgres"/> runs a PostgreSQL cluster.</summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>
    /// The launcher's folder. It holds the cluster (<c>pgdata/</c>), the server log (<c>server.log</c>) and the lock
    /// that keeps two launchers off one cluster. Created when missing; an initialised cluster in it is reused.
    /// When the process is root the folder is handed to <see cref="OsUser"/>.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// True (the default): fsync, synchronous_commit and full_page_writes on, so nothing acknowledged is lost on a crash.
    /// False: all three off and <c>initdb --no-sync</c> — fast and unsafe, for throwaway test clusters.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>The database created (when missing) and named by <see cref="EmbeddedPostgres.ConnectionString"/>.</summary>
    public string Database { get; init; } = "twin";

    /// <summary>A fixed port on 127.0.0.1; null (the default) picks a free one and retries with another if it gets taken.</summary>
    public int? Port { get; init; }

    /// <summary>Whether missing binaries may be installed with the distribution's package manager (as root or with passwordless sudo).</summary>
    public bool AllowInstall { get; init; } = true;

    /// <summary>
    /// The OS user that runs the server when this process is root (PostgreSQL refuses to run as root). Default: the owner of an
    /// existing cluster, else <c>postgres</c> when it exists, else <c>twin-pg</c>, created when missing. Ignored unless root
    /// (then the server runs as the current user; naming another user is an error).
    /// </summary>
    public string? OsUser { get; init; }

    /// <summary>The folder holding initdb, pg_ctl and postgres. Default: <c>TWIN_PG_BIN</c>, else PATH and the distribution's folders.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>How long starting may take, from initdb to the first successful connection.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Delete <see cref="DataDirectory"/> when the launcher is disposed (throwaway clusters).</summary>
    public bool DeleteOnDispose { get; init; }

    /// <summary>The server's max_connections (PostgreSQL's default of 100 is tight for parallel test classes with pooled connections).</summary>
    public int MaxConnections { get; init; } = 200;

    /// <summary>Picks the port when <see cref="Port"/> is null; tests replace it to lose the race for a port on purpose.</summary>
    internal Func<int> PickPort { get; init; } = EmbeddedPostgres.ReserveFreePort;
}
