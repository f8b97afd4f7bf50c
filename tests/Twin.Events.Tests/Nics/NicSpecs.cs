using Twin.Events.Nics;

namespace Twin.Events.Tests.Nics;

internal static class NicSpecs
{
    public static readonly Spec<NicCommand, NicEvent, Nic> Spec = new(NicDecider.Decider);
}
