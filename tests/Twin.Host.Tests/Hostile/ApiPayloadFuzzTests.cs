using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Twin.Host.Tests.Hostile;

/// <summary>
/// Every command endpoint the server's OpenAPI document lists (each POST, PUT and DELETE), sent hostile bodies and
/// path ids: garbage, truncated or non-UTF-8 JSON, values of the wrong type, huge or non-finite numbers, deep nesting,
/// nulls, the wrong content type, ids with slashes, dots and control characters. The server answers each with a
/// status below 500 and, for a 4xx, a problem document (RFC 9457) and not one event appended. Seeded by
/// <c>TWIN_FUZZ_SEED</c>.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ApiPayloadFuzzTests(TwinServerFixture fx)
{
    private const int BodiesPerOperation = 100;

    private static readonly string[] Ids = ["x", "../../etc/passwd", "%00", "a%2Fb%2Fc", "..", "%E2%80%AE", new string('z', 3000), "%FF%FE", "\u00e9t\u00e9", "nic%0Aname"];

    private static readonly string[] Values =
    [
        "null", "true", "0", "-1", "1e400", "-9999999999999999999999", "1.5", "\"\"", "\"text\"", "[]", "{}", "[null]", "\"\\u0000\"",
        "\"" + new string('a', 100_000) + "\"", "\"NaN\"", "\"2026-13-45T99:99:99Z\"", "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]",
    ];

    private async Task<long> EventCount() =>
        (await fx.App.Services.GetRequiredService<IDocumentStore>().Advanced.FetchEventStoreStatistics(token: Http.Ct)).EventCount;

    /// <summary>(method, path template, property names of the JSON body if it has one).</summary>
    private async Task<List<(string Method, string Path, string[] Properties)>> Operations()
    {
        var doc = await fx.Http.Get("openapi/v1.json");
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var result = new List<(string, string, string[])>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "post" or "put" or "delete"))
        {
            var properties = Array.Empty<string>();
            if (op.Value.TryGetProperty("requestBody", out var body)
                && body.GetProperty("content").EnumerateObject().FirstOrDefault().Value is { ValueKind: JsonValueKind.Object } media
                && media.TryGetProperty("schema", out var schema))
            {
                if (schema.TryGetProperty("$ref", out var r)) schema = schemas.GetProperty(r.GetString()!.Split('/')[^1]);
                if (schema.TryGetProperty("properties", out var props)) properties = [.. props.EnumerateObject().Select(p => p.Name)];
            }
            result.Add((op.Name.ToUpperInvariant(), path.Name, properties));
        }
        return result;
    }

    private static string Body(SplitMix64 r, string[] properties)
    {
        switch (r.Below(8))
        {
            case 0: return "";
            case 1: return "{\"" + (properties.Length > 0 ? r.Pick(properties) : "a") + "\": "; // truncated
            case 2: return new string('[', 5000) + new string(']', 5000);
            case 3: return "\uFEFF{garbage" + (char)r.Below(32) + "}";
            case 4: return r.Pick(Values);
            default:
                // an object of the right shape with wrong, missing or absurd values, and sometimes a stranger
                var sb = new StringBuilder("{");
                foreach (var p in properties.Where(_ => r.Below(4) != 0)) sb.Append('"').Append(p).Append("\":").Append(r.Pick(Values)).Append(',');
                if (r.Below(3) == 0) sb.Append("\"unexpected\":").Append(r.Pick(Values)).Append(',');
                if (sb.Length > 1) sb.Length--;
                return sb.Append('}').ToString();
        }
    }

    [Fact]
    public async Task Hostile_bodies_and_ids_on_every_command_get_a_4xx_problem_and_write_nothing()
    {
        var operations = await Operations();
        Assert.True(operations.Count >= 20, $"only {operations.Count} commands in the OpenAPI document");
        var rng = new SplitMix64(ImporterFuzzTests.Seed);
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        int sent = 0, redialled = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (method, template, properties) in operations)
        {
            for (var i = 0; i < BodiesPerOperation; i++)
            {
                var path = System.Text.RegularExpressions.Regex.Replace(template, "{[^}]+}", _ => rng.Pick(Ids)).TrimStart('/');
                var body = Body(rng, properties);
                var withBody = method != "DELETE" || rng.Below(2) == 0;
                var bytes = rng.Below(10) == 0 ? new byte[] { 0xC3, 0x28, 0xFF, 0x7B } : Encoding.UTF8.GetBytes(body);
                var mediaType = rng.Below(8) == 0 ? "text/plain" : "application/json";
                HttpRequestMessage Request()
                {
                    var request = new HttpRequestMessage(new HttpMethod(method), path);
                    if (withBody)
                    {
                        request.Content = new ByteArrayContent(bytes);
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                    }
                    return request;
                }
                var before = await EventCount();
                var what = $"{method} {path[..Math.Min(path.Length, 120)]} body '{body[..Math.Min(body.Length, 120)]}'";
                HttpResponseMessage sentResponse;
                try
                {
                    using var request = Request();
                    sentResponse = await fx.Http.SendAsync(request, Http.Ct);
                }
                catch (HttpRequestException)
                {
                    // a pooled keep-alive connection the server had just closed (after a 413 it closes the connection):
                    // the same request once more on a new connection must be answered
                    using var request = Request();
                    using var fresh = TwinServerFixture.Client(fx.BaseAddress);
                    try
                    {
                        sentResponse = await fresh.SendAsync(request, Http.Ct);
                        redialled++;
                    }
                    catch (HttpRequestException e)
                    {
                        sent++;
                        failures.Add($"{what}: no answer, twice ({e.InnerException?.Message ?? e.Message})");
                        continue;
                    }
                }
                using var response = sentResponse;
                var status = (int)response.StatusCode;
                sent++;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var text = await response.Content.ReadAsStringAsync(Http.Ct);
                if (status >= 500) failures.Add($"{what}: {status} {text[..Math.Min(text.Length, 300)]}");
                else if (status >= 400)
                {
                    // Kestrel itself refuses a NUL in the request target (a bare 400) before the application sees it
                    var refusedByKestrel = path.Contains("%00", StringComparison.Ordinal) && status == 400 && text.Length == 0;
                    if (!refusedByKestrel && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        failures.Add($"{what}: {status} without a problem document ({response.Content.Headers.ContentType})");
                    if (await EventCount() != before) failures.Add($"{what}: {status} but events were appended");
                }
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {ImporterFuzzTests.Seed}: {sent} hostile requests on {operations.Count} commands in {clock.Elapsed.TotalSeconds:0.0} s; statuses "
            + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")) + $"; {redialled} answered on a new connection; {failures.Count} failures");
        Assert.True(failures.Count == 0, $"seed {ImporterFuzzTests.Seed}: {failures.Count} of {sent} requests broke the API:\n" + string.Join("\n", failures.Take(30)));
    }
}
