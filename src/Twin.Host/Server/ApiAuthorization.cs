using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Twin.Host.Server;

/// <summary>
/// Who may do what: a command (any method but GET, HEAD and OPTIONS under <c>/api</c>) needs the write token
/// (<c>Authorization: Bearer …</c>); without it, or with a wrong one, the answer is 401, and with the read-only token
/// 403. Queries are open unless <see cref="ServeSettings.ProtectReads"/>, then they need either token. The dashboard's
/// static pages, health and the OpenAPI document stay open (they hold no data).
/// </summary>
internal sealed class ApiAuthorization(RequestDelegate next, ServeSettings settings)
{
    public async Task InvokeAsync(HttpContext http, IProblemDetailsService problems)
    {
        var path = http.Request.Path;
        var isApi = path.StartsWithSegments("/api");
        var isCommand = isApi && !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method));
        var isProtectedQuery = settings.ProtectReads && (isApi || path.StartsWithSegments("/metrics"));
        if (!isCommand && !isProtectedQuery)
        {
            await next(http);
            return;
        }
        var presented = Bearer(http.Request.Headers.Authorization.ToString());
        var write = ApiTokens.Matches(presented, settings.WriteToken);
        var read = !write && ApiTokens.Matches(presented, settings.ReadToken);
        if (write || (read && !isCommand))
        {
            await next(http);
            return;
        }
        if (read)
        {
            await Refuse(http, problems, StatusCodes.Status403Forbidden, "read-only-token", "The read-only token cannot run commands",
                $"{http.Request.Method} {path} changes the twin; the token sent only allows queries. Send the write token "
                + $"(env {ApiTokens.WriteVariable} for the CLI).");
            return;
        }
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"twin\"";
        await Refuse(http, problems, StatusCodes.Status401Unauthorized, "unauthorized", presented is null ? "A token is required" : "The token is not valid",
            (isCommand ? "Commands need the write token" : "Queries on this server need a token")
            + " in an 'Authorization: Bearer <token>' header. The CLI sends the token in env " + ApiTokens.WriteVariable
            + $", or reads it from the data folder of a local server ({ApiTokens.Folder}/{ApiTokens.WriteFile}).");
    }

    private static string? Bearer(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim() is { Length: > 0 } token ? token : null;

    private static async Task Refuse(HttpContext http, IProblemDetailsService problems, int status, string code, string title, string detail)
    {
        http.Response.StatusCode = status;
        http.Response.Headers[HeaderNames.CacheControl] = "no-store";
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://twin.invalid/problems/{code}" };
        problem.Extensions["code"] = code;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
