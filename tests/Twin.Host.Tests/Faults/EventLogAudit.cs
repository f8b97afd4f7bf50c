using System.Text.Json;
using Npgsql;

namespace Twin.Host.Tests.Faults;

/// <summary>
/// An independent checker of the raw event log: it reads <c>mt_events</c> with plain SQL (no Marten, no domain types,
/// no deciders) and folds, by hand, the JSON of the few events an auditor needs. Per PF: how many VFs exist and who
/// holds which — a VF given while held, freed by someone who does not hold it under that claim, or more VFs held than
/// exist is a violation. Per VM: every operation opened (start, stop, migration) is closed by its own outcome before
/// the next one opens, and none is left open. Across both, at the end: every VF a PF says is held is held by a running
/// VM whose vNIC records exactly that VF and claim, and every vNIC that records a VF is its PF's holder of it — no
/// leaked VF, none held twice. Version gaps or duplicates in a stream are violations too.
/// </summary>
internal sealed class EventLogAudit
{
    private readonly List<string> _violations = [];
    private readonly Dictionary<string, Pf> _pfs = [];
    private readonly Dictionary<string, VmFold> _vms = [];
    private readonly Dictionary<string, HashSet<string>> _operations = [];

    public int Events { get; private set; }
    public int Allocations { get; private set; }
    public int Releases { get; private set; }
    public int Revocations { get; private set; }
    public int SagasOpened { get; private set; }
    public int SagasClosed { get; private set; }

    public IReadOnlyList<string> Violations => _violations;

    public int Pfs => _pfs.Count;

    public int Vms => _vms.Count;

    /// <summary>VFs held at the end, over every PF.</summary>
    public int HeldAtEnd => _pfs.Values.Sum(p => p.Holders.Count);

    /// <summary>The operations (correlation ids) that appended something to <paramref name="stream"/>.</summary>
    public bool Recorded(string stream, string operation) => _operations.TryGetValue(stream, out var ops) && ops.Contains(operation);

