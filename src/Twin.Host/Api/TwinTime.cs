using System.Globalization;
using System.Text.RegularExpressions;
using Twin.Grains.UseCases;

namespace Twin.Host.Api;

/// <summary>
/// Moments as people and scripts write them, for the API's <c>at</c>, <c>from</c> and <c>to</c> and the CLI's
/// <c>--at</c>, <c>--from</c>, <c>--to</c>: ISO-8601 with or without an offset (<b>UTC when there is none</b>, the zone
/// every answer is written in), <c>now</c>, or relative to now (<c>-15m</c>, <c>-2h</c>, <c>-1d</c>, <c>-1h30m</c>,
/// <c>now-90s</c>; units s, m, h, d, w).
/// </summary>
public static partial class TwinTime
{
    /// <summary>The accepted forms, for messages and help.</summary>
    public const string Forms =
        "ISO-8601 (2025-03-04T03:14:00Z, 2025-03-04 03:14+01:00, 2025-03-04; UTC when no offset is given), now, "
        + "or relative to now: -15m, -2h, -1d, -1h30m (units s, m, h, d, w)";

    private static readonly string[] Iso =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mmK",
        "yyyy-MM-ddK",
    ];

    /// <summary>Reads <paramref name="text"/> as a moment; relative forms count back from <paramref name="now"/>.</summary>
    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset moment)
    {
        moment = default;
        var t = text?.Trim() ?? "";
        if (t.Length == 0) return false;
        if (t.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            moment = now;
            return true;
        }
        if (Relative().Match(t) is { Success: true } m)
        {
            var span = TimeSpan.Zero;
            foreach (Capture part in m.Groups["part"].Captures)
            {
                var unit = part.Value[^1];
                if (!long.TryParse(part.Value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 1_000_000) return false;
                span += unit switch
                {
                    's' => TimeSpan.FromSeconds(n),
                    'm' => TimeSpan.FromMinutes(n),
                    'h' => TimeSpan.FromHours(n),
                    'd' => TimeSpan.FromDays(n),
                    _ => TimeSpan.FromDays(7 * n),
                };
            }
            if (span > TimeSpan.FromDays(100 * 365)) return false;
            moment = now - span;
            return true;
        }
        if (!DateTimeOffset.TryParseExact(t, Iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            return false;
        moment = at;
        return true;
    }

    /// <summary>What to tell someone whose <paramref name="name"/> <paramref name="text"/> is not a moment.</summary>
    public static string Problem(string name, string text) => $"{name} '{text}' is not a time: use {Forms}";

    /// <summary>The moment in the form the API and the CLI exchange (round-trip ISO-8601, UTC).</summary>
    public static string Format(DateTimeOffset moment) => moment.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?i:now)?-(?<part>\d+[smhdw])+$", RegexOptions.CultureInvariant)]
    private static partial Regex Relative();
}

/// <summary>Reads the moments of one request against one "now", collecting every problem before answering 400.</summary>
internal sealed class Moments(DateTimeOffset now)
{
    private readonly List<string> _problems = [];

    public static Moments Of(TimeProvider clock) => new(clock.GetUtcNow());

    /// <summary>The moment relative times count back from.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>The moment <paramref name="text"/> names (null when it is absent).</summary>
    public DateTimeOffset? Optional(string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (TwinTime.TryParse(text, Now, out var moment)) return moment;
        _problems.Add(TwinTime.Problem(name, text));
        return null;
    }

    /// <summary>The moment <paramref name="text"/> names; a problem when it is absent.</summary>
    public DateTimeOffset Required(string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            _problems.Add($"{name} is required: {TwinTime.Forms}");
            return default;
        }
        return Optional(name, text) ?? default;
    }

    /// <summary>The one optional moment of a request; 400 when it is not a time.</summary>
    public DateTimeOffset? Only(string name, string? text)
    {
        var moment = Optional(name, text);
        ThrowIfInvalid();
        return moment;
    }

    public void Add(string problem) => _problems.Add(problem);

    /// <summary>400 with every problem found.</summary>
    public void ThrowIfInvalid()
    {
        if (_problems.Count > 0) throw new RequestValidationException([.. _problems]);
    }
}
