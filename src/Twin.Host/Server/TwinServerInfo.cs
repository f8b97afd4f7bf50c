namespace Twin.Host.Server;

/// <summary>What the running server knows about itself: where its storage is (for messages and readiness checks),
/// its silo, and when it started.</summary>
public sealed record TwinServerInfo(string ConnectionString, string Storage, string Silo, DateTimeOffset StartedAt)
{
    /// <summary>The version of the twin executable.</summary>
    public static string Version { get; } =
        typeof(TwinServerInfo).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
