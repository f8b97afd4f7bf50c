using System.Reflection;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Twin.Host.Server;

/// <summary>
/// Serves the dashboard (<c>wwwroot/</c>, embedded in the executable) on GET and HEAD: <c>/</c> is the inventory page,
/// <c>/pools</c> is <c>/pools.html</c>.
/// Embedded rather than copied next to the binary so that <c>twin serve</c> finds its pages from any working directory
/// and a single file is enough to deploy.
/// </summary>
internal sealed class EmbeddedDashboard(RequestDelegate next)
{
    private const string Prefix = "wwwroot/";
    private static readonly Assembly Assembly = typeof(EmbeddedDashboard).Assembly;
    private static readonly HashSet<string> Names = [.. Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))];
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    // the build is the version of every embedded file
    private static readonly string ETag = $"\"{Assembly.ManifestModule.ModuleVersionId:N}\"";

    /// <summary>The dashboard's pages and assets, as URL paths.</summary>
    public static IEnumerable<string> Paths => Names.Select(n => "/" + n[Prefix.Length..]);

    public async Task InvokeAsync(HttpContext http)
    {
        if (!(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) || ResourceFor(http.Request.Path) is not { } name)
        {
            await next(http);
            return;
        }
        var headers = http.Response.Headers;
        headers.ETag = ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        if (http.Request.Headers.IfNoneMatch == ETag)
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        http.Response.ContentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
        if (name.EndsWith(".html", StringComparison.Ordinal))
            headers[HeaderNames.ContentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";
        await using var stream = Assembly.GetManifestResourceStream(name)!;
        http.Response.ContentLength = stream.Length;
        if (HttpMethods.IsHead(http.Request.Method)) return;
        await stream.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    private static string? ResourceFor(PathString path)
    {
        var p = path.Value ?? "/";
        if (p == "/") p = "/index.html";
        var name = Prefix + p.TrimStart('/');
        if (Names.Contains(name)) return name;
        // /pools is /pools.html
        return Path.HasExtension(name) || !Names.Contains(name + ".html") ? null : name + ".html";
    }
}
