using System.Security.Cryptography;
using System.Text;

namespace Twin.Host.Server;

/// <summary>
/// The two API tokens: the write token (commands and queries) and the read-only token (queries only). Each comes from
/// its environment variable, else from its file in the data folder, else it is generated once and stored there
/// (readable by its owner only), so a local CLI finds it and a restart keeps it. A generated value is printed once, on
/// the console of the start that generated it; otherwise only where the tokens are. Values are never logged.
/// </summary>
public static class ApiTokens
{
    /// <summary>The environment variable holding the write token (the server's, and the one the CLI sends).</summary>
    public const string WriteVariable = "TWIN_TOKEN";

    /// <summary>The environment variable holding the read-only token.</summary>
    public const string ReadVariable = "TWIN_READ_TOKEN";

    /// <summary>The folder of the token files inside the data folder.</summary>
    public const string Folder = "auth";

    /// <summary>The write token's file name.</summary>
    public const string WriteFile = "write-token";

    /// <summary>The read-only token's file name.</summary>
    public const string ReadFile = "read-token";

    /// <summary>Shortest token accepted from the environment (a guessable token is no protection).</summary>
    public const int MinimumLength = 16;

    /// <summary>Where a token of <paramref name="dataDirectory"/> is stored.</summary>
    public static string PathOf(string dataDirectory, string file) => Path.Combine(Path.GetFullPath(dataDirectory), Folder, file);

    /// <summary>The token from <paramref name="variable"/>, else from its file, else a new one stored in the file.
    /// Returns where it came from, for the start-up message.</summary>
    public static (string Token, string Source) Resolve(string variable, string dataDirectory, string file) =>
        Resolve(variable, dataDirectory, file, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Resolve(string, string, string)"/> with the environment given.</summary>
    internal static (string Token, string Source) Resolve(string variable, string dataDirectory, string file, Func<string, string?> environment)
    {
        if (environment(variable) is { Length: > 0 } fromEnvironment)
        {
            if (fromEnvironment.Trim().Length < MinimumLength)
                throw new ArgumentException($"{variable} must be at least {MinimumLength} characters long (e.g. `openssl rand -hex 24`).");
            return (fromEnvironment.Trim(), $"from {variable}");
        }
        var path = PathOf(dataDirectory, file);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: >= MinimumLength } stored) return (stored, $"in {path}");
        var token = Generate();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            File.SetUnixFileMode(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        using (var stream = new FileStream(path, options)) stream.Write(Encoding.ASCII.GetBytes(token + "\n"));
        return (token, $"{GeneratedPrefix}, in {path}");
    }

    /// <summary>What <c>twin serve</c> says about its tokens at start: where each comes from, and the value of one
    /// generated just now (the first start of a data folder) — that once only, on the console, never in a log.</summary>
    public static IEnumerable<string> StartMessages((string Token, string Source) write, (string Token, string Source) read)
    {
        yield return $"twin: write token {write.Source}; read-only token {read.Source}";
        if (write.Source.StartsWith(GeneratedPrefix, StringComparison.Ordinal))
            yield return $"twin: the new write token (shown this once; commands send it as 'Authorization: Bearer …' or in env {WriteVariable}): {write.Token}";
        if (read.Source.StartsWith(GeneratedPrefix, StringComparison.Ordinal))
            yield return $"twin: the new read-only token (shown this once): {read.Token}";
    }

    private const string GeneratedPrefix = "generated now";

    /// <summary>A new random token (192 bits, hex).</summary>
    public static string Generate() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();

    /// <summary>Compares in constant time, so the answer's timing says nothing about the token.</summary>
    public static bool Matches(string? presented, string expected) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
