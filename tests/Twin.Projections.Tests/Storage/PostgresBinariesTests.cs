using Microsoft.Extensions.Logging.Abstractions;
using Twin.Projections.Storage;
using static Twin.Projections.Tests.Storage.PgTestSupport;

namespace Twin.Projections.Tests.Storage;

/// <summary>Tests that change process-wide environment variables run alone.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>Finding the server binaries, and the errors that say how to get them.</summary>
public sealed class PostgresBinariesTests
{
    [Fact]
    public async Task Binaries_folder_without_the_programs_and_install_forbidden_says_how_to_get_them()
    {
        var empty = Directory.CreateTempSubdirectory("twin-test-empty-bin-").FullName;
        var folder = NewFolder("no-binaries");
        try
        {
            var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
            {
                DataDirectory = folder,
                BinDirectory = empty,
                AllowInstall = false,
                DeleteOnDispose = true,
            }, TestLog.Instance, Ct));

            TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
            Assert.Contains(empty, error.Message, StringComparison.Ordinal);
            Assert.Contains("initdb, pg_ctl, postgres", error.Message, StringComparison.Ordinal);
            Assert.Contains("'postgresql' package", error.Message, StringComparison.Ordinal);
            Assert.Contains(EmbeddedPostgres.ConnectionStringVariable, error.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(folder));
        }
        finally
        {
            DeleteFolder(empty);
        }
    }

    [Fact]
    public async Task No_binaries_anywhere_and_install_forbidden_says_how_to_get_them()
    {
        var nowhere = Directory.CreateTempSubdirectory("twin-test-no-pg-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => PostgresBinaries.LocateOrInstallAsync(
                overrideDirectory: null, path: nowhere, distributionPatterns: [Path.Combine(nowhere, "*", "bin")],
                allowInstall: false, requiredMajor: null, NullLogger.Instance, Ct));

            TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
            Assert.Contains("were not found", error.Message, StringComparison.Ordinal);
            Assert.Contains("AllowInstall = false", error.Message, StringComparison.Ordinal);
            Assert.Contains("apt-get install -y postgresql", error.Message, StringComparison.Ordinal);
            Assert.Contains(EmbeddedPostgres.ConnectionStringVariable, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            DeleteFolder(nowhere);
        }
    }

    [Fact]
    public async Task Initdb_found_through_a_link_on_PATH_means_the_folder_it_links_to()
    {
        var real = await BinariesAsync();
        var links = Directory.CreateTempSubdirectory("twin-test-path-").FullName;
        try
        {
            File.CreateSymbolicLink(Path.Combine(links, "initdb"), real.InitDb);

            var first = PostgresBinaries.Candidates(links, []).First();

            Assert.Equal(Procfs.RealPath(real.Directory), first);
        }
        finally
        {
            DeleteFolder(links);
        }
    }

    [Fact]
    public void Distribution_folders_are_tried_highest_version_first()
    {
        var root = Directory.CreateTempSubdirectory("twin-test-distro-").FullName;
        try
        {
            foreach (var version in new[] { "9.6", "15", "16", "10" })
                Directory.CreateDirectory(Path.Combine(root, version, "bin"));

            var order = PostgresBinaries.Candidates(path: "", [Path.Combine(root, "*", "bin")])
                .Select(d => Path.GetFileName(Path.GetDirectoryName(d)));

            Assert.Equal(["16", "15", "10", "9.6"], order);
        }
        finally
        {
            DeleteFolder(root);
        }
    }
}

/// <summary>The TWIN_PG_BIN override, set for real in the process environment.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class PostgresBinDirectoryVariableTests
{
    [Fact]
    public async Task TWIN_PG_BIN_pointing_to_an_empty_folder_with_install_forbidden_gives_the_clear_error()
    {
        var empty = Directory.CreateTempSubdirectory("twin-test-empty-bin-").FullName;
        var folder = NewFolder("bad-pg-bin");
        var before = Environment.GetEnvironmentVariable(EmbeddedPostgres.BinDirectoryVariable);
        Environment.SetEnvironmentVariable(EmbeddedPostgres.BinDirectoryVariable, empty);
        try
        {
            var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(
                new EmbeddedPostgresOptions { DataDirectory = folder, AllowInstall = false, DeleteOnDispose = true }, TestLog.Instance, Ct));

            Assert.Contains(EmbeddedPostgres.BinDirectoryVariable, error.Message, StringComparison.Ordinal);
            Assert.Contains(empty, error.Message, StringComparison.Ordinal);
            Assert.Contains("'postgresql' package", error.Message, StringComparison.Ordinal);
            Assert.Contains(EmbeddedPostgres.ConnectionStringVariable, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(EmbeddedPostgres.BinDirectoryVariable, before);
            DeleteFolder(empty);
            DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task TWIN_PG_BIN_pointing_to_the_binaries_is_used()
    {
        var real = await BinariesAsync();
        var folder = NewFolder("pg-bin");
        var before = Environment.GetEnvironmentVariable(EmbeddedPostgres.BinDirectoryVariable);
        Environment.SetEnvironmentVariable(EmbeddedPostgres.BinDirectoryVariable, real.Directory);
        try
        {
            await using var pg = await EmbeddedPostgres.StartAsync(
                new EmbeddedPostgresOptions { DataDirectory = folder, Durable = false, AllowInstall = false, DeleteOnDispose = true }, TestLog.Instance, Ct);

            Assert.Equal(await real.MajorVersionAsync(Ct), pg.MajorVersion);
            Assert.Equal(1, await ScalarAsync(pg.ConnectionString, "SELECT 1"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(EmbeddedPostgres.BinDirectoryVariable, before);
            DeleteFolder(folder);
        }
    }
}
