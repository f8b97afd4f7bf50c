using System.Text;
using System.Text.RegularExpressions;

namespace Twin.Host.Tests.Hostile;

/// <summary>SplitMix64: a tiny seeded generator whose sequence never changes with the runtime, so a failing case is
/// reproduced by its seed and index alone.</summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>0 ≤ result &lt; <paramref name="bound"/>.</summary>
    public int Below(int bound) => bound <= 1 ? 0 : (int)(Next() % (ulong)bound);

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];
}

/// <summary>One hostile input: what was done to which capture, and the text.</summary>
internal sealed record Mutant(string Source, string Mutation, string Text)
{
    public override string ToString() => $"{Source} [{Mutation}] ({Text.Length:N0} chars)";
}

/// <summary>
/// Turns a real capture into hostile variants: truncated, with garbage characters (controls, NUL, lone surrogates)
/// inserted or overwritten, numbers replaced by huge, negative or non-finite ones, values of the wrong type, lines
/// dropped, duplicated or shuffled, nested absurdly deep, blown up to many megabytes, or reduced to nothing.
/// </summary>
internal static partial class Mutator
{
    private static readonly string[] HugeNumbers =
        ["99999999999999999999999999999", "-1", "2147483648", "-2147483649", "9223372036854775808", "1e400", "-1e400", "NaN", "Infinity", "0x7fffffff", "1.5", "0"];

