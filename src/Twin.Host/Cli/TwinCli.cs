using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Twin.Host.Server;

namespace Twin.Host.Cli;

/// <summary>The options every client verb takes.</summary>
internal sealed class GlobalOptions
{
    /// <summary>The environment variable naming the server (like <c>--server</c>).</summary>
    public const string ServerVariable = "TWIN_SERVER";

    public Option<string> Server { get; } = new("--server", "-s")
    {
        Description = $"The twin server's address [env {ServerVariable}; default {ServeSettings.DefaultUrl}]",
        Recursive = true,
        HelpName = "URL",
    };

    public Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "table (for people), json (the API's answer) or csv (for pipelines)",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public Option<string?> Operation { get; } = new("--operation")
    {
        Description = "Operation id of a command: retrying with the same id appends nothing twice",
        Recursive = true,
        HelpName = "ID",
    };

    public Option<string?> Actor { get; } = new("--actor")
    {
        Description = "Who acts, recorded with every event [default twin-cli/$USER]",
        Recursive = true,
        HelpName = "NAME",
    };

    public Option<int> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds to wait for the server's answer",
        Recursive = true,
        DefaultValueFactory = _ => 120,
        HelpName = "SECONDS",
    };

    /// <summary>The environment variable naming the data folder of a local server, where the CLI finds its token.</summary>
    public const string DataVariable = "TWIN_DATA";

    /// <summary>The token to send: env <c>TWIN_TOKEN</c>, else — for a server on this machine (loopback) — the write
    /// token stored in its data folder (env <c>TWIN_DATA</c>, default <c>.twin</c>). A token read from a file is never
    /// sent to another machine.</summary>
    public static string? Token(Uri server) => Token(server, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Token(Uri)"/> with the environment given.</summary>
    internal static string? Token(Uri server, Func<string, string?> environment)
    {
        if (environment(ApiTokens.WriteVariable) is { Length: > 0 } fromEnvironment) return fromEnvironment.Trim();
        if (!server.IsLoopback) return null;
        var folder = environment(DataVariable) is { Length: > 0 } d ? d : ServeSettings.DefaultDataDirectory;
        try
        {
            var path = ApiTokens.PathOf(folder, ApiTokens.WriteFile);
            return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void AddTo(RootCommand root)
    {
        root.Add(Server);
        root.Add(Output);
        root.Add(Operation);
        root.Add(Actor);
        root.Add(Timeout);
    }

    public Uri ServerUri(ParseResult p)
    {
        var text = p.GetValue(Server) is { Length: > 0 } s ? s
            : Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } e ? e : ServeSettings.DefaultUrl;
        if (!text.Contains("://", StringComparison.Ordinal)) text = "http://" + text;
        return Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliException(ExitCodes.Usage, $"twin: '{text}' is not a server address; use e.g. --server http://127.0.0.1:5077");
    }
}

/// <summary>What a client verb's action works with.</summary>
internal sealed record CliContext(CliConsole Console, TwinClient Client, Output Output);

/// <summary>
/// The <c>twin</c> command line: <c>twin serve</c> runs the server; every other verb is a client of its HTTP API
/// (<c>--server</c> / <c>TWIN_SERVER</c>), with kubectl-like output (<c>-o table|json|csv</c>) and documented exit codes.
/// </summary>
public static class TwinCli
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole? console = null, CancellationToken ct = default)
    {
        console ??= CliConsole.FromSystemConsole();
        var root = Build(console);
        var parsed = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // `twin serve` stops on Ctrl-C itself (the host's lifetime), cleanly; client verbs just end
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction and not HelpWithExitCodes)
        {
            foreach (var error in parsed.Errors) console.Fail($"twin: {error.Message}");
            var verb = parsed.CommandResult.Command == root ? "twin" : "twin " + string.Join(' ', CommandPath(parsed.CommandResult.Command));
            console.Fail($"      See `{verb} --help`.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parsed.InvokeAsync(configuration, ct);
        }
        catch (CliException e)
        {
            console.Fail(e.Message);
            return e.ExitCode;
        }
    }

    /// <summary>The whole command tree.</summary>
    internal static RootCommand Build(CliConsole console)
    {
        var global = new GlobalOptions();
        var root = new RootCommand(
            "Twin: an event-sourced digital twin of an SR-IOV datacenter (hosts, chipsets, NIC PFs and their VF pools, virtual switches, VMs).\n"
            + "`twin serve` runs the server (silo, HTTP API, dashboard); the other verbs are clients of its API.");
        global.AddTo(root);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExitCodes((HelpAction)help.Action!);

        root.Add(Serve(console));
        root.Add(Demo(console));
        InventoryVerbs.AddTo(root, global, console);
        HistoryVerbs.AddTo(root, global, console);
        ImportVerb.AddTo(root, global, console);
        NicVerbs.AddTo(root, global, console);
        SwitchVerbs.AddTo(root, global, console);
        VmVerbs.AddTo(root, global, console);
        WhatIfVerbs.AddTo(root, global, console);
        RehearseVerb.AddTo(root, global, console);
        SweepVerb.AddTo(root, global, console);
        AdminVerbs.AddTo(root, console);
        root.SetAction(p => root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error }));
        return root;
    }

    /// <summary>Makes <paramref name="command"/> a client verb: its action gets a client of the server and the output.</summary>
    internal static Command Client(this Command command, GlobalOptions global, CliConsole console,
        Func<ParseResult, CliContext, CancellationToken, Task<int>> run)
    {
        command.SetAction((p, ct) => RunClientAsync(p, global, console, (c, token) => run(p, c, token), ct));
        return command;
    }

    /// <summary>Runs a client action with a client of the server the options name.</summary>
    internal static async Task<int> RunClientAsync(ParseResult p, GlobalOptions global, CliConsole console,
        Func<CliContext, CancellationToken, Task<int>> run, CancellationToken ct)
    {
        var server = global.ServerUri(p);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(Math.Max(1, p.GetValue(global.Timeout))) };
        var client = new TwinClient(server, http, p.GetValue(global.Operation), p.GetValue(global.Actor), GlobalOptions.Token(server));
        try
        {
            return await run(new CliContext(console, client, new Output(console, p.GetValue(global.Output))), ct);
        }
        catch (CliException e)
        {
            console.Fail(e.Message);
            return e.ExitCode;
        }
    }

    private static Command Serve(CliConsole console)
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where the API and dashboard listen (semicolon-separated; loopback by default)",
            DefaultValueFactory = _ => ServeSettings.DefaultUrl,
            HelpName = "URL",
        };
        var data = new Option<string>("--data")
        {
            Description = "Folder of the embedded PostgreSQL cluster and of the generated API tokens (created when missing)",
            DefaultValueFactory = _ => ServeSettings.DefaultDataDirectory,
            HelpName = "DIR",
        };
        var connection = new Option<string?>("--connection")
        {
            Description = $"Use this PostgreSQL server instead of the embedded one [env {Twin.Projections.Storage.EmbeddedPostgres.ConnectionStringVariable}]",
            HelpName = "CONNECTION_STRING",
        };
        var siloPort = new Option<int?>("--silo-port") { Description = $"Orleans silo port [env {ServeSettings.SiloPortVariable}; default a free port]", HelpName = "PORT" };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = $"Orleans gateway port [env {ServeSettings.GatewayPortVariable}; default a free port]", HelpName = "PORT" };
        var clustering = new Option<string?>("--clustering")
        {
            Description = $"localhost (one silo) or adonet (alias postgres: membership in the PostgreSQL through Orleans' ADO.NET clustering; silos on one database form one cluster) [env {ServeSettings.ClusteringVariable}; default localhost]",
            HelpName = "MODE",
        };
        var clusterId = new Option<string?>("--cluster-id") { Description = $"The cluster's id [env {ServeSettings.ClusterIdVariable}; default twin]", HelpName = "ID" };
        var advertise = new Option<string?>("--advertise")
        {
            Description = $"The IP other silos reach this one at, or 'auto' (this host's first non-loopback IPv4) [env {ServeSettings.AdvertisedAddressVariable}; default 127.0.0.1]",
            HelpName = "IP",
        };
        var production = new Option<bool>("--production")
        {
            Description = $"Never change the database schema (an administrator runs `twin db migrate`) and refuse a role that could drop it [env {ServeSettings.ProductionVariable}]",
        };
        var protectReads = new Option<bool>("--protect-reads")
        {
            Description = $"Queries need a token too (the default when listening beyond loopback) [env {ServeSettings.ProtectReadsVariable}]",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log informational messages (silo, Marten, requests), not only warnings" };
        var serve = new Command("serve",
            "Runs the twin: an Orleans silo (localhost clustering, or a cluster whose membership is in PostgreSQL), the event store on "
            + "PostgreSQL (embedded and durable unless --connection is given), the HTTP API (OpenAPI at /openapi/v1.json), /metrics, "
            + $"/health and the dashboard. Commands need the write token (env {ApiTokens.WriteVariable}, else generated once into DIR/{ApiTokens.Folder}/); "
            + "a read-only token (the same way) may only query. Ctrl-C stops it cleanly.")
        {
            urls, data, connection, siloPort, gatewayPort, clustering, clusterId, advertise, production, protectReads, verbose,
        };
        serve.SetAction((p, ct) =>
        {
            var folder = p.GetValue(data) ?? ServeSettings.DefaultDataDirectory;
            var listen = p.GetValue(urls) ?? ServeSettings.DefaultUrl;
            ServeSettings settings;
            try
            {
                var write = ApiTokens.Resolve(ApiTokens.WriteVariable, folder, ApiTokens.WriteFile);
                var read = ApiTokens.Resolve(ApiTokens.ReadVariable, folder, ApiTokens.ReadFile);
                if (write.Token == read.Token) throw new ArgumentException($"{ApiTokens.WriteVariable} and {ApiTokens.ReadVariable} must differ.");
                settings = new ServeSettings
                {
                    Urls = listen,
                    DataDirectory = folder,
                    ConnectionString = p.GetValue(connection),
                    SiloPort = p.GetValue(siloPort) ?? EnvPort(ServeSettings.SiloPortVariable),
                    GatewayPort = p.GetValue(gatewayPort) ?? EnvPort(ServeSettings.GatewayPortVariable),
                    Clustering = ServeOptions.Clustering(p.GetValue(clustering) ?? Environment.GetEnvironmentVariable(ServeSettings.ClusteringVariable)),
                    ClusterId = p.GetValue(clusterId) ?? (Environment.GetEnvironmentVariable(ServeSettings.ClusterIdVariable) is { Length: > 0 } id ? id : "twin"),
                    AdvertisedAddress = ServeOptions.Advertised(p.GetValue(advertise) ?? Environment.GetEnvironmentVariable(ServeSettings.AdvertisedAddressVariable)),
                    Production = p.GetValue(production) || ServeOptions.Flag(ServeSettings.ProductionVariable),
                    ProtectReads = p.GetValue(protectReads) || ServeOptions.Flag(ServeSettings.ProtectReadsVariable) || !ServeOptions.LoopbackOnly(listen),
                    WriteToken = write.Token,
                    ReadToken = read.Token,
                    Verbose = p.GetValue(verbose),
                };
                foreach (var line in ApiTokens.StartMessages(write, read)) console.Line(line);
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
            {
                console.Fail($"twin: {e.Message}");
                return Task.FromResult(ExitCodes.Usage);
            }
            return ServeCommand.RunAsync(settings, console, ct);
        });
        return serve;
    }

    private static Command Demo(CliConsole console)
    {
        var data = new Option<string>("--data")
        {
            Description = "Folder of the demo's embedded PostgreSQL (deleted and recreated on each run)",
            DefaultValueFactory = _ => Twin.Host.Demo.DemoSettings.DefaultDataDirectory,
            HelpName = "DIR",
        };
        var vms = new Option<int>("--vms") { Description = "VMs in the workload (1-5000)", DefaultValueFactory = _ => 160, HelpName = "N" };
        var hours = new Option<double>("--hours") { Description = "Trace hours the arrivals spread over", DefaultValueFactory = _ => 24, HelpName = "H" };
        var vfs = new Option<int>("--vfs") { Description = "VFs to enable on each PF (1-256)", DefaultValueFactory = _ => 4, HelpName = "N" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the workload (the same seed gives the same VMs)", DefaultValueFactory = _ => 2019UL, HelpName = "S" };
        var serve = new Option<bool>("--serve") { Description = "Keep the twin running afterwards (dashboard and API) until Ctrl-C" };
        var urls = new Option<string>("--urls") { Description = "Where the API and dashboard listen [default: a free loopback port]", DefaultValueFactory = _ => "http://127.0.0.1:0", HelpName = "URL" };
        var demo = new Command("demo",
            "The main job end to end on an embedded, durable PostgreSQL: imports a datacenter from real captures, enables SR-IOV, runs VMs "
            + "(sizes and lifetimes from the Azure 2019 trace) through the live twin, explains what happened to the VFs (pools, why, time "
            + "travel, counterfactual replay), rehearses a change on a fork of the twin and forecasts VF exhaustion.")
        {
            data, vms, hours, vfs, seed, serve, urls,
        };
        demo.SetAction((p, ct) =>
        {
            var (n, h, v) = (p.GetValue(vms), p.GetValue(hours), p.GetValue(vfs));
            string? problem = n is < 1 or > 5000 ? $"--vms must be 1-5000, not {n}"
                : !(h > 0) || double.IsInfinity(h) ? $"--hours must be positive, not {h}"
                : v is < 1 or > 256 ? $"--vfs must be 1-256, not {v}"
                : null;
            if (problem is not null)
            {
                console.Fail($"twin: {problem}");
                return Task.FromResult(ExitCodes.Usage);
            }
            return Twin.Host.Demo.DemoCommand.RunAsync(new Twin.Host.Demo.DemoSettings
            {
                DataDirectory = p.GetValue(data)!,
                Vms = n,
                Hours = h,
                VfsPerPf = v,
                Seed = p.GetValue(seed),
                Serve = p.GetValue(serve),
                Urls = p.GetValue(urls)!,
            }, console, ct);
        });
        return demo;
    }

    private static int? EnvPort(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var port) && port is > 0 and < 65536 ? port : null;

    private static IEnumerable<string> CommandPath(Command command)
    {
        var path = new Stack<string>();
        for (Symbol? s = command; s is Command c && s is not RootCommand; s = s.Parents.FirstOrDefault())
            path.Push(c.Name);
        return path;
    }
}

/// <summary>The standard help, followed by the exit codes.</summary>
internal sealed class HelpWithExitCodes(HelpAction inner) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        inner.Invoke(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.Help);
        return ExitCodes.Ok;
    }
}
