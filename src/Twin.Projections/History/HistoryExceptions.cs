namespace Twin.Projections.History;

/// <summary>A moment before anything was recorded: the twin knows nothing then.</summary>
public sealed class NothingExistedException(DateTimeOffset at, DateTimeOffset? firstEventAt)
    : Exception(firstEventAt is { } first
        ? $"nothing existed at {at:u}: the twin's history starts at {first:u}"
        : $"nothing existed at {at:u}: the event log is empty")
{
    public DateTimeOffset At { get; } = at;

    /// <summary>When the first recorded event happened (null for an empty log).</summary>
    public DateTimeOffset? FirstEventAt { get; } = firstEventAt;
}

/// <summary>An entity the twin knows, asked about at a moment before it existed.</summary>
public sealed class NotExistingAtException(string kind, string id, DateTimeOffset at, DateTimeOffset existsFrom)
    : Exception($"{kind} '{id}' did not exist at {at:u}; its history starts at {existsFrom:u}")
{
    public string Kind { get; } = kind;
    public string Id { get; } = id;
    public DateTimeOffset At { get; } = at;
    public DateTimeOffset ExistsFrom { get; } = existsFrom;
}
