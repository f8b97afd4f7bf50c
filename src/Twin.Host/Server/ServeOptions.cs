using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Twin.Host.Server;

/// <summary>Reads the options of <c>twin serve</c> that come as text (command line or environment) and says what is
/// wrong with one that does not fit.</summary>
internal static class ServeOptions
{
    public static ClusteringMode Clustering(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "localhost" => ClusteringMode.Localhost,
        // adonet names the provider (Orleans' ADO.NET clustering); postgres names where the membership lives: the same
        "adonet" or "postgres" or "postgresql" => ClusteringMode.Postgres,
        _ => throw new ArgumentException($"clustering '{text}' is not known: use localhost (one silo) or adonet (alias postgres: membership in the PostgreSQL through Orleans' ADO.NET clustering, several silos)."),
    };

    public static IPAddress Advertised(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return IPAddress.Loopback;
        if (text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
            return NetworkInterface.GetAllNetworkInterfaces()
                       .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                       .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                       .Select(a => a.Address)
                       .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                   ?? throw new ArgumentException("advertised address 'auto': this host has no non-loopback IPv4 address; give one explicitly.");
        return IPAddress.TryParse(text.Trim(), out var ip)
            ? ip
            : throw new ArgumentException($"advertised address '{text}' is not an IP address (or 'auto').");
    }

    public static bool Flag(string variable) => Environment.GetEnvironmentVariable(variable)?.Trim().ToLowerInvariant() is "1" or "true" or "yes";

    /// <summary>Whether every URL of <paramref name="urls"/> listens on a loopback address only.</summary>
    public static bool LoopbackOnly(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(u =>
            Uri.TryCreate(u.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && (uri.IsLoopback || IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
}
