namespace Twin.Host.Cli;

/// <summary>Where the CLI writes: stdout for results, stderr for messages; colour only when the stream is a terminal
/// (and <c>NO_COLOR</c> is unset), so pipelines and files get plain text.</summary>
public sealed class CliConsole(TextWriter output, TextWriter error, bool colour, bool errorColour, bool errorIsTerminal = false)
{
    /// <summary>The process's console.</summary>
    public static CliConsole FromSystemConsole()
    {
        var allowed = Environment.GetEnvironmentVariable("NO_COLOR") is null or "" && Environment.GetEnvironmentVariable("TERM") != "dumb";
        return new CliConsole(Console.Out, Console.Error, allowed && !Console.IsOutputRedirected, allowed && !Console.IsErrorRedirected,
            !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb");
    }

    /// <summary>Whether <see cref="Error"/> is a terminal (long runs show their progress there, and only there).</summary>
    public bool ErrorIsTerminal { get; } = errorIsTerminal;

    /// <summary>Results (tables, JSON, CSV).</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Messages for a person: errors, hints.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Whether <see cref="Out"/> gets ANSI colours.</summary>
    public bool Colour { get; } = colour;

    public void Line(string text) => Out.WriteLine(text);

    public void Fail(string text) => Error.WriteLine(errorColour ? $"\u001b[{Ansi.Red}m{text}\u001b[0m" : text);

    /// <summary>Wraps <paramref name="text"/> in an ANSI colour when <see cref="Out"/> is a terminal.</summary>
    public string Paint(string? code, string text) => Colour && code is not null ? $"\u001b[{code}m{text}\u001b[0m" : text;
}

/// <summary>ANSI colour codes.</summary>
internal static class Ansi
{
    public const string Red = "31";
    public const string Green = "32";
    public const string Yellow = "33";
    public const string Dim = "2";
    public const string Bold = "1";
}
