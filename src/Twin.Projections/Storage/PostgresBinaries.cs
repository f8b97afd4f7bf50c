using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Twin.Projections.Storage;

/// <summary>A folder holding the PostgreSQL server programs initdb, pg_ctl and postgres.</summary>
internal sealed partial record PostgresBinaries(string Directory)
{
    public static readonly string[] Programs = ["initdb", "pg_ctl", "postgres"];

    /// <summary>Where distributions install the server programs, after PATH: Debian/Ubuntu, PGDG RPMs, source builds.</summary>
    public static readonly string[] DistributionPatterns = ["/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin"];

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public string InitDb => Path.Combine(Directory, "initdb");
    public string PgCtl => Path.Combine(Directory, "pg_ctl");

    public static bool AreIn(string directory) => Programs.All(p => File.Exists(Path.Combine(directory, p)));

    /// <summary>
    /// Candidate folders in search order: the folder of <c>initdb</c> found on <paramref name="path"/> (links resolved,
    /// because pg_ctl and initdb look for <c>postgres</c> next to their real file), then the distribution folders,
    /// highest version first.
    /// </summary>
    public static IEnumerable<string> Candidates(string? path, IEnumerable<string> distributionPatterns)
    {
        if (OsProcess.FindOnPath("initdb", path) is { } initdb)
        {
            var real = Procfs.RealPath(initdb);
            yield return Path.GetDirectoryName(real)!;
        }
        foreach (var pattern in distributionPatterns)
        {
            var parent = Path.GetDirectoryName(Path.GetDirectoryName(pattern))!;     // /usr/lib/postgresql, /usr, /usr/local
            var versionGlob = Path.GetFileName(Path.GetDirectoryName(pattern))!;     // *, pgsql-*, pgsql
            var leaf = Path.GetFileName(pattern);                                    // bin
            if (!System.IO.Directory.Exists(parent)) continue;
            var matches = System.IO.Directory.EnumerateDirectories(parent, versionGlob)
                .Select(d => Path.Combine(d, leaf))
                .OrderByDescending(d => VersionOf(Path.GetFileName(Path.GetDirectoryName(d))!));
            foreach (var match in matches) yield return match;
        }
    }

    /// <summary>
    /// Finds the binaries. <paramref name="overrideDirectory"/> (TWIN_PG_BIN or the option) wins and is not second-guessed.
    /// With <paramref name="requiredMajor"/> (an existing cluster's PG_VERSION) only binaries of that major version qualify.
    /// </summary>
    public static async Task<PostgresBinaries?> LocateAsync(
        string? overrideDirectory, string? path, IEnumerable<string> distributionPatterns, int? requiredMajor, CancellationToken ct)
    {
        if (overrideDirectory is not null)
            return AreIn(overrideDirectory) ? new PostgresBinaries(Path.GetFullPath(overrideDirectory)) : null;
        foreach (var candidate in Candidates(path, distributionPatterns).Distinct(StringComparer.Ordinal))
        {
            if (!AreIn(candidate)) continue;
            var binaries = new PostgresBinaries(candidate);
            if (requiredMajor is null || await binaries.MajorVersionAsync(ct).ConfigureAwait(false) == requiredMajor) return binaries;
        }
        return null;
    }

    public async Task<int> MajorVersionAsync(CancellationToken ct)
    {
        // "pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        var result = await OsProcess.RunAsync(PgCtl, ["--version"], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        var match = VersionPattern().Match(result.StandardOutput);
        return result.Succeeded && match.Success
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new EmbeddedPostgresException($"Cannot tell the version of {PgCtl}: {result.Output}");
    }

    /// <summary>Locates the binaries, installing the distribution's package when they are missing and this process may.</summary>
    public static Task<PostgresBinaries> LocateOrInstallAsync(
        string? overrideDirectory, bool allowInstall, int? requiredMajor, ILogger log, CancellationToken ct) =>
        LocateOrInstallAsync(overrideDirectory, Environment.GetEnvironmentVariable("PATH"), DistributionPatterns, allowInstall, requiredMajor, log, ct);

