using System.Globalization;

namespace Twin.Projections.Storage;

/// <summary>What Linux' /proc says about processes: who they run as and which folder they work in.</summary>
internal static class Procfs
{
    public static uint EffectiveUid(int pid) =>
        TryEffectiveUid(pid) ?? throw new EmbeddedPostgresException($"Cannot read the user of process {pid} from /proc.");

    public static uint? TryEffectiveUid(int pid)
    {
        try
        {
            // "Uid:\treal\teffective\tsaved\tfs"
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 3 } ? uint.Parse(fields[2], CultureInfo.InvariantCulture) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public static bool IsRoot => EffectiveUid(Environment.ProcessId) == 0;

    /// <summary>Whether the process exists and is not a zombie (where no init reaps orphans, a dead postmaster lingers as one).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            // "pid (comm) S ...": the state follows the last ')', since comm may contain anything
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 1)..].TrimStart();
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The working directory of a process, or null when it is gone or not readable by this user.</summary>
    public static string? WorkingDirectory(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Processes whose working directory is <paramref name="realDirectory"/>: every process of a PostgreSQL cluster
    /// (postmaster and backends) works in its data folder, so this finds a cluster's processes, and only those.
    /// </summary>
    public static IReadOnlyList<int> ProcessesWorkingIn(string realDirectory)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (pid == Environment.ProcessId) continue;
            if (WorkingDirectory(pid) == realDirectory) found.Add(pid);
        }
        return found;
    }

    /// <summary>The path with every symbolic link resolved, as /proc reports working directories.</summary>
    public static string RealPath(string path) => RealPath(Path.GetFullPath(path), depth: 0);

    private static string RealPath(string fullPath, int depth)
    {
        if (depth > 40) throw new IOException($"Too many levels of symbolic links in '{fullPath}'.");
        var current = "/";
        foreach (var part in fullPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            current = target is null ? next : RealPath(Path.GetFullPath(target, current), depth + 1);
        }
        return current;
    }
}
