using Marten;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Vms;

namespace Twin.Grains.Tests;

/// <summary>
/// An independent VF accounting, written without the domain deciders or states: it reads each PF's raw event stream
/// from Marten and folds, by hand, only what a VF auditor needs — how many VFs exist (SriovEnabled, VfCountChanged,
/// VfConfigurationObserved, SriovDisabled) and who holds which (VfAllocated, VfReleased, VfRevoked). Any event that
/// gives a held VF, frees a VF its holder does not hold under that claim, or leaves more VFs held than exist is a
/// violation. Its final holders must agree with the NIC grains and with the VMs' recorded datapaths.
/// </summary>
public sealed class VfLedger
{
    public sealed record Holding(VnicRef Vnic, OperationId Claim);

    public sealed record PfAccount(NicId Pf, int Configured, IReadOnlyDictionary<int, Holding> Holders, IReadOnlyList<string> Violations,
        int Allocations, int Releases, int Revocations);

    public IReadOnlyDictionary<NicId, PfAccount> Pfs { get; }

    private VfLedger(IReadOnlyDictionary<NicId, PfAccount> pfs) => Pfs = pfs;

    public static async Task<VfLedger> Read(IDocumentStore store, IEnumerable<NicId> pfs)
    {
        var accounts = new Dictionary<NicId, PfAccount>();
        await using var session = store.QuerySession();
        foreach (var pf in pfs)
            accounts[pf] = Fold(pf, await session.Events.FetchStreamAsync(pf.Value));
        return new VfLedger(accounts);
    }

    private static PfAccount Fold(NicId pf, IReadOnlyList<JasperFx.Events.IEvent> stream)
    {
        var configured = 0;
        var holders = new Dictionary<int, Holding>();
        var violations = new List<string>();
        int allocations = 0, releases = 0, revocations = 0;
        long expectedVersion = 1;
        foreach (var e in stream)
        {
            var at = $"{pf} v{e.Version}";
            if (e.Version != expectedVersion) violations.Add($"{at}: expected version {expectedVersion} (a gap or a duplicate in the log)");
            expectedVersion = e.Version + 1;
            switch (e.Data)
            {
                case NicEvent.SriovEnabled x: configured = x.VfCount; break;
                case NicEvent.VfCountChanged x: configured = x.To; break;
                case NicEvent.VfConfigurationObserved x: configured = x.Enabled ? x.ConfiguredVfs : 0; break;
                case NicEvent.SriovDisabled:
                    configured = 0;
                    break;
                case NicEvent.NicFailed:
                    if (holders.Count > 0) violations.Add($"{at}: the PF failed while {holders.Count} VF(s) were still held");
                    holders.Clear();
                    break;
                case NicEvent.VfAllocated x:
                    allocations++;
                    if (x.VfIndex < 0 || x.VfIndex >= configured) violations.Add($"{at}: VF {x.VfIndex} given to {x.Vnic} but only {configured} exist");
                    if (holders.TryGetValue(x.VfIndex, out var already)) violations.Add($"{at}: VF {x.VfIndex} given to {x.Vnic} while {already.Vnic} holds it");
                    if (holders.Where(h => h.Key != x.VfIndex).Any(h => h.Value.Vnic == x.Vnic)) violations.Add($"{at}: {x.Vnic} given a second VF ({x.VfIndex})");
                    holders[x.VfIndex] = new Holding(x.Vnic, x.Op);
                    break;
                case NicEvent.VfReleased x:
                    releases++;
                    Free(x.VfIndex, x.Vnic, x.ClaimOp, "released");
                    break;
                case NicEvent.VfRevoked x:
                    revocations++;
                    Free(x.VfIndex, x.Vnic, x.ClaimOp, "revoked");
                    break;
            }
            if (holders.Count > configured) violations.Add($"{at}: {holders.Count} VFs held, {configured} exist");
            foreach (var beyond in holders.Keys.Where(i => i >= configured)) violations.Add($"{at}: VF {beyond} is held but no longer exists");

            void Free(int vf, VnicRef vnic, OperationId claim, string how)
            {
                if (!holders.TryGetValue(vf, out var h)) violations.Add($"{at}: VF {vf} {how} from {vnic}, but nobody held it");
                else if (h.Vnic != vnic || h.Claim != claim) violations.Add($"{at}: VF {vf} {how} from {vnic} under claim {claim}, but {h.Vnic} holds it under {h.Claim}");
                holders.Remove(vf);
            }
        }
        return new PfAccount(pf, configured, holders, violations, allocations, releases, revocations);
    }

    /// <summary>All holders, every PF.</summary>
    public IEnumerable<(NicId Pf, int Vf, Holding Holding)> Holders => Pfs.Values.SelectMany(a => a.Holders.Select(h => (a.Pf, h.Key, h.Value)));

    /// <summary>The VF <paramref name="vnic"/> holds according to the log, if any.</summary>
    public (NicId Pf, int Vf)? HeldBy(VnicRef vnic) =>
        Holders.Where(h => h.Holding.Vnic == vnic).Select(h => ((NicId, int)?)(h.Pf, h.Vf)).FirstOrDefault();

    /// <summary>No violation in any PF's history.</summary>
    public void AssertNoViolation()
    {
        var all = Pfs.Values.SelectMany(a => a.Violations).ToList();
        Assert.True(all.Count == 0, "the event log breaks VF accounting:\n" + string.Join("\n", all.Take(20)));
    }

    /// <summary>The log's holders are exactly the NIC grains' holders, and every VM datapath on a VF is one the log
    /// says it holds (and vice versa for running VMs that are not mid-saga).</summary>
    public async Task AssertAgreesWith(LiveDatacenter dc)
    {
        AssertNoViolation();
        foreach (var h in dc.AllHosts)
        {
            var nic = await dc.NicState(h);
            var fromGrain = nic.Holders.ToDictionary(s => s.Index, s => new Holding(s.Holder!.Value, s.Claim));
            var fromLog = Pfs[dc.Pf(h)].Holders;
            Assert.Equal(fromLog.OrderBy(x => x.Key), fromGrain.OrderBy(x => x.Key));
            Assert.Equal(Pfs[dc.Pf(h)].Configured, nic.Configured);
        }
        foreach (var vm in dc.AllVms)
        {
            var s = await dc.VmState(vm);
            foreach (var v in s.Vnics)
            {
                var held = HeldBy(new VnicRef(dc.Vm(vm), v.Spec.Name));
                if (v.Datapath.Kind == DatapathKind.Vf)
                    Assert.True(held == (v.Datapath.Nic!.Value, v.Datapath.VfIndex!.Value),
                        $"{dc.Vm(vm)}/{v.Spec.Name} runs {v.Datapath}; the log says it holds {held?.ToString() ?? "nothing"}");
                else if (s.PendingKind == VmOperationKind.None)
                    Assert.True(held is null, $"{dc.Vm(vm)}/{v.Spec.Name} runs {v.Datapath}; the log says it holds {held}");
            }
        }
    }
}
