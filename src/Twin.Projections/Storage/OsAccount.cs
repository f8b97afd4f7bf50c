using Microsoft.Extensions.Logging;

namespace Twin.Projections.Storage;

/// <summary>
/// The OS user that runs initdb, pg_ctl and the server. PostgreSQL refuses to run as root, so a root process switches
/// to a non-root user with runuser; any other process runs them as itself.
/// </summary>
internal sealed record OsAccount(string Name, bool SwitchesUser)
{
    /// <summary>The user created to run PostgreSQL when the process is root and the distribution's <c>postgres</c> user is missing.</summary>
    public const string CreatedUser = "twin-pg";

    public Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct) =>
        SwitchesUser
            ? OsProcess.RunAsync("runuser", ["-u", Name, "--", file, .. arguments], timeout, ct)
            : OsProcess.RunAsync(file, arguments, timeout, ct);

    /// <summary>The user that owns <paramref name="folder"/> when this process is root, else the current user.</summary>
    public static async Task<OsAccount> OwnerOfAsync(string folder, CancellationToken ct)
    {
        if (!Procfs.IsRoot) return new OsAccount(Environment.UserName, SwitchesUser: false);
        var owner = await OwnerNameAsync(folder, ct).ConfigureAwait(false) ?? "root";
        return new OsAccount(owner, SwitchesUser: owner != "root");
    }

    /// <summary>Picks the user for a cluster in <paramref name="clusterDirectory"/> (which may not exist yet), creating <see cref="CreatedUser"/> when needed.</summary>
    public static async Task<OsAccount> ResolveAsync(string? requested, string clusterDirectory, ILogger log, CancellationToken ct)
    {
        if (!Procfs.IsRoot)
        {
            var me = Environment.UserName;
            return requested is null || requested == me
                ? new OsAccount(me, SwitchesUser: false)
                : throw new EmbeddedPostgresException(
                    $"OsUser '{requested}' needs a root process to switch to it; this process runs as '{me}' and runs PostgreSQL as itself. Leave OsUser unset.");
        }
        if (!OsProcess.IsOnPath("runuser"))
            throw new EmbeddedPostgresException(
                "This process is root and PostgreSQL refuses to run as root, but 'runuser' (util-linux) is not on PATH to switch to another user. "
                + "Install util-linux, or run Twin as a non-root user.");

        var owner = Directory.Exists(clusterDirectory) ? await OwnerNameAsync(clusterDirectory, ct).ConfigureAwait(false) : null;
        if (owner == "root") owner = null;
        if (requested is not null && owner is not null && requested != owner)
            throw new EmbeddedPostgresException(
                $"The PostgreSQL cluster '{clusterDirectory}' belongs to OS user '{owner}', but OsUser is '{requested}'. "
                + $"Leave OsUser unset, or hand the cluster over with 'chown -R {requested} {clusterDirectory}'.");
        var name = requested ?? owner ?? (await ExistsAsync("postgres", ct).ConfigureAwait(false) ? "postgres" : CreatedUser);
        if (name == "root")
            throw new EmbeddedPostgresException("PostgreSQL refuses to run as root; set OsUser to a non-root user, or leave it unset.");

        if (!await ExistsAsync(name, ct).ConfigureAwait(false))
        {
            if (name != CreatedUser)
                throw new EmbeddedPostgresException(
                    $"OS user '{name}' (OsUser) does not exist. Create it ('useradd --system {name}') or leave OsUser unset.");
            EmbeddedPostgresLog.CreatingUser(log, name);
            var created = await OsProcess.RunAsync(
                "useradd",
                ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name],
                TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
            // a concurrent launcher may have created it first
            if (!created.Succeeded && !await ExistsAsync(name, ct).ConfigureAwait(false))
                throw new EmbeddedPostgresException($"Could not create OS user '{name}' to run PostgreSQL: {created.Output}");
        }
        return new OsAccount(name, SwitchesUser: true);
    }

    /// <summary>
    /// Hands <paramref name="folder"/> to this user and checks that it can work in it: every parent must be traversable
    /// for it, which a root process cannot see by itself (root traverses everything).
    /// </summary>
    public async Task PrepareFolderAsync(string folder, CancellationToken ct)
    {
        if (!SwitchesUser) return;
        var chown = await OsProcess.RunAsync("chown", [Name, folder], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (!chown.Succeeded)
            throw new EmbeddedPostgresException($"Could not hand the data folder '{folder}' to OS user '{Name}': {chown.Output}");
        if ((await RunAsync("test", ["-w", folder, "-a", "-x", folder], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false)).Succeeded)
            return;

        // Deliberately no chmod of the parents: opening someone's home (e.g. /root) to other users is the operator's call.
        var ancestors = new List<string>();
        for (var dir = Path.GetDirectoryName(folder); dir is not null; dir = Path.GetDirectoryName(dir)) ancestors.Insert(0, dir);
        foreach (var ancestor in ancestors)
        {
            if (!(await RunAsync("test", ["-x", ancestor], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false)).Succeeded)
                throw new EmbeddedPostgresException(
                    $"PostgreSQL runs as OS user '{Name}' (it refuses to run as root), and that user cannot enter '{ancestor}', "
                    + $"a parent of the data folder '{folder}'. Choose a data folder outside '{ancestor}' (e.g. under /var/lib), "
                    + $"or let the user through: 'chmod o+x {ancestor}' or 'setfacl -m u:{Name}:x {ancestor}'.");
        }
        throw new EmbeddedPostgresException($"OS user '{Name}' cannot write to the data folder '{folder}' even after it was handed over (chown).");
    }

    private static async Task<bool> ExistsAsync(string user, CancellationToken ct) =>
        (await OsProcess.RunAsync("id", ["-u", user], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false)).Succeeded;

    private static async Task<string?> OwnerNameAsync(string path, CancellationToken ct)
    {
        var stat = await OsProcess.RunAsync("stat", ["-c", "%U", path], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        return stat.Succeeded ? stat.StandardOutput.Trim() : null;
    }
}
