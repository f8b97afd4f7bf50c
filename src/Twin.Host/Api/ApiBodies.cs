using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Host.Api;

/// <summary>Body of the PF changes that take a VF count (enable, set-vfs).</summary>
public sealed record VfCountBody(int? VfCount);

/// <summary>Body of a resource-pool definition: its name and the VF indices it holds.</summary>
public sealed record ResourcePoolBody(string Name, IReadOnlyList<int> VfIndices);

/// <summary>Body of a scarce-VF policy change.</summary>
public sealed record PolicyBody(ScarceVfPolicy Policy);

/// <summary>Body of a direct VF allocation: the vNIC (VM and adapter name), its IovWeight 1–100 and queue pairs.</summary>
public sealed record AllocateVfBody(VnicRef Vnic, int IovWeight = 100, int QueuePairs = 1);

/// <summary>Body of a VF release: the vNIC and, optionally, the claim (operation) it holds the VF under.</summary>
public sealed record ReleaseVfBody(VnicRef Vnic, string? Claim = null);

/// <summary>Body of a switch IOV change or recreation.</summary>
public sealed record SwitchIovBody(bool IovEnabled);

/// <summary>Body of a live migration: the destination host.</summary>
public sealed record MigrateBody(HostId Destination);

/// <summary>Body of an IovWeight change (0 = SR-IOV off, 1–100 = wants a VF).</summary>
public sealed record IovWeightBody(int IovWeight);

/// <summary>What <c>GET /api/status</c> answers: the server, its storage, its cluster (the active silos' addresses),
/// and the datacenter in a few numbers.</summary>
public sealed record ServerStatus(
    string Version, DateTimeOffset StartedAt, double UptimeSeconds, string Storage, string Silo, IReadOnlyList<string> ActiveSilos,
    int Hosts, int Nics, int Switches, int Vms, int VmsRunning,
    int VfsConfigured, int VfsAllocated, int VfsFree, int VnicsWaiting);
