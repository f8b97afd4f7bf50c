using Microsoft.Extensions.Logging;

namespace Twin.Projections.Storage;

/// <summary>The launcher's log messages.</summary>
internal static partial class EmbeddedPostgresLog
{
    [LoggerMessage(LogLevel.Warning, "PostgreSQL binaries not found; installing them: {Command}")]
    public static partial void Installing(ILogger log, string command);

    [LoggerMessage(LogLevel.Information, "Creating OS user {User} to run PostgreSQL (it refuses to run as root)")]
    public static partial void CreatingUser(ILogger log, string user);

    [LoggerMessage(LogLevel.Information, "Initialising a {Mode} PostgreSQL cluster in {DataDirectory} as OS user {User}")]
    public static partial void Initialising(ILogger log, string mode, string dataDirectory, string user);

    [LoggerMessage(LogLevel.Warning, "A PostgreSQL server (PID {Pid}) from a previous run of {DataDirectory} is still running; stopping it")]
    public static partial void StoppingLeftover(ILogger log, int pid, string dataDirectory);

    [LoggerMessage(LogLevel.Warning, "Removing the stale postmaster.pid of {DataDirectory}: its PID {Pid} is not a server of this cluster any more")]
    public static partial void RemovingStalePidFile(ILogger log, string dataDirectory, int pid);

    [LoggerMessage(LogLevel.Warning, "Killing {Count} orphaned PostgreSQL processes of {DataDirectory} whose postmaster is gone")]
    public static partial void KillingOrphans(ILogger log, int count, string dataDirectory);

    [LoggerMessage(LogLevel.Warning, "Port {Port} was taken before PostgreSQL could bind it; retrying with another port")]
    public static partial void PortTaken(ILogger log, int port);

    [LoggerMessage(LogLevel.Information, "PostgreSQL {Major} ({Mode}) ready on 127.0.0.1:{Port} in {Milliseconds} ms; data in {DataDirectory}, server runs as {User}")]
    public static partial void Ready(ILogger log, int major, string mode, int port, long milliseconds, string dataDirectory, string user);

    [LoggerMessage(LogLevel.Debug, "Starting PostgreSQL in {DataDirectory}: {Step} done after {Milliseconds} ms")]
    public static partial void StepDone(ILogger log, string dataDirectory, string step, long milliseconds);

    [LoggerMessage(LogLevel.Information, "PostgreSQL on port {Port} stopped in {Milliseconds} ms")]
    public static partial void Stopped(ILogger log, int port, long milliseconds);

    [LoggerMessage(LogLevel.Warning, "Stopping PostgreSQL in {DataDirectory} failed: {Reason}")]
    public static partial void StopFailed(ILogger log, string dataDirectory, string reason);

    [LoggerMessage(LogLevel.Information, "Removing throwaway PostgreSQL folder {Folder} left behind by a dead process")]
    public static partial void Sweeping(ILogger log, string folder);

    [LoggerMessage(LogLevel.Warning, "Could not remove {Folder}: {Reason}")]
    public static partial void SweepFailed(ILogger log, string folder, string reason);
}
