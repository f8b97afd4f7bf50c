using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Twin.Events.Common;
using Twin.Grains.UseCases;
using Twin.Host.Server;
using Twin.Projections.History;

namespace Twin.Host.Api;

/// <summary>
/// Turns what a use case throws into an RFC 9457 problem: 400 with every validation problem, 404 for an unknown id,
/// 422 for a moment before the twin's history (or before the entity asked about existed), 409 for a domain rule
/// (impossible transition, busy VM) or a concurrent write, 413 for a body over the limit, 503 when PostgreSQL or the
/// silo does not answer. Each says what happened and what a person can do about it; the <c>code</c> extension is
/// stable for programs.
/// </summary>
internal sealed partial class TwinProblems(IProblemDetailsService problems, ILogger<TwinProblems> logger, TwinServerInfo server) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var problem = Describe(exception, server);
        if (problem.Status >= 500) logger.LogWarning(exception, "{Method} {Path}: {Status} {Detail}", http.Request.Method, http.Request.Path, problem.Status, problem.Detail);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = "5";
        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    internal static ProblemDetails Describe(Exception exception, TwinServerInfo server) => exception switch
    {
        RequestValidationException v => Problem(400, "validation", "The request is invalid",
            string.Join("; ", v.Problems), ("problems", v.Problems)),
        BadHttpRequestException { StatusCode: 413 } b => Problem(413, "too-large", "The request body is too large",
            $"{b.Message} Split the request (a topology can be applied in parts)."),
        BadHttpRequestException { StatusCode: 415 } => Problem(415, "unsupported-media-type", "The request body is not JSON",
            "Send the body as JSON (Content-Type: application/json)."),
        BadHttpRequestException b => Problem(b.StatusCode, "validation", "The request body cannot be read",
            BodyProblem(b), ("problems", new[] { BodyProblem(b) })),
        EntityNotFoundException n => Problem(404, "not-found", $"Unknown {n.Kind}",
            $"The twin has no {n.Kind} '{n.Id}'. List what it has with GET /api/inventory (twin inventory).", ("kind", n.Kind), ("id", n.Id)),
        NothingExistedException n => Problem(422, "before-history", "Nothing was recorded yet at that moment",
            n.FirstEventAt is { } first
                ? $"{n.Message}. Ask about a moment at or after {first:u} (twin timeline --limit 1 shows the first event)."
                : $"{n.Message}. Record something first (twin host register, twin apply, twin import).",
            ("at", n.At), ("historyStarts", n.FirstEventAt)),
        NotExistingAtException n => Problem(422, "not-existing-yet", $"The {n.Kind} did not exist yet at that moment",
            $"{n.Message}. Ask about a moment at or after {n.ExistsFrom:u}.", ("kind", n.Kind), ("id", n.Id), ("at", n.At), ("existsFrom", n.ExistsFrom)),
        DomainRuleViolated d => Problem(409, "domain-rule", "Refused by a domain rule", d.Message),
        _ when Named(exception, "StreamVersionConflict") is { } c => Problem(409, "concurrent-change", "Changed concurrently",
            $"{c.Message} Nothing of this request was recorded; read the current state and retry."),
        _ when Named(exception, "StorageUnavailableException") is not null || IsStorageDown(exception) => Problem(503, "storage-unavailable", "PostgreSQL is not answering",
            $"The twin's PostgreSQL ({server.Storage}) is not answering ({Innermost(exception).Message}). Nothing can be read or recorded "
            + "until it is back; a command sent meanwhile may still complete once it is, so read the state before retrying."),
        _ when IsSiloDown(exception) => Problem(503, "silo-unavailable", "The twin's silo is not answering",
            $"{Innermost(exception).Message} The operation may still complete; read the state before retrying."),
        _ => Problem(500, "internal", "Unexpected error",
            $"{exception.GetType().Name}: {exception.Message} (see the server log)."),
    };

    /// <summary>Gives the problems ASP.NET writes itself (no endpoint, wrong method, body over the limit, not JSON) the
    /// same <c>code</c> and an actionable detail.</summary>
    internal static void Complete(ProblemDetailsContext context, ServeSettings settings)
    {
        var p = context.ProblemDetails;
        if (p.Extensions.ContainsKey("code")) return;
        var path = context.HttpContext.Request.Path;
        (p.Extensions["code"], p.Detail) = p.Status switch
        {
            404 => ("not-found", p.Detail ?? $"Nothing is served at {path}. The API is under /api (see /openapi/v1.json); the dashboard is at /."),
            405 => ("method-not-allowed", p.Detail ?? $"{context.HttpContext.Request.Method} is not allowed on {path} (see /openapi/v1.json)."),
            413 => ("too-large", p.Detail ?? $"The body is larger than this server accepts ({settings.MaxRequestBytes} bytes; "
                                             + $"{settings.MaxTopologyBytes} for a topology). Split the request."),
            415 => ("unsupported-media-type", p.Detail ?? "Send the body as JSON (Content-Type: application/json)."),
            >= 500 => ("internal", p.Detail ?? "Unexpected error (see the server log)."),
            _ => ("http-" + p.Status, p.Detail ?? p.Title),
        };
    }

    private static ProblemDetails Problem(int status, string code, string title, string detail, params (string Key, object? Value)[] extensions)
    {
        var p = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://twin.invalid/problems/{code}" };
        p.Extensions["code"] = code;
        foreach (var (key, value) in extensions) p.Extensions[key] = value;
        return p;
    }

    private static string BodyProblem(BadHttpRequestException b) => b.InnerException switch
    {
        JsonException { Path: { Length: > 1 } path } j when !j.Message.Contains("Path:", StringComparison.Ordinal) => $"the JSON body does not fit at {path}: {j.Message}",
        JsonException j => $"the JSON body does not fit: {j.Message}",
        { } inner => $"{b.Message} {inner.Message}",
        _ => b.Message,
    };

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            yield return x;
            if (x is AggregateException a)
                foreach (var inner in a.InnerExceptions.SelectMany(Chain)) yield return inner;
        }
    }

    private static Exception Innermost(Exception e) => Chain(e).Last();

    // exceptions that crossed a grain call may arrive as Orleans' fallback type carrying only the original's name
    private static Exception? Named(Exception e, string typeName) =>
        Chain(e).FirstOrDefault(x => x.GetType().Name == typeName || x.Message.Contains(typeName, StringComparison.Ordinal)
                                     || x.GetType().GetProperty("ExceptionType")?.GetValue(x) is string t && t.Contains(typeName, StringComparison.Ordinal));

    internal static bool IsStorageDown(Exception e) =>
        Chain(e).Any(x => x is SocketException || x is Npgsql.NpgsqlException and not Npgsql.PostgresException
                          || x is Npgsql.PostgresException p && IsUnavailableState(p.SqlState)
                          || x.GetType().GetProperty("ExceptionType")?.GetValue(x) is string t
                             && (t.Contains("SocketException", StringComparison.Ordinal)
                                 || t.Contains("Npgsql", StringComparison.Ordinal) && (!t.Contains("PostgresException", StringComparison.Ordinal) || UnavailableState().IsMatch(x.Message))));

    private static bool IsUnavailableState(string state) => Twin.Grains.Persistence.StorageErrors.IsUnavailableState(state);

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(08[0-9A-Z]{3}|57P0[123]|53[0-9A-Z]{3})\b")]
    private static partial System.Text.RegularExpressions.Regex UnavailableState();

    private static bool IsSiloDown(Exception e) =>
        Chain(e).Any(x => x is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException);
}
