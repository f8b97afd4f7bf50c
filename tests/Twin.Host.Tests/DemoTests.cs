using System.Diagnostics;

namespace Twin.Host.Tests;

/// <summary>
/// <c>twin demo</c> as a new user runs it: the real executable, its own embedded PostgreSQL and silo, the sample
/// captures and trace tables copied next to it. A small workload keeps it quick; the story and its files must all be
/// there, and bad options or a folder the demo did not make are refused before anything is touched.
/// </summary>
public sealed class DemoTests
{
    private static readonly CancellationToken Ct = Http.Ct;

    private static async Task<CliRun> Demo(params string[] args)
    {
        var info = CliRunner.StartInfo(["demo", .. args]);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"twin demo did not finish in 4 minutes\n{await output}\n{await error}");
        }
        return new CliRun(process.ExitCode, await output, await error);
    }

    private static string TempFolder() => Path.Combine(Path.GetTempPath(), "twin-demo-test-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task The_demo_imports_changes_runs_investigates_rehearses_and_forecasts_on_its_own_postgres()
    {
        var data = TempFolder();
        try
        {
            var run = await Demo("--data", data, "--vms", "40", "--hours", "4", "--vfs", "2");
            Assert.True(run.ExitCode == 0, run.ToString());
            var text = run.Out;
            foreach (var heading in new[] { "1. Start", "2. Import", "3. Change", "4. Run VMs", "5. Investigate", "6. Rehearse", "7. Forecast" })
                Assert.Contains(heading, text, StringComparison.Ordinal);
            Assert.Contains("embedded and durable (fsync on)", text, StringComparison.Ordinal);
            Assert.Contains("→ 5 hosts, 5 PFs", text, StringComparison.Ordinal); // samples/datacenter: kvm-a01..a04 and a Hyper-V host
            var arriving = System.Text.RegularExpressions.Regex.Match(text, @"(\d+) VMs arriving over 4 trace hours");
            Assert.True(arriving.Success, text);
            Assert.Contains($"{arriving.Groups[1].Value} starts and ", text, StringComparison.Ordinal);
            Assert.Matches(@"why: az-\d+/net0 is", text);
            Assert.Contains("time travel: the datacenter at the peak", text, StringComparison.Ordinal);
            Assert.Matches(@"replay: had .* had 4 VFs instead of 2", text);
            // a Linux PF with holders cannot go N→M in place (the kernel's EBUSY), whatever the count
            Assert.Matches(@"plan: set kvm-a0\d/0000:a2:00.0 \(\d+ of 2 VFs held\) to 4 VFs → NO-GO", text);
            Assert.Matches(@"variant +VFs", text);
            Assert.Matches(@"baseline +10 ", text);
            Assert.Contains("vfs-4", text, StringComparison.Ordinal);
            Assert.Contains("vfs-8", text, StringComparison.Ordinal);

            Assert.True(File.Exists(Path.Combine(data, "twin-demo.txt")));
            Assert.Contains("<html", await File.ReadAllTextAsync(Path.Combine(data, "forecast.html"), Ct), StringComparison.OrdinalIgnoreCase);
            Assert.Contains("name: demo-forecast", await File.ReadAllTextAsync(Path.Combine(data, "forecast.yaml"), Ct), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(data, "plans", "kvm-set-vfs.yaml")));
            Assert.True(File.Exists(Path.Combine(data, "pgdata", "PG_VERSION")), "the demo's PostgreSQL cluster stays in its folder");

            // a second run recreates its own folder
            var again = await Demo("--data", data, "--vms", "5", "--hours", "1");
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Matches(@"\d+ starts and \d+ stops", again.Out);
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_folder_the_demo_did_not_make_is_refused_and_left_alone()
    {
        var data = TempFolder();
        Directory.CreateDirectory(data);
        var precious = Path.Combine(data, "precious.txt");
        await File.WriteAllTextAsync(precious, "keep me", Ct);
        try
        {
            var run = await CliRunner.InProcess("demo", "--data", data);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("was not made by `twin demo`", run.Error, StringComparison.Ordinal);
            Assert.Equal("keep me", await File.ReadAllTextAsync(precious, Ct));
            Assert.Single(Directory.EnumerateFileSystemEntries(data));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("--vms", "0", "--vms must be 1-5000, not 0")]
    [InlineData("--hours", "-3", "--hours must be positive")]
    [InlineData("--vfs", "999", "--vfs must be 1-256, not 999")]
    public async Task Impossible_options_are_refused_before_anything_starts(string option, string value, string message)
    {
        var data = TempFolder();
        var run = await CliRunner.InProcess("demo", "--data", data, option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data), "nothing was created");
    }
}
