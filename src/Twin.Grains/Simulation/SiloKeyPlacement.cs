using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Twin.Grains.Simulation;

/// <summary>Places a grain on the silo its key names (a silo address in its parsable form), or, when that silo is
/// gone or unknown, on any compatible silo: how a sweep puts one coordinator on each silo of the cluster.</summary>
[GenerateSerializer, Immutable]
public sealed class SiloKeyPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static SiloKeyPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class as placed by <see cref="SiloKeyPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloKeyPlacementAttribute() : PlacementAttribute(SiloKeyPlacement.Instance);

/// <summary>The director of <see cref="SiloKeyPlacement"/>.</summary>
public sealed class SiloKeyPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var key = target.GrainIdentity.Key.ToString();
        var named = SiloAddress.TryParse(key, out var address) ? silos.FirstOrDefault(s => s.Equals(address)) : null;
        return Task.FromResult(named ?? silos[Random.Shared.Next(silos.Length)]);
    }
}
