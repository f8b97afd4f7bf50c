using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;
using Microsoft.OpenApi;
using Orleans.Configuration;
using Twin.Events.Common;
using Twin.Grains.Hosting;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using Twin.Host.Metrics;
using Twin.Projections;

namespace Twin.Host.Server;

/// <summary>
/// The composition root: one process hosting an Orleans silo (localhost clustering, or a cluster whose membership is
/// in PostgreSQL), Marten on the given PostgreSQL
/// (through <c>AddTwinGrains</c>), the use cases over the silo's grain factory, and the HTTP API, metrics, health
/// endpoints and dashboard. <c>twin serve</c> and the tests build the same application.
/// </summary>
public static class TwinServer
{
    /// <summary>Builds (does not start) the server on <paramref name="info"/>'s PostgreSQL.</summary>
    public static WebApplication Build(ServeSettings settings, TwinServerInfo info)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        // stdout carries what `twin serve` says to a person; the log goes to stderr
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(settings.Verbose ? LogLevel.Information : LogLevel.Warning);
        // Orleans reports a dev-clustering silo's normal start-up probing as warnings
        if (!settings.Verbose)
        {
            builder.Logging.AddFilter("Orleans", LogLevel.Error);
            // a failed start is reported by `twin serve` in one sentence; the host's own report is a stack trace
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        }

        builder.WebHost.UseUrls(settings.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = settings.MaxRequestBytes;
            k.AddServerHeader = false;
        });

        var siloPort = settings.SiloPort ?? FreePort();
        var gatewayPort = settings.GatewayPort ?? FreePort();
        builder.UseOrleans(silo =>
        {
            if (settings.Clustering == ClusteringMode.Postgres)
                silo.UsePostgresClustering(info.ConnectionString, settings.AdvertisedAddress, siloPort, gatewayPort, settings.ClusterId, settings.ClusterId);
            else
                silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "twin", clusterId: "twin");
            // failure detection can be tuned without a rebuild (Twin__Membership__ProbeTimeout=00:00:02 and so on)
            silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Twin:Membership"));
            // several silos on one database: one of them runs each async projection, the others stand by
            var daemon = settings.Clustering == ClusteringMode.Postgres ? DaemonMode.HotCold : DaemonMode.Solo;
            silo.AddTwinGrains(info.ConnectionString, daemon: daemon, manageSchema: !settings.Production);
        });

        var clustering = settings.Clustering == ClusteringMode.Postgres
            ? $"cluster '{settings.ClusterId}' in PostgreSQL, {settings.AdvertisedAddress}:{siloPort}, gateway {gatewayPort}"
            : $"localhost clustering (silo port {siloPort}, gateway {gatewayPort})";
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(info with { Silo = clustering });
        builder.Services.AddTwinUseCases();
        builder.Services.ConfigureHttpJsonOptions(o => TwinJson.Configure(o.SerializerOptions));
        // a body that does not fit throws, so that the problem says what did not fit (instead of an empty 400)
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context => TwinProblems.Complete(context, settings));
        builder.Services.AddExceptionHandler<TwinProblems>();
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Twin",
                    Version = TwinServerInfo.Version,
                    Description = "An event-sourced digital twin of an SR-IOV datacenter: hosts, chipsets, NIC physical functions with "
                                  + "their VF pools, virtual switches and VMs. Ids in paths are URL-encoded. Errors are RFC 9457 problem details.",
                };
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer((schema, context, _) =>
            {
                // ids carry a converter that writes them as bare strings; the schema must say so
                var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
                if (type.IsEnum)
                {
                    schema.Type = JsonSchemaType.String;
                    schema.Enum = [.. Enum.GetNames(type).Select(n => (JsonNode)JsonValue.Create(n))];
                }
                else if (type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IStringId<>)))
                {
                    schema.Type = JsonSchemaType.String;
                    schema.Properties?.Clear();
                    schema.Required?.Clear();
                }
                return Task.CompletedTask;
            });
        });
        builder.Services.AddHealthChecks()
            .AddCheck<SiloHealthCheck>("silo", tags: ["ready"])
            .AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
        builder.Services.AddSingleton<TwinMetrics>();
        builder.Services.AddSingleton<RejectionTally>();

        var app = builder.Build();
        // listening starts now so that the first requests are counted
        app.Services.GetRequiredService<TwinMetrics>();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<ApiAuthorization>();
        app.UseMiddleware<EmbeddedDashboard>();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth }).WithName("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth })
            .WithName("Ready");
        app.MapGet("/metrics", MetricsEndpoint.Scrape).WithName("Metrics").WithSummary("Prometheus text exposition").ExcludeFromDescription();
        app.MapTwinApi(settings);
        return app;
    }

    /// <summary>Creates or updates the event store's schema (so that the first request does not pay for it, and an
    /// unreachable PostgreSQL fails the start instead of the first request), then starts the silo and Kestrel.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken ct = default)
    {
        var settings = app.Services.GetRequiredService<ServeSettings>();
        if (settings.Production)
        {
            // the schema is the administrator's (twin db migrate); this role must be able to use it and nothing more
            var info = app.Services.GetRequiredService<TwinServerInfo>();
            var problems = await DatabaseAdmin.ProductionProblemsAsync(info.ConnectionString, TwinStore.DefaultSchema, ct);
            if (problems.Count > 0) throw new InvalidOperationException("production mode: " + string.Join(" ", problems));
        }
        else
        {
            await TwinGrainsHosting.ApplySchemaAsync(app.Services.GetRequiredService<IDocumentStore>(),
                app.Services.GetRequiredService<TwinServerInfo>().ConnectionString, ct);
        }
        await app.StartAsync(ct);
    }

    /// <summary>The addresses Kestrel listens on, once started.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        [.. app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? []];

    private static Task WriteHealth(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, TwinJson.Options));
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
