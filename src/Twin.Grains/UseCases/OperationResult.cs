using Twin.Events.Sagas;

namespace Twin.Grains.UseCases;

/// <summary>What a command use case did: whether it did what was asked, a sentence for a person, the operation id
/// (correlation id of every event it appended), the machine-readable reason of a refusal, and the events appended.</summary>
public sealed record OperationResult(bool Succeeded, string Summary, string Operation, string? Reason = null, IReadOnlyList<string>? Events = null)
{
    internal static OperationResult From(SagaOutcome outcome) =>
        new(outcome.Succeeded, outcome.Summary, outcome.Operation.Value, outcome.Reason?.ToString());

    internal static OperationResult FromEvents<TEvent>(string operation, IReadOnlyList<TEvent> events, string summaryWhenNone, Func<TEvent, string?>? refusal = null)
        where TEvent : class
    {
        var refused = refusal is null ? null : events.Select(refusal).FirstOrDefault(r => r is not null);
        return new(refused is null,
            events.Count == 0 ? summaryWhenNone : refused ?? string.Join("; ", events.Select(e => e.GetType().Name)),
            operation, refused is null ? null : "Refused", events.Select(e => e.ToString()!).ToList());
    }
}
