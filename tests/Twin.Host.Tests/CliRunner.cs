using System.Diagnostics;
using Twin.Host.Cli;

namespace Twin.Host.Tests;

/// <summary>What one run of the CLI printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs the twin CLI: in this process (fast; the same entry point as the executable) or as the real
/// executable (<c>dotnet twin.dll</c>, for what only a process shows: exit status, console streams).</summary>
internal static class CliRunner
{
    public static async Task<CliRun> InProcess(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await TwinCli.RunAsync(args, new CliConsole(output, error, colour: false, errorColour: false), Http.Ct);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>The CLI in this process against the server at <paramref name="server"/>.</summary>
    public static Task<CliRun> Against(string server, params string[] args) => InProcess([.. args, "--server", server]);

    /// <summary><see cref="Against"/>, asserting the run exited 0.</summary>
    public static async Task<CliRun> OkAgainst(string server, params string[] args)
    {
        var run = await Against(server, args);
        Assert.True(run.ExitCode == ExitCodes.Ok, $"twin {string.Join(' ', args)}: {run}");
        return run;
    }

    /// <summary>The twin executable next to the tests (the project reference copies it with its runtime config).</summary>
    public static string Executable
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "twin.dll");
            Assert.True(File.Exists(dll), $"twin.dll is missing from {AppContext.BaseDirectory}: build tests/Twin.Host.Tests (it references src/Twin.Host)");
            return dll;
        }
    }

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(Executable);
        foreach (var a in args) info.ArgumentList.Add(a);
        // nothing from the developer's environment may point the CLI elsewhere
        info.Environment.Remove("TWIN_SERVER");
        info.Environment.Remove("TWIN_CONNECTION_STRING");
        return info;
    }

    public static async Task<CliRun> Process(params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(StartInfo(args))!;
        var output = process.StandardOutput.ReadToEndAsync(Http.Ct);
        var error = process.StandardError.ReadToEndAsync(Http.Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Http.Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await output, await error);
    }
}
