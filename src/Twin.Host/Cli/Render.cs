using System.Globalization;
using System.Text.Json;
using Twin.Events.Vms;
using Twin.Grains.UseCases;
using Twin.Host.Api;

namespace Twin.Host.Cli;

/// <summary>How the CLI shows what the API answers.</summary>
internal static class Render
{
    /// <summary>Sends a command and shows its <see cref="OperationResult"/>: 0 when it succeeded, 1 when the twin refused.</summary>
    public static async Task<int> Operation(CliContext c, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        var json = await c.Client.SendAsync(method, path, body, ct);
        var result = json.Deserialize<OperationResult>(TwinJson.Reading)!;
        if (c.Output.Format == OutputFormat.Json) c.Output.Json(json);
        else
            c.Output.Record(
            [
                ("result", result.Succeeded ? "succeeded" : "refused"),
                ("summary", result.Summary),
                .. c.Output.Format == OutputFormat.Csv || result.Reason is not null ? [("reason", result.Reason)] : Array.Empty<(string, string?)>(),
                ("operation", result.Operation),
            ], (field, value) => field == "result" ? value == "succeeded" ? Ansi.Green : Ansi.Red : null);
        return result.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Colour of a datapath cell: green on a VF, yellow synthetic, red disconnected.</summary>
    public static string? DatapathColour(string text) =>
        text.Contains("VF ", StringComparison.Ordinal) && !text.Contains("synthetic", StringComparison.Ordinal) ? Ansi.Green
        : text.Contains("disconnected", StringComparison.Ordinal) ? Ansi.Red
        : text.Contains("synthetic", StringComparison.Ordinal) ? Ansi.Yellow : null;

    /// <summary>Colour of a status cell.</summary>
    public static string? StatusColour(string text) => text switch
    {
        "Running" or "Up" or "Installed" or "Active" or "Healthy" or "succeeded" => Ansi.Green,
        "Failed" or "Unhealthy" or "refused" or "Deleted" => Ansi.Red,
        "Starting" or "Stopping" or "Migrating" or "Maintenance" or "Degraded" => Ansi.Yellow,
        _ => null,
    };

    public static string Vnics(VmSnapshot vm) =>
        string.Join("; ", vm.Vnics.Select(v => $"{v.Spec.Name}: {v.Datapath}"));

    public static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string N(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    public static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>An event's time to the millisecond (events a person compares are often within one second); it can be
    /// given back as <c>--at</c> as written.</summary>
    public static string EventTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Query-string value.</summary>
    public static string Q(string value) => Uri.EscapeDataString(value);

    /// <summary>A query string of the parameters that have a value ("" when none has).</summary>
    public static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Q(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join("&", given);
    }

    /// <summary>A moment as the API takes it (round-trip ISO-8601, UTC); null stays null.</summary>
    public static string? Moment(DateTimeOffset? at) => at is { } t ? TwinTime.Format(t) : null;

    /// <summary>Shows a JSON answer as is for <c>-o json</c>; returns false when the caller should render it.</summary>
    public static bool AsJson(CliContext c, JsonElement json)
    {
        if (c.Output.Format != OutputFormat.Json) return false;
        c.Output.Json(json);
        return true;
    }
}
