using System.Diagnostics;
using System.Text.Json;
using MediatR;
using Twin.Events.Inventory;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using Twin.Host.Cli;
using Twin.Host.Import;
using Twin.Simulation.WhatIf;

namespace Twin.Host.WhatIf;

/// <summary>The live twin as a what-if base: its topology now (or at a past moment, with time travel) and the capacity
/// committed scenarios reserved. The CLI reaches it over the HTTP API, the server through its own use cases.</summary>
public interface ILiveTwin
{
    /// <summary>How to name this base in a report.</summary>
    string Describe(DateTimeOffset? at);

    Task<Topology> TopologyAsync(DateTimeOffset? at, CancellationToken ct);

    Task<IReadOnlyList<CapacityReservation>> ReservationsAsync(CancellationToken ct);
}

/// <summary>The live twin through the server's HTTP API (the CLI's side).</summary>
internal sealed class HttpLiveTwin(TwinClient client) : ILiveTwin
{
    public string Describe(DateTimeOffset? at) => at is { } t ? $"the twin at {client.Server} as it was at {t:O}" : $"the twin at {client.Server} now";

    public async Task<Topology> TopologyAsync(DateTimeOffset? at, CancellationToken ct) =>
        (await client.GetAsync<Topology>("api/topology" + (at is { } t ? $"?at={Uri.EscapeDataString(t.ToString("O"))}" : ""), ct)).Value;

    public async Task<IReadOnlyList<CapacityReservation>> ReservationsAsync(CancellationToken ct) =>
        [.. (await client.GetAsync<IReadOnlyList<CapacityReservationRecord>>("api/reservations", ct)).Value.Select(Reservations.ToEngine)];
}

/// <summary>The live twin through the server's own use cases (the server's side).</summary>
internal sealed class MediatorLiveTwin(IMediator mediator) : ILiveTwin
{
    /// <summary>How a report names this twin now as its base.</summary>
    public const string Now = "this twin now";

    public string Describe(DateTimeOffset? at) => at is { } t ? $"this twin as it was at {t:O}" : Now;

    public Task<Topology> TopologyAsync(DateTimeOffset? at, CancellationToken ct) => mediator.Send(new GetTwinTopology(at), ct);

    public async Task<IReadOnlyList<CapacityReservation>> ReservationsAsync(CancellationToken ct) =>
        [.. (await mediator.Send(new GetReservations(), ct)).Select(Reservations.ToEngine)];
}

internal static class Reservations
{
    public static CapacityReservation ToEngine(CapacityReservationRecord r) =>
        new(r.Id, r.Variant, [.. r.Pfs.Select(p => new PfReservation(p.Nic, p.Host, p.Vfs))]);
}

/// <summary>A finished what-if: the report and how long the simulation took (wall seconds, base reading excluded).</summary>
public sealed record WhatIfRun(WhatIfReport Report, double Seconds);

/// <summary>
/// Runs a scenario at the edge: resolves its base (live twin, topology file, captures), the reservations of other
/// committed scenarios, and its files (relative to the scenario's folder), then runs the pure engine. Every problem a
/// person can fix is a <see cref="ScenarioException"/> naming the file, line and field.
/// </summary>
public static class WhatIfRunner
{
    public static async Task<WhatIfRun> RunAsync(WhatIfScenario scenario, string? baseDirectory, ILiveTwin? live, DateTimeOffset now,
        Action<WhatIfProgress>? progress = null, int maxParallelism = 0, CancellationToken ct = default)
    {
        string Resolve(string path) => Path.IsPathRooted(path) || baseDirectory is null ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
        foreach (var (path, where, field) in scenario.Files())
            if (!File.Exists(Resolve(path)) && !Directory.Exists(Resolve(path)))
                throw new ScenarioException(scenario.Source, where.Line, where.Column, field, $"no file '{Resolve(path)}'" + (Path.IsPathRooted(path) ? "" : " (relative paths are read from the scenario's folder)"));

        var b = scenario.Base;
        Topology topology;
        string description;
        IReadOnlyList<CapacityReservation> reservations = [];
        switch (b.Kind)
        {
            case BaseKind.Live or BaseKind.At:
                if (live is null) throw new ScenarioException(scenario.Source, b.Where.Line, b.Where.Column, b.Where.Path, "a live base needs a twin server");
                try
                {
                    topology = await live.TopologyAsync(b.At, ct);
                }
                catch (CliException e) when (b.At is not null && e.ExitCode is ExitCodes.Usage or ExitCodes.NotFound)
                {
                    throw new ScenarioException(scenario.Source, b.Where.Line, b.Where.Column, $"{b.Where.Path}.at", e.Message.Replace("twin: ", "", StringComparison.Ordinal));
                }
                catch (RequestValidationException e) when (b.At is not null)
                {
                    throw new ScenarioException(scenario.Source, b.Where.Line, b.Where.Column, $"{b.Where.Path}.at", string.Join("; ", e.Problems));
                }
                catch (Exception e) when (b.At is not null && e is Twin.Projections.History.NothingExistedException)
                {
                    throw new ScenarioException(scenario.Source, b.Where.Line, b.Where.Column, $"{b.Where.Path}.at", e.Message);
                }
                description = live.Describe(b.At);
                // a scenario never counts its own earlier commitment against itself
                reservations = [.. (await live.ReservationsAsync(ct)).Where(r => r.Scenario != scenario.Name)];
                break;
            case BaseKind.Topology:
                var file = Resolve(b.Path!);
                try
                {
                    topology = JsonSerializer.Deserialize<Topology>(await File.ReadAllTextAsync(file, ct), TwinJson.Options)
                               ?? throw new JsonException("the file holds null");
                }
                catch (JsonException e)
                {
                    throw new ScenarioException(scenario.Source, b.Where.Line, b.Where.Column, "base.topology",
                        $"{file} is not a topology (the JSON `twin import --out` writes): {e.Message}");
                }
                description = $"topology file {file}";
                break;
            default:
                try
                {
                    var result = InventoryImporter.Import(CaptureFiles.Read(b.Captures.Select(Resolve)));
                    topology = result.Topology;
                    description = $"captures {string.Join(", ", b.Captures)} ({result.Files.Count} file(s))";
                }
                catch (ImportException e)
                {
                    throw new ScenarioException(scenario.Source, b.Where.Line, b.Where.Column, "base.captures", e.Message);
                }
                break;
        }
        description += $": {topology.Hosts.Count} host(s), {topology.Nics.Count} PF(s), {topology.Vms.Count} VM(s)";

        var epoch = scenario.Start ?? new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var input = new WhatIfInput(scenario, topology, description, epoch, reservations, path => File.OpenRead(Resolve(path))) { MaxParallelism = maxParallelism };
        var watch = Stopwatch.StartNew();
        var report = await Task.Run(() => WhatIfEngine.Run(input, progress, ct), ct);
        return new WhatIfRun(report, watch.Elapsed.TotalSeconds);
    }
}
