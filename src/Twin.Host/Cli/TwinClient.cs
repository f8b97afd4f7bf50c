using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Twin.Host.Api;

namespace Twin.Host.Cli;

/// <summary>An error the CLI reports with a message for a person and an exit code for a script.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// The CLI's side of the HTTP API. Problems the server answers become <see cref="CliException"/>s with the server's own
/// explanation and the documented exit code; a server that does not answer says how to start one.
/// </summary>
public sealed class TwinClient(Uri server, HttpClient http, string? operation = null, string? actor = null, string? token = null)
{
    /// <summary>The server's base address.</summary>
    public Uri Server { get; } = server;

    /// <summary>Sends a request and returns the JSON answer (<c>null</c> for an empty body).</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(Server, path));
        if (body is not null)
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body, body.GetType(), TwinJson.Options), Encoding.UTF8, "application/json");
        if (!string.IsNullOrEmpty(operation)) request.Headers.Add(TwinApi.IdempotencyHeader, operation);
        request.Headers.Add(TwinApi.ActorHeader, string.IsNullOrEmpty(actor) ? $"twin-cli/{Environment.UserName}" : actor);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e.InnerException is SocketException s ? s.Message : e.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable,
                $"twin: the server at {Server} did not answer within {http.Timeout.TotalSeconds:0} s. A command may still complete: "
                + "check with `twin inventory` before retrying (retry with the same --operation id to stay idempotent).");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
                return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            throw Problem(response.StatusCode, text);
        }
    }

    /// <summary>GETs and deserializes.</summary>
    public async Task<(T Value, JsonElement Json)> GetAsync<T>(string path, CancellationToken ct)
    {
        var json = await SendAsync(HttpMethod.Get, path, null, ct);
        return (json.Deserialize<T>(TwinJson.Reading)!, json);
    }

    /// <summary>An id as a path segment (NIC and switch ids contain slashes).</summary>
    public static string Segment(string id) => Uri.EscapeDataString(id);

    private CliException Unreachable(string why) => new(ExitCodes.Unreachable,
        $"twin: cannot reach a twin server at {Server} ({why}).\n"
        + "      Start one with `twin serve` (it listens on http://127.0.0.1:5077 by default), or point --server or TWIN_SERVER at a running one.");

    private CliException Problem(HttpStatusCode status, string body)
    {
        string? title = null, detail = null;
        var problems = new List<string>();
        try
        {
            var json = JsonDocument.Parse(body).RootElement;
            if (json.ValueKind == JsonValueKind.Object)
            {
                title = json.TryGetProperty("title", out var t) ? t.GetString() : null;
                detail = json.TryGetProperty("detail", out var d) ? d.GetString() : null;
                if (json.TryGetProperty("problems", out var p) && p.ValueKind == JsonValueKind.Array)
                    problems.AddRange(p.EnumerateArray().Select(x => x.GetString() ?? ""));
            }
        }
        catch (JsonException)
        {
            detail = body.Length > 300 ? body[..300] : body;
        }
        var code = (int)status switch
        {
            400 or 413 or 415 => ExitCodes.Usage,
            401 or 403 => ExitCodes.Denied,
            404 or 422 => ExitCodes.NotFound,
            409 => ExitCodes.Failed,
            502 or 503 or 504 => ExitCodes.Unreachable,
            _ => ExitCodes.Failed,
        };
        var message = new StringBuilder($"twin: {title ?? status.ToString()} ({(int)status})");
        if (problems.Count > 1) foreach (var p in problems) message.Append("\n  - ").Append(p);
        else if (!string.IsNullOrEmpty(detail)) message.Append(": ").Append(detail);
        return new CliException(code, message.ToString());
    }
}
