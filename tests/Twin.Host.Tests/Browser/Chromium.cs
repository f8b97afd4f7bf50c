using System.Diagnostics;

namespace Twin.Host.Tests.Browser;

/// <summary>
/// Finds Debian's Chromium for the browser tests, installing it (<c>apt-get install chromium</c>) when it is missing and
/// this process may; otherwise fails with what to do. <c>TWIN_CHROMIUM</c> names another Chromium or Chrome binary.
/// </summary>
internal static class Chromium
{
    private const string Variable = "TWIN_CHROMIUM";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _found;

    public static async Task<string> LocateOrInstallAsync()
    {
        await Gate.WaitAsync(Http.Ct);
        try
        {
            return _found ??= await Find();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"{Variable}={configured}, which does not exist.");
        string[] candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
        if (candidates.FirstOrDefault(File.Exists) is { } present) return present;

        const string how = "Install Debian's Chromium (as root: apt-get install -y chromium chromium-driver), or set TWIN_CHROMIUM to a Chromium or Chrome binary.";
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/apt-get"))
            throw new InvalidOperationException($"The browser test needs Chromium, which is not installed, and this process cannot install it. {how}");
        TestContext.Current.TestOutputHelper?.WriteLine("Chromium is missing: installing Debian's chromium package (apt-get) ...");
        var installed = await Apt("install -y -qq chromium") == 0 || await Apt("update -qq") == 0 && await Apt("install -y -qq chromium") == 0;
        return installed && File.Exists(candidates[0])
            ? candidates[0]
            : throw new InvalidOperationException($"Installing Chromium with apt-get failed (see the test output). {how}");
    }

    private static async Task<int> Apt(string arguments)
    {
        var info = new ProcessStartInfo("apt-get", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Http.Ct);
        var error = process.StandardError.ReadToEndAsync(Http.Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Http.Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"apt-get {arguments}: exit {process.ExitCode}\n{(await output)[^Math.Min(2000, (await output).Length)..]}{await error}");
        return process.ExitCode;
    }
}
