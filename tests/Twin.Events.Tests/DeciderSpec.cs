using Twin.Events.Common;

namespace Twin.Events.Tests;

/// <summary>Given a history, when a command, then these events (or nothing, or an exception).</summary>
public sealed class Spec<TCommand, TEvent, TState>(Decider<TCommand, TEvent, TState> decider)
{
    public Scenario Given(params TEvent[] history) => new(decider, history);

    public sealed class Scenario(Decider<TCommand, TEvent, TState> decider, TEvent[] history)
    {
        public TState State => decider.Fold(history);

        public Outcome When(TCommand command) => new(() => decider.Decide(command, decider.Fold(history)));
    }

    public sealed class Outcome(Func<TEvent[]> act)
    {
        public void Then(params TEvent[] expected) => Assert.Equal(expected, act());

        public TEvent[] ThenEvents() => act();

        public void ThenNothing() => Assert.Empty(act());

        public TException ThenThrows<TException>() where TException : Exception => Assert.Throws<TException>(() => act());
    }
}