    /// <summary><see cref="LocateOrInstallAsync(string?, bool, int?, ILogger, CancellationToken)"/> with the search places spelled out.</summary>
    public static async Task<PostgresBinaries> LocateOrInstallAsync(
        string? overrideDirectory, string? path, IReadOnlyList<string> distributionPatterns,
        bool allowInstall, int? requiredMajor, ILogger log, CancellationToken ct)
    {
        if (await LocateAsync(overrideDirectory, path, distributionPatterns, requiredMajor, ct).ConfigureAwait(false) is { } found)
            return found;
        if (overrideDirectory is not null)
            throw new EmbeddedPostgresException(
                $"The PostgreSQL binaries folder '{overrideDirectory}' (from {EmbeddedPostgres.BinDirectoryVariable} or the options) does not contain "
                + $"{string.Join(", ", Programs.Where(p => !File.Exists(Path.Combine(overrideDirectory, p))))}. "
                + $"Point {EmbeddedPostgres.BinDirectoryVariable} at the folder holding initdb, pg_ctl and postgres (e.g. /usr/lib/postgresql/15/bin), "
                + $"or unset it to search PATH and {string.Join(", ", distributionPatterns)}. {HowToGetThem}");
        if (requiredMajor is not null
            && await LocateAsync(null, path, distributionPatterns, null, ct).ConfigureAwait(false) is { } other)
            throw new EmbeddedPostgresException(
                $"The data folder was created by PostgreSQL {requiredMajor}, but only PostgreSQL {await other.MajorVersionAsync(ct).ConfigureAwait(false)} "
                + $"binaries were found ({other.Directory}). Install PostgreSQL {requiredMajor} (Debian: 'apt-get install postgresql-{requiredMajor}'), "
                + $"upgrade the folder with pg_upgrade, or use a new data folder.");

        var (installer, whyNot) = allowInstall ? await InstallerAsync(ct).ConfigureAwait(false) : (null, "");
        if (installer is null)
            throw new EmbeddedPostgresException(
                $"PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or in {string.Join(", ", distributionPatterns)}, "
                + $"and {(allowInstall ? whyNot : "installing them was not allowed (AllowInstall = false)")}. {HowToGetThem}");

        await InstallGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // another launcher in this process may have installed them while this one waited
            if (await LocateAsync(null, path, distributionPatterns, requiredMajor, ct).ConfigureAwait(false) is { } installed)
                return installed;
            EmbeddedPostgresLog.Installing(log, OsProcess.Describe(installer.File, installer.Arguments("install")));
            foreach (var step in new[] { "update", "install" })
            {
                var result = await OsProcess.RunAsync(
                    installer.File, installer.Arguments(step), TimeSpan.FromMinutes(15), ct,
                    new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" }).ConfigureAwait(false);
                if (!result.Succeeded)
                    throw new EmbeddedPostgresException(
                        $"Installing PostgreSQL failed: '{OsProcess.Describe(installer.File, installer.Arguments(step))}' exited with {result.ExitCode}:\n"
                        + $"{Tail(result.Output, 20)}\n{HowToGetThem}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
        return await LocateAsync(null, path, distributionPatterns, requiredMajor, ct).ConfigureAwait(false)
            ?? throw new EmbeddedPostgresException(
                $"The 'postgresql' package was installed, but initdb, pg_ctl and postgres are still not on PATH or in {string.Join(", ", distributionPatterns)}. "
                + $"Set {EmbeddedPostgres.BinDirectoryVariable} to the folder holding them.");
    }

    public static string HowToGetThem =>
        "Install the distribution's 'postgresql' package (Debian/Ubuntu: 'sudo apt-get install -y postgresql'; "
        + "Fedora/RHEL: 'sudo dnf install -y postgresql-server'), or use an existing PostgreSQL server by setting "
        + $"{EmbeddedPostgres.ConnectionStringVariable} to its connection string (e.g. 'Host=127.0.0.1;Port=5432;Database=twin;Username=twin;Password=...').";

    private sealed record Installer(string File, Func<string, string[]> Arguments);

    /// <summary>How this process can install the package, or why it cannot.</summary>
    private static async Task<(Installer? Installer, string WhyNot)> InstallerAsync(CancellationToken ct)
    {
        static string[] Apt(string step) => step == "update"
            ? ["-q", "update"]
            : ["-q", "-y", "-o", "DPkg::Lock::Timeout=300", "install", "postgresql"];
        if (!OsProcess.IsOnPath("apt-get"))
            return (null, "this machine has no apt-get to install them with");
        if (Procfs.IsRoot)
            return (new Installer("apt-get", Apt), "");
        if (OsProcess.IsOnPath("sudo")
            && (await OsProcess.RunAsync("sudo", ["-n", "true"], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false)).Succeeded)
            return (new Installer("sudo", step => ["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", .. Apt(step)]), "");
        return (null, "this process is neither root nor allowed passwordless sudo, so it cannot install them");
    }

    internal static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));

    private static Version VersionOf(string folderName)
    {
        // "15", "9.6", "pgsql-16"
        var digits = VersionNumber().Match(folderName);
        return digits.Success && Version.TryParse(digits.Value.Contains('.', StringComparison.Ordinal) ? digits.Value : digits.Value + ".0", out var v)
            ? v
            : new Version(0, 0);
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex VersionNumber();
}
