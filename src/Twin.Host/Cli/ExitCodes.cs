namespace Twin.Host.Cli;

/// <summary>The exit codes of the twin command, which scripts can rely on.</summary>
public static class ExitCodes
{
    /// <summary>Done as asked.</summary>
    public const int Ok = 0;

    /// <summary>The twin refused or could not do the operation (a domain rule, an exhausted pool, a failed start, a conflict).</summary>
    public const int Failed = 1;

    /// <summary>Bad usage: unknown verb or option, missing argument, or a request the server found invalid (400).</summary>
    public const int Usage = 2;

    /// <summary>No server answered at the address, or its PostgreSQL or silo is unavailable (503).</summary>
    public const int Unreachable = 3;

    /// <summary>An id names nothing the twin knows (404), or nothing was recorded yet at the moment asked about (422:
    /// before the twin's history starts, or before the entity existed).</summary>
    public const int NotFound = 4;

    /// <summary>A rehearsed plan was not applied: what it depends on changed since the rehearsal (drift).</summary>
    public const int Drift = 5;

    /// <summary>The server refused the token (401: none or wrong; 403: the read-only token on a command).</summary>
    public const int Denied = 6;

    /// <summary>The exit-code section of <c>--help</c>.</summary>
    public const string Help = """

        Exit codes:
          0  ok
          1  the twin refused or failed the operation (domain rule, exhausted pool, failed start, conflict)
          2  bad usage or a request the server found invalid
          3  server unreachable (start one with `twin serve`), or its PostgreSQL/silo unavailable
          4  not found: an id the twin does not know, or a moment before its history (or the entity) starts
          5  drift: a rehearsed plan was not applied, the world changed since its rehearsal
          6  not allowed: no or a wrong token (set TWIN_TOKEN), or the read-only token on a command
        """;
}
