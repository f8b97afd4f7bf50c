using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Sagas;

/// <summary>How a saga ended: whether it did what was asked, a sentence a person can act on, and the machine-readable
/// reason when it did not.</summary>
[GenerateSerializer, Immutable]
public sealed record SagaOutcome(
    [property: Id(0)] bool Succeeded,
    [property: Id(1)] string Summary,
    [property: Id(2)] SriovBlocker? Reason = null,
    [property: Id(3)] OperationId Operation = default)
{
    public static SagaOutcome Done(string summary, OperationId op) => new(true, summary, null, op);

    public static SagaOutcome Refused(string summary, SriovBlocker? reason, OperationId op) => new(false, summary, reason, op);
}
