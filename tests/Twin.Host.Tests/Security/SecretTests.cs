using Twin.Host.Tests.Faults;

namespace Twin.Host.Tests.Security;

/// <summary>A database password and the API tokens never appear in what Twin prints when the database cannot be
/// reached or the connection string is malformed: <c>twin serve</c> (verbose, a real process) and
/// <c>twin db migrate</c> fail in a sentence that names the server by user, host, port and database only.</summary>
public sealed class SecretTests
{
    private const string Password = "pg-secret-7d3e1b9a";

    private static void NoSecrets(CliRun run)
    {
        var all = run.Out + run.Error;
        Assert.True(all.Length > 20, $"nothing printed: the search proves nothing\n{run}");
        Assert.DoesNotContain(Password, all, StringComparison.Ordinal);
        Assert.DoesNotContain(TwinServerFixture.WriteToken, all, StringComparison.Ordinal);
        Assert.DoesNotContain(TwinServerFixture.ReadToken, all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_cannot_reach_its_database_fails_without_printing_the_password_or_a_token()
    {
        var data = Directory.CreateTempSubdirectory("twin-secret-test-").FullName;
        try
        {
            // a port nothing listens on
            var connection = $"Host=127.0.0.1;Port={LocalCluster.FreePort()};Database=twin;Username=twin;Password={Password};Timeout=3";
            var run = await CliRunner.Process("serve", "--connection", connection, "--data", data, "--urls", "http://127.0.0.1:0", "--verbose");
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("twin@127.0.0.1", run.Out + run.Error);
            NoSecrets(run);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=1;Database=twin;Username=twin;Password=" + Password + ";Timeout=3")]
    [InlineData("Host=127.0.0.1;Password=" + Password + ";Nonsense Keyword=1")]
    public async Task A_migration_that_fails_does_not_print_the_password(string connection)
    {
        var run = await CliRunner.InProcess("db", "migrate", "--connection", connection);
        Assert.NotEqual(0, run.ExitCode);
        NoSecrets(run);
    }
}
