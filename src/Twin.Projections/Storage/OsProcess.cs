using System.Diagnostics;
using System.Text;

namespace Twin.Projections.Storage;

/// <summary>The outcome of a finished child process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Both output streams, trimmed, for error messages.</summary>
    public string Output
    {
        get
        {
            var text = new StringBuilder();
            if (StandardOutput.Trim() is { Length: > 0 } stdout) text.AppendLine(stdout);
            if (StandardError.Trim() is { Length: > 0 } stderr) text.AppendLine(stderr);
            return text.ToString().TrimEnd();
        }
    }
}

/// <summary>Runs short-lived child processes (initdb, pg_ctl, apt-get, ...) and captures their output.</summary>
internal static class OsProcess
{
    public static bool IsOnPath(string program) => FindOnPath(program, Environment.GetEnvironmentVariable("PATH")) is not null;

    public static string? FindOnPath(string program, string? path)
    {
        foreach (var dir in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // the OS user we switch to may not be able to enter the caller's current directory
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // PGDATA, PGPORT, PGHOST... from the caller's environment must not redirect the tools
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        // stable, English messages: start-failure detection reads them
        info.Environment["LC_ALL"] = "C";
        info.Environment["LANG"] = "C";
        if (environment is not null)
            foreach (var (name, value) in environment) info.Environment[name] = value;

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new EmbeddedPostgresException($"Could not run '{fileName}': {e.Message}", e);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout > TimeSpan.Zero ? timeout : TimeSpan.FromMilliseconds(1));
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            ct.ThrowIfCancellationRequested();
            throw new EmbeddedPostgresException(
                $"'{fileName} {string.Join(' ', info.ArgumentList)}' did not finish within {timeout.TotalSeconds:0} s and was killed.");
        }
        return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    public static string Describe(string fileName, IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Prepend(fileName).Select(a => a.Length == 0 || a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
}
