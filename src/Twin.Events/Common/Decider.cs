namespace Twin.Events.Common;

/// <summary>The three functions that fully describe one aggregate's behaviour. <see cref="Decide"/> is pure;
/// <see cref="Evolve"/> never throws (history is the truth) and may update the state in place and return it, so
/// callers must not keep a state they have evolved further; <see cref="Initial"/> makes a fresh state.</summary>
public sealed record Decider<TCommand, TEvent, TState>(
    Func<TCommand, TState, TEvent[]> Decide,
    Func<TState, TEvent, TState> Evolve,
    Func<TState> Initial)
{
    /// <summary>Folds a history into a fresh state.</summary>
    public TState Fold(IEnumerable<TEvent> history)
    {
        var state = Initial();
        foreach (var e in history) state = Evolve(state, e);
        return state;
    }

    /// <summary>Decides and, when it succeeds, evolves the given state with the decided events.</summary>
    public (TEvent[] Events, TState State) Run(TCommand command, TState state)
    {
        var events = Decide(command, state);
        foreach (var e in events) state = Evolve(state, e);
        return (events, state);
    }
}

/// <summary>An impossible transition: a command that makes no sense for the aggregate's current state (a bug or
/// a misuse at the edge, not a business refusal; business refusals are recorded as <c>…Rejected</c> events).</summary>
[GenerateSerializer]
public sealed class DomainRuleViolated(string message) : Exception(message);
