using System.Globalization;

namespace Twin.Benchmarks;

/// <summary>Parses <c>--name value</c> options of a benchmark verb.</summary>
internal sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public BenchmarkArguments(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value', got '{args[i]}'.");
            }

            _values[args[i][2..]] = args[++i];
        }
    }

    public long Long(string name, long fallback) =>
        _values.TryGetValue(name, out var text) ? long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => _values.TryGetValue(name, out var text) ? text : fallback;

    public long[] Longs(string name, long[] fallback) =>
        _values.TryGetValue(name, out var text)
            ? [.. text.Split(',').Select(part => long.Parse(part, NumberStyles.Integer, CultureInfo.InvariantCulture))]
            : fallback;
}