    private static readonly string[] WrongValues = ["{}", "[]", "\"text\"", "true", "null", "[[[]]]", "{\"a\":{\"b\":[1,2,{}]}}", "12345678901234567890", "\"\\u0000\""];

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"(?<=[:=>'""]\s*)[A-Za-z0-9_.:/-]+")]
    private static partial Regex Values();

    public static IEnumerable<Mutant> Mutate(string source, string text, SplitMix64 rng, int count)
    {
        var kinds = new Func<string, SplitMix64, (string, string)>[]
        {
            Truncate, Garbage, Overwrite, HugeNumber, WrongType, DropLines, DuplicateLines, ShuffleLines, NumberToWord, LineEndings,
        };
        for (var i = 0; i < count; i++)
        {
            var (mutation, mutated) = rng.Pick(kinds)(text, rng);
            // half the time pile a second mutation on the first
            if (rng.Below(2) == 0)
            {
                var (second, twice) = rng.Pick(kinds)(mutated, rng);
                (mutation, mutated) = ($"{mutation} + {second}", twice);
            }
            yield return new Mutant(source, mutation, mutated);
        }
    }

    /// <summary>The same hostile shapes for any capture: nothing, noise; with <paramref name="withLarge"/> also absurd nesting of
    /// each syntax and many megabytes (slow to build and read, so once per family of formats).</summary>
    public static IEnumerable<Mutant> Extremes(string source, string text, bool withLarge)
    {
        // 20 000 levels: far past every parser's limit (256 at most) and past what an unguarded recursion survives
        const int deep = 20_000;
        yield return new(source, "empty", "");
        yield return new(source, "whitespace", "  \n\t\r\n   ");
        yield return new(source, "NUL bytes", new string('\0', 4096));
        yield return new(source, "BOM only", "\uFEFF");
        yield return new(source, "lone surrogates", new string('\uD800', 1000) + text[..Math.Min(200, text.Length)]);
        if (!withLarge) yield break;
        yield return new(source, "JSON nested 20k", new string('[', deep) + new string(']', deep));
        yield return new(source, "JSON objects nested 20k", string.Concat(Enumerable.Repeat("{\"a\":", deep)) + "1" + new string('}', deep));
        yield return new(source, "XML nested 20k", string.Concat(Enumerable.Repeat("<device>", deep)) + string.Concat(Enumerable.Repeat("</device>", deep)));
        yield return new(source, "YAML flow nested 20k", "status:\n  interfaces: " + new string('[', deep) + new string(']', deep));
        yield return new(source, "YAML indented 2k levels", string.Concat(Enumerable.Range(0, 2_000).Select(i => new string(' ', 2 * i) + "k:\n")));
        yield return new(source, "YAML billion laughs",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
            + "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n");
        yield return new(source, "XML entity expansion",
            "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
            + "<!ENTITY e SYSTEM \"file:///etc/passwd\">]><device><name>&c;&e;</name></device>");
        yield return new(source, "one line of 4 MB", new string('9', 4 << 20));
        var huge = new StringBuilder();
        while (huge.Length < (8 << 20)) huge.Append(text).Append('\n');
        yield return new(source, "repeated to 8 MB", huge.ToString());
    }

    private static (string, string) Truncate(string t, SplitMix64 r) => ("truncated", t[..r.Below(t.Length)]);

    private static (string, string) Garbage(string t, SplitMix64 r)
    {
        var sb = new StringBuilder(t);
        var n = 1 + r.Below(20);
        for (var i = 0; i < n; i++) sb.Insert(r.Below(sb.Length + 1), Junk(r));
        return ($"{n} garbage insertions", sb.ToString());
    }

    private static (string, string) Overwrite(string t, SplitMix64 r)
    {
        if (t.Length == 0) return ("overwrite (empty)", t);
        var chars = t.ToCharArray();
        var n = 1 + r.Below(50);
        for (var i = 0; i < n; i++) chars[r.Below(chars.Length)] = Junk(r)[0];
        return ($"{n} characters overwritten", new string(chars));
    }

    private static string Junk(SplitMix64 r) => r.Below(6) switch
    {
        0 => "\0",
        1 => ((char)r.Below(32)).ToString(),
        2 => "\uD800", // a lone surrogate
        3 => ((char)(0x80 + r.Below(0xFF80))).ToString(),
        4 => r.Pick(["<", ">", "{", "}", "[", "]", "\"", "'", ":", ",", "&", "\\", "\n", "-", "#", "*", "&a", "!!"]),
        _ => ((char)(32 + r.Below(95))).ToString(),
    };

    private static (string, string) HugeNumber(string t, SplitMix64 r) => ReplaceOne(t, r, Digits(), HugeNumbers, "number → ");

    private static (string, string) WrongType(string t, SplitMix64 r) => ReplaceOne(t, r, Values(), WrongValues, "value → ");

    private static (string, string) NumberToWord(string t, SplitMix64 r) => ReplaceOne(t, r, Digits(), ["lots", "\"1\"", "true", "", "0x", "١٢٣"], "number → ");

    private static (string, string) ReplaceOne(string t, SplitMix64 r, Regex pattern, string[] replacements, string label)
    {
        var matches = pattern.Matches(t);
        if (matches.Count == 0) return (label + "(none found)", t);
        var m = matches[r.Below(matches.Count)];
        var with = replacements[r.Below(replacements.Length)];
        return ($"{label}{with}", t[..m.Index] + with + t[(m.Index + m.Length)..]);
    }

    private static (string, string) DropLines(string t, SplitMix64 r)
    {
        var lines = t.Split('\n').ToList();
        var n = 1 + r.Below(Math.Max(1, lines.Count / 3));
        for (var i = 0; i < n && lines.Count > 0; i++) lines.RemoveAt(r.Below(lines.Count));
        return ($"{n} lines dropped", string.Join('\n', lines));
    }

    private static (string, string) DuplicateLines(string t, SplitMix64 r)
    {
        var lines = t.Split('\n').ToList();
        var n = 1 + r.Below(10);
        for (var i = 0; i < n; i++) lines.Insert(r.Below(lines.Count + 1), lines[r.Below(lines.Count)]);
        return ($"{n} lines duplicated", string.Join('\n', lines));
    }

    private static (string, string) ShuffleLines(string t, SplitMix64 r)
    {
        var lines = t.Split('\n');
        for (var i = lines.Length - 1; i > 0; i--)
        {
            var j = r.Below(i + 1);
            (lines[i], lines[j]) = (lines[j], lines[i]);
        }
        return ("lines shuffled", string.Join('\n', lines));
    }

    private static (string, string) LineEndings(string t, SplitMix64 r) =>
        r.Below(2) == 0 ? ("CRLF", t.Replace("\n", "\r\n", StringComparison.Ordinal)) : ("CR only", t.Replace("\n", "\r", StringComparison.Ordinal));
}
