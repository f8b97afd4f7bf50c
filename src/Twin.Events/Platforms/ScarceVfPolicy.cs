using System.Text.Json.Serialization;

namespace Twin.Events.Platforms;

/// <summary>
/// How a PF arbitrates scarce VFs between vNICs that want one (Hyper-V <c>IovWeight</c> 1–100).
/// Microsoft does not document how Hyper-V arbitrates, so this is a MODELLING ASSUMPTION, named and configurable
/// per NIC. The default is <see cref="FirstComeThenWeight"/> (DESIGN §3.2).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScarceVfPolicy>))]
public enum ScarceVfPolicy
{
    /// <summary>First come at start; a freed VF goes to the waiting vNIC with the highest weight, ties first-come.</summary>
    FirstComeThenWeight,

    /// <summary>First come at start; a freed VF goes to the vNIC that has waited longest, whatever its weight.</summary>
    FirstComeFirstServed,

    /// <summary>Like <see cref="FirstComeThenWeight"/>, and a request whose weight is strictly higher than the lowest
    /// holder's takes that holder's VF (the holder falls back to synthetic and waits).</summary>
    WeightPreemptive,
}
