using System.Diagnostics;
using Twin.Host.Server;
using Twin.Host.Tests.Import;
using Twin.Projections.Storage;
using YamlDotNet.RepresentationModel;

namespace Twin.Host.Tests;

/// <summary>
/// <c>docker-compose.yml</c> checked by Docker Compose itself (<c>docker-compose config</c>: no engine needed) and then
/// against the code: PostgreSQL and two silos, each with a health check, the silos built from the Dockerfile, waiting for
/// a healthy PostgreSQL, and configured only through variables that <c>twin serve</c> reads, with values it accepts.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string ComposeFile = Path.Combine(Fixtures.Root, "docker-compose.yml");

    private static readonly string[] KnownVariables =
    [
        EmbeddedPostgres.ConnectionStringVariable, ServeSettings.ClusteringVariable, ServeSettings.ClusterIdVariable,
        ServeSettings.SiloPortVariable, ServeSettings.GatewayPortVariable, ServeSettings.AdvertisedAddressVariable,
        ServeSettings.ProductionVariable, ServeSettings.ProtectReadsVariable, ApiTokens.WriteVariable, ApiTokens.ReadVariable,
    ];

    private static async Task<(int Code, string Out, string Err)> Compose(IDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("docker-compose") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Fixtures.Root };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("docker-compose is not installed: scripts/test.sh installs it (scripts/prereqs.sh), or run "
                        + "`sudo apt-get install docker-compose` (Debian/Ubuntu package; no Docker engine is needed for `config`).");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(Http.Ct);
            var stderr = process.StandardError.ReadToEndAsync(Http.Ct);
            await process.WaitForExitAsync(Http.Ct).WaitAsync(TimeSpan.FromSeconds(60), Http.Ct);
            return (process.ExitCode, await stdout, await stderr);
        }
    }

    private static readonly Dictionary<string, string?> Tokens = new()
    {
        [ApiTokens.WriteVariable] = "compose-test-write-token-0123456789",
        [ApiTokens.ReadVariable] = "compose-test-read-token-0123456789",
    };

    private static YamlMappingNode Map(YamlNode node, string key) => (YamlMappingNode)((YamlMappingNode)node).Children[new YamlScalarNode(key)];

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node).Children[new YamlScalarNode(key)]).Value!;

    [Fact]
    public async Task Docker_compose_accepts_the_file_and_it_runs_postgres_and_two_silos_configured_the_way_twin_reads()
    {
        var (code, output, error) = await Compose(Tokens, "-f", ComposeFile, "config");
        Assert.True(code == 0, $"docker-compose config failed ({code}):\n{error}");

        var yaml = new YamlStream();
        yaml.Load(new StringReader(output));
        var services = Map(yaml.Documents[0].RootNode, "services");
        Assert.Equal(["postgres", "silo1", "silo2"], services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal));
        foreach (var (name, service) in services.Children)
            Assert.True(((YamlMappingNode)service).Children.ContainsKey(new YamlScalarNode("healthcheck")), $"service {name} has no health check");

        var pgEnvironment = Map(services.Children[new YamlScalarNode("postgres")], "environment");
        var ports = new HashSet<string>();
        foreach (var silo in new[] { "silo1", "silo2" })
        {
            var service = services.Children[new YamlScalarNode(silo)];
            Assert.Equal(Fixtures.Root, Scalar(Map(service, "build"), "context"));
            Assert.Equal("service_healthy", Scalar(Map(Map(service, "depends_on"), "postgres"), "condition"));
            var command = ((YamlSequenceNode)((YamlMappingNode)service).Children[new YamlScalarNode("command")]).Children.Select(c => ((YamlScalarNode)c).Value).ToList();
            Assert.Equal("serve", command[0]);
            Assert.Contains(command, c => c!.Contains("0.0.0.0:8080", StringComparison.Ordinal));

            var environment = Map(service, "environment").Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);
            Assert.All(environment.Keys, k => Assert.Contains(k, KnownVariables));
            Assert.Equal(ClusteringMode.Postgres, ServeOptions.Clustering(environment[ServeSettings.ClusteringVariable]));
            Assert.True(environment[ServeSettings.AdvertisedAddressVariable] == "auto" || System.Net.IPAddress.TryParse(environment[ServeSettings.AdvertisedAddressVariable], out _));
            Assert.True(int.TryParse(environment[ServeSettings.SiloPortVariable], out _) && int.TryParse(environment[ServeSettings.GatewayPortVariable], out _));
            Assert.Equal(Tokens[ApiTokens.WriteVariable], environment[ApiTokens.WriteVariable]);
            Assert.Equal(Tokens[ApiTokens.ReadVariable], environment[ApiTokens.ReadVariable]);

            // the silos reach the postgres service with the credentials it is created with
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(environment[EmbeddedPostgres.ConnectionStringVariable]);
            Assert.Equal("postgres", connection.Host);
            Assert.Equal(Scalar(pgEnvironment, "POSTGRES_USER"), connection.Username);
            Assert.Equal(Scalar(pgEnvironment, "POSTGRES_PASSWORD"), connection.Password);
            Assert.Equal(Scalar(pgEnvironment, "POSTGRES_DB"), connection.Database);

            var published = ((YamlSequenceNode)((YamlMappingNode)service).Children[new YamlScalarNode("ports")]).Children.Single();
            Assert.True(ports.Add(Scalar(published, "published")), $"{silo} publishes a port another silo publishes");
        }

        // the Dockerfile the silos are built from publishes the twin executable and starts it
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(Fixtures.Root, "Dockerfile"), Http.Ct);
        Assert.Contains("dotnet publish src/Twin.Host/Twin.Host.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"twin.dll\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains("<AssemblyName>twin</AssemblyName>", await File.ReadAllTextAsync(Path.Combine(Fixtures.Root, "src", "Twin.Host", "Twin.Host.csproj"), Http.Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_shared_tokens_docker_compose_refuses_the_file_and_says_which_variable_to_set()
    {
        var (code, _, error) = await Compose(new Dictionary<string, string?> { [ApiTokens.WriteVariable] = null, [ApiTokens.ReadVariable] = null }, "-f", ComposeFile, "config");
        Assert.NotEqual(0, code);
        Assert.Contains("set TWIN_TOKEN", error, StringComparison.Ordinal);
    }
}
