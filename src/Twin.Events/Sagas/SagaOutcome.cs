using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Sagas;

/// <summary>How a saga ended: whether it did what was asked, a sentence a person can act on, and the machine-readable
/// reason when it did not.</summary>
[GenerateSerializer, Immutable]
public sealed record SagaOutcome(
    bool Succeeded,
    string Summary,
    SriovBlocker? Reason = null,
    OperationId Operation = default)
{
    public static SagaOutcome Done(string summary, OperationId op) => new(true, summary, null, op);

    public static SagaOutcome Refused(string summary, SriovBlocker? reason, OperationId op) => new(false, summary, reason, op);
}