    public static async Task<EventLogAudit> ReadAsync(string connectionString)
    {
        var audit = new EventLogAudit();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Http.Ct);
        await using var command = new NpgsqlCommand("select stream_id, version, type, data::text, coalesce(correlation_id, '') from twin.mt_events order by seq_id", connection);
        await using var reader = await command.ExecuteReaderAsync(Http.Ct);
        var versions = new Dictionary<string, long>();
        while (await reader.ReadAsync(Http.Ct))
        {
            var stream = reader.GetString(0);
            var version = reader.GetInt64(1);
            var expected = versions.GetValueOrDefault(stream) + 1;
            if (version != expected) audit._violations.Add($"{stream} v{version}: expected v{expected} (a gap or a duplicate)");
            versions[stream] = version;
            using var data = JsonDocument.Parse(reader.GetString(3));
            var operation = reader.GetString(4);
            if (!audit._operations.TryGetValue(stream, out var ops)) audit._operations[stream] = ops = [];
            ops.Add(operation);
            audit.Events++;
            audit.Apply(stream, version, reader.GetString(2), data.RootElement);
        }
        audit.CheckEnd();
        return audit;
    }

    private sealed class Pf
    {
        public int Configured;
        public readonly Dictionary<int, (string Vnic, string Claim)> Holders = [];
    }

    private sealed class VmFold
    {
        public string Status = "Off";
        public (string Kind, string Op)? Open;
        public readonly Dictionary<string, (string Kind, string? Nic, int? Vf, string Claim)> Datapaths = [];
    }

    private void Apply(string stream, long version, string type, JsonElement e)
    {
        var at = $"{stream} v{version} {type}";
        switch (type)
        {
            case "nic_installed": _pfs[stream] = new Pf(); return;
            case "vm_defined":
                var vm = _vms[stream] = new VmFold();
                foreach (var v in e.GetProperty("Vnics").EnumerateArray()) vm.Datapaths[v.GetProperty("Name").GetString()!] = ("Off", null, null, "");
                return;
        }
        if (_pfs.TryGetValue(stream, out var pf)) ApplyPf(pf, at, type, e);
        else if (_vms.TryGetValue(stream, out var vm)) ApplyVm(vm, at, type, e);
    }

    private void ApplyPf(Pf pf, string at, string type, JsonElement e)
    {
        switch (type)
        {
            case "sriov_enabled": pf.Configured = e.GetProperty("VfCount").GetInt32(); break;
            case "vf_count_changed": pf.Configured = e.GetProperty("To").GetInt32(); break;
            case "vf_configuration_observed": pf.Configured = e.GetProperty("Enabled").GetBoolean() ? e.GetProperty("ConfiguredVfs").GetInt32() : 0; break;
            case "sriov_disabled": pf.Configured = 0; break;
            case "nic_failed":
                if (pf.Holders.Count > 0) _violations.Add($"{at}: the PF failed with {pf.Holders.Count} VF(s) still held");
                pf.Holders.Clear();
                break;
            case "vf_allocated":
            {
                Allocations++;
                var vf = e.GetProperty("VfIndex").GetInt32();
                var vnic = Vnic(e.GetProperty("Vnic"));
                if (vf < 0 || vf >= pf.Configured) _violations.Add($"{at}: VF {vf} given to {vnic}, but only {pf.Configured} exist");
                if (pf.Holders.TryGetValue(vf, out var holder)) _violations.Add($"{at}: VF {vf} given to {vnic} while {holder.Vnic} holds it");
                if (pf.Holders.Any(h => h.Key != vf && h.Value.Vnic == vnic)) _violations.Add($"{at}: {vnic} given a second VF");
                pf.Holders[vf] = (vnic, e.GetProperty("Op").GetString()!);
                break;
            }
            case "vf_released" or "vf_revoked":
            {
                if (type == "vf_released") Releases++;
                else Revocations++;
                var vf = e.GetProperty("VfIndex").GetInt32();
                var vnic = Vnic(e.GetProperty("Vnic"));
                var claim = e.GetProperty("ClaimOp").GetString()!;
                if (!pf.Holders.TryGetValue(vf, out var holder)) _violations.Add($"{at}: VF {vf} freed from {vnic}, but nobody held it");
                else if (holder != (vnic, claim)) _violations.Add($"{at}: VF {vf} freed from {vnic} under {claim}, but {holder.Vnic} holds it under {holder.Claim}");
                pf.Holders.Remove(vf);
                break;
            }
        }
        if (pf.Holders.Count > pf.Configured) _violations.Add($"{at}: {pf.Holders.Count} VFs held, {pf.Configured} exist");
    }

    private void ApplyVm(VmFold vm, string at, string type, JsonElement e)
    {
        string Op() => e.GetProperty("Op").GetString()!;
        void Open(string kind, string status)
        {
            if (vm.Open is { } open) _violations.Add(open.Op == Op() ? $"{at}: {kind} {Op()} requested twice (applied twice)" : $"{at}: {kind} {Op()} opened while {open.Kind} {open.Op} is open");
            if (vm.Open is null) SagasOpened++;
            vm.Open = (kind, Op());
            vm.Status = status;
        }
        void Close(string kind, string status, bool allOff)
        {
            if (vm.Open is not { } open || open.Kind != kind || open.Op != Op()) _violations.Add($"{at}: closes {kind} {Op()}, but the open operation is {vm.Open?.Kind ?? "none"} {vm.Open?.Op}");
            else SagasClosed++;
            vm.Open = null;
            vm.Status = status;
            if (allOff) foreach (var name in vm.Datapaths.Keys.ToList()) vm.Datapaths[name] = ("Off", null, null, "");
        }
        switch (type)
        {
            case "vm_start_requested": Open("start", "Starting"); break;
            case "vm_started": Close("start", "Running", allOff: false); break;
            case "vm_start_failed": Close("start", "Off", allOff: true); break;
            case "vm_stop_requested": Open("stop", "Stopping"); break;
            case "vm_stopped": Close("stop", "Off", allOff: true); break;
            case "vm_migration_started": Open("migration", "Migrating"); break;
            case "vm_migration_aborted": Close("migration", "Running", allOff: false); break;
            case "vm_migrated":
                // the destination's datapaths follow from DestinationVfClaimed; this load never migrates, so a move is
                // only checked for closing and its datapaths are not followed
                Close("migration", "Running", allOff: false);
                _violations.Add($"{at}: a migration in a run that sends none");
                break;
            case "vnic_datapath_changed":
                var to = e.GetProperty("To");
                vm.Datapaths[e.GetProperty("Name").GetString()!] = (to.GetProperty("Kind").GetString()!,
                    to.TryGetProperty("Nic", out var nic) && nic.ValueKind == JsonValueKind.String ? nic.GetString() : null,
                    to.TryGetProperty("VfIndex", out var vf) && vf.ValueKind == JsonValueKind.Number ? vf.GetInt32() : null,
                    to.TryGetProperty("Claim", out var claim) && claim.ValueKind == JsonValueKind.String ? claim.GetString()! : "");
                break;
        }
    }

    private void CheckEnd()
    {
        foreach (var (id, vm) in _vms.Where(v => v.Value.Open is not null))
            _violations.Add($"{id}: {vm.Open!.Value.Kind} {vm.Open.Value.Op} is still open (neither completed nor compensated)");
        foreach (var (pfId, pf) in _pfs)
            foreach (var (vf, (vnic, claim)) in pf.Holders)
            {
                var slash = vnic.LastIndexOf('/');
                var (vmId, name) = (vnic[..slash], vnic[(slash + 1)..]);
                if (!_vms.TryGetValue(vmId, out var vm)) _violations.Add($"{pfId} VF {vf}: held by {vnic}, a VM the log never defined");
                else if (vm.Status != "Running") _violations.Add($"{pfId} VF {vf}: leaked — held by {vnic} under {claim}, but {vmId} is {vm.Status}");
                else if (vm.Datapaths.GetValueOrDefault(name) is var d && (d.Kind != "Vf" || d.Nic != pfId || d.Vf != vf || d.Claim != claim))
                    _violations.Add($"{pfId} VF {vf}: held by {vnic} under {claim}, but the VM records {d.Kind} {d.Nic} {d.Vf} {d.Claim}");
            }
        foreach (var (vmId, vm) in _vms.Where(v => v.Value.Status == "Running"))
            foreach (var (name, d) in vm.Datapaths.Where(x => x.Value.Kind == "Vf"))
                if (d.Nic is null || !_pfs.TryGetValue(d.Nic, out var pf) || !pf.Holders.TryGetValue(d.Vf ?? -1, out var holder)
                    || holder != ($"{vmId}/{name}", d.Claim))
                    _violations.Add($"{vmId}/{name}: records VF {d.Vf} on {d.Nic} under {d.Claim}, which its PF does not give it");
    }

    private static string Vnic(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : $"{e.GetProperty("Vm").GetString()}/{e.GetProperty("Name").GetString()}";

    public override string ToString() =>
        $"{Events} events, {Pfs} PFs, {Vms} VMs: {Allocations} allocations, {Releases} releases, {Revocations} revocations, "
        + $"{SagasOpened} sagas opened / {SagasClosed} closed, {HeldAtEnd} VFs held at the end, {Violations.Count} violation(s)";
}
