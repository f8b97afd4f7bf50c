using Twin.Host.Cli;
using Twin.Host.Tests.Import;

namespace Twin.Host.Tests;

/// <summary><c>twin import</c> against the running server: real captures with host facts files make the twin match
/// them, idempotently; a host the twin cannot place VMs on, or a malformed file, is refused and nothing is written.</summary>
[Collection(ServerCollection.Name)]
public sealed class ImportCliTests(TwinServerFixture fx)
{
    private Task<CliRun> Twin(params string[] args) => CliRunner.InProcess([.. args, "--server", fx.BaseAddress.ToString()]);

    private static string Datacenter => Path.Combine(Fixtures.Root, "samples", "datacenter");

    [Fact]
    public async Task The_sample_datacenter_imports_once_and_a_second_import_appends_nothing()
    {
        var first = await Twin("import", Datacenter);
        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        Assert.Contains("5 host(s), 5 PF(s), 1 switch(es), 0 VM(s) from 10 file(s)", first.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("events appended  0", first.Out, StringComparison.Ordinal);
        // the Hyper-V capture gives no PCI address: that is said, once per import
        Assert.Contains("has no PCI address in this import", first.Error, StringComparison.Ordinal);

        var second = await Twin("import", Datacenter);
        Assert.True(second.ExitCode == ExitCodes.Ok, second.ToString());
        Assert.Contains("events appended  0", second.Out, StringComparison.Ordinal);

        var inventory = await Twin("inventory", "--host", "kvm-a03", "-o", "json");
        Assert.Contains("0000:a2:00.0", inventory.Out, StringComparison.Ordinal);
        Assert.Contains("\"cores\": 64", inventory.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_without_cores_or_memory_is_refused_with_how_to_give_them_and_nothing_is_written()
    {
        var host = Http.NewId("bare");
        var folder = Directory.CreateTempSubdirectory("twin-import-");
        try
        {
            var dir = Directory.CreateDirectory(Path.Combine(folder.FullName, host));
            File.Copy(Path.Combine(Fixtures.Folder, "linux-sysfs", "procfs_e810_0000-a2-00.0.ttar"), Path.Combine(dir.FullName, "e810.ttar"));
            var refused = await Twin("import", folder.FullName);
            Assert.Equal(ExitCodes.Usage, refused.ExitCode);
            Assert.Contains($"host {host}: core count and memory unknown", refused.Error, StringComparison.Ordinal);
            Assert.Contains("--cores and --memory-gib", refused.Error, StringComparison.Ordinal);
            Assert.Contains("nothing was imported", refused.Error, StringComparison.Ordinal);
            await AssertAbsent(host);

            var withOptions = await Twin("import", folder.FullName, "--cores", "24", "--memory-gib", "192", "--os", "Debian 12");
            Assert.True(withOptions.ExitCode == ExitCodes.Ok, withOptions.ToString());
            var shown = await Twin("inventory", "--host", host, "-o", "json");
            Assert.Contains("\"cores\": 24", shown.Out, StringComparison.Ordinal);
            Assert.Contains("\"os\": \"Debian 12\"", shown.Out, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_malformed_facts_file_fails_naming_file_and_line_and_nothing_is_written()
    {
        var host = Http.NewId("typo");
        var folder = Directory.CreateTempSubdirectory("twin-import-");
        try
        {
            var dir = Directory.CreateDirectory(Path.Combine(folder.FullName, host));
            File.Copy(Path.Combine(Fixtures.Folder, "linux-sysfs", "procfs_e810_0000-a2-00.0.ttar"), Path.Combine(dir.FullName, "e810.ttar"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "host.yaml"), "kind: TwinHost\ncores: 32\nmemoryGb: 256\n", Http.Ct);
            var run = await Twin("import", folder.FullName);
            Assert.Equal(ExitCodes.Usage, run.ExitCode);
            Assert.Contains($"{host}/host.yaml line 3, column 11: memoryGb is not a TwinHost field", run.Error, StringComparison.Ordinal);
            await AssertAbsent(host);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private async Task AssertAbsent(string host)
    {
        var inventory = await Twin("inventory", "-o", "json");
        Assert.True(inventory.ExitCode == ExitCodes.Ok, inventory.ToString());
        Assert.DoesNotContain(host, inventory.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--cores", "0", "--cores must be a positive number, not 0")]
    [InlineData("--memory-gib", "-1", "--memory-gib must be a positive amount, not -1")]
    public async Task Wrong_host_defaults_are_usage_errors(string option, string value, string message)
    {
        var run = await Twin("import", Datacenter, option, value);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }
}
