using System.Text.Json.Serialization;
using Twin.Events.Common;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Simulation.Model;

namespace Twin.Simulation.Rehearsal;

/// <summary>
/// A change plan: an ordered list of steps in the vocabulary of the live use cases (create a switch, enable SR-IOV on a
/// PF, set IovWeight on a vNIC, migrate a VM, …), rehearsed against a fork of the twin and then applied to the live
/// twin. <see cref="Horizon"/> says what to simulate after the change ("what does the next month look like").
/// </summary>
public sealed record ChangePlan(string Name, ValueList<PlanStep> Steps)
{
    /// <summary>What the change is for, in a sentence.</summary>
    public string? Description { get; init; }

    /// <summary>The simulation of the horizon after the change, compared with not changing (null: the defaults).</summary>
    public HorizonSpec? Horizon { get; init; }

    /// <summary>Every problem of the plan as data (not of the twin it will meet): each names the step (0-based, null for
    /// the plan itself) and the field.</summary>
    public IEnumerable<PlanProblem> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) yield return new(null, "name", "is required");
        if (Steps is null || Steps.Count == 0)
        {
            yield return new(null, "steps", "needs at least one step");
            yield break;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            if (step is null)
            {
                yield return new(i, "action", "is required");
                continue;
            }
            if (step.Id is { } id && !ids.Add(id)) yield return new(i, "id", $"'{id}' names another step too; step ids are unique");
            foreach (var (field, problem) in step.Problems()) yield return new(i, field, problem);
        }
        foreach (var p in (Horizon ?? new HorizonSpec()).Problems()) yield return new(null, "horizon." + p.Field, p.Problem);
    }

    /// <summary>The name a report gives step <paramref name="index"/> (0-based): its id, else "step N" (1-based).</summary>
    public string StepName(int index) => Steps[index].Id ?? $"step {index + 1}";
}

/// <summary>A problem of a plan: the step (0-based; null = the plan), the field, and what is wrong.</summary>
public sealed record PlanProblem(int? Step, string Field, string Problem)
{
    public override string ToString() => Step is { } s ? $"steps[{s}].{Field} {Problem}" : $"{Field} {Problem}";
}

/// <summary>
/// One step of a <see cref="ChangePlan"/>. In JSON (and the YAML plan files) the <c>action</c> property names the kind,
/// e.g. <c>{"action": "enable-sriov", "nic": "host-07/0000:3b:00.0", "vfs": 8}</c>. A step marked
/// <see cref="Independent"/> may be applied or skipped on its own: when what it touches changed since the rehearsal it
/// is skipped and the rest of the plan still applies; any other step's drift refuses the whole plan.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "action", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(CreateSwitchStep), CreateSwitchStep.Name)]
[JsonDerivedType(typeof(SetSwitchIovStep), SetSwitchIovStep.Name)]
[JsonDerivedType(typeof(RecreateSwitchStep), RecreateSwitchStep.Name)]
[JsonDerivedType(typeof(EnableSriovStep), EnableSriovStep.Name)]
[JsonDerivedType(typeof(DisableSriovStep), DisableSriovStep.Name)]
[JsonDerivedType(typeof(SetVfsStep), SetVfsStep.Name)]
[JsonDerivedType(typeof(ApplyPendingStep), ApplyPendingStep.Name)]
[JsonDerivedType(typeof(RebootHostStep), RebootHostStep.Name)]
[JsonDerivedType(typeof(SetIovWeightStep), SetIovWeightStep.Name)]
[JsonDerivedType(typeof(StartVmStep), StartVmStep.Name)]
[JsonDerivedType(typeof(StopVmStep), StopVmStep.Name)]
[JsonDerivedType(typeof(MigrateVmStep), MigrateVmStep.Name)]
[JsonDerivedType(typeof(DefineVmStep), DefineVmStep.Name)]
[JsonDerivedType(typeof(SetPolicyStep), SetPolicyStep.Name)]
[JsonDerivedType(typeof(DefinePoolStep), DefinePoolStep.Name)]
public abstract record PlanStep
{
    /// <summary>The actions a plan may use, as written in the <c>action</c> field.</summary>
    public static IReadOnlyList<string> Actions { get; } =
    [
        CreateSwitchStep.Name, SetSwitchIovStep.Name, RecreateSwitchStep.Name, EnableSriovStep.Name, DisableSriovStep.Name, SetVfsStep.Name,
        ApplyPendingStep.Name, RebootHostStep.Name, SetIovWeightStep.Name, StartVmStep.Name, StopVmStep.Name, MigrateVmStep.Name,
        DefineVmStep.Name, SetPolicyStep.Name, DefinePoolStep.Name,
    ];

    /// <summary>A name for the step in reports (unique in the plan; default "step N").</summary>
    public string? Id { get; init; }

    /// <summary>May be applied or skipped on its own (see the type's summary).</summary>
    public bool Independent { get; init; }

    private static readonly Dictionary<Type, string> ActionOf = typeof(PlanStep).GetCustomAttributes(typeof(JsonDerivedTypeAttribute), false)
        .Cast<JsonDerivedTypeAttribute>().ToDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    /// <summary>The action, as written in the plan.</summary>
    [JsonIgnore]
    public string Action => ActionOf[GetType()];

    /// <summary>The step in a few words, e.g. "enable SR-IOV on host-07/0000:3b:00.0 with 8 VFs".</summary>
    public abstract string Describe();

    /// <summary>What is wrong with the step's fields (field, problem).</summary>
    internal virtual IEnumerable<(string Field, string Problem)> Problems() => [];

    private protected static IEnumerable<(string, string)> Required(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? [(field, "is required")] : [];
}

/// <summary>Creates a virtual switch (Hyper-V: <c>New-VMSwitch -EnableIov</c>; IOV can only be chosen now).</summary>
public sealed record CreateSwitchStep(SwitchId Switch, HostId Host, NicId? Nic = null, bool Iov = false,
    SwitchKind Kind = SwitchKind.External, string? SwitchName = null) : PlanStep
{
    public const string Name = "create-switch";
    public override string Describe() => $"create {Kind} switch {Switch} on {Host}{(Nic is { } n ? $" bound to {n}" : "")} with IOV {(Iov ? "on" : "off")}";

    internal override IEnumerable<(string, string)> Problems()
    {
        foreach (var p in Required("switch", Switch.Value)) yield return p;
        foreach (var p in Required("host", Host.Value)) yield return p;
        if (Kind is SwitchKind.External or SwitchKind.HostdevPool && Nic is null) yield return ("nic", $"is required for an {Kind} switch");
        if (Kind is SwitchKind.Internal or SwitchKind.Private && Nic is not null) yield return ("nic", $"is not allowed: a {Kind} switch is not bound to a NIC");
        if (Iov && Kind is SwitchKind.Internal or SwitchKind.Private) yield return ("iov", $"needs an external switch, not {Kind}");
    }
}

/// <summary>Turns IOV on or off on an existing switch (Hyper-V refuses: the answer is the recreate plan).</summary>
public sealed record SetSwitchIovStep(SwitchId Switch, bool Iov) : PlanStep
{
    public const string Name = "set-switch-iov";
    public override string Describe() => $"turn IOV {(Iov ? "on" : "off")} on switch {Switch}";
    internal override IEnumerable<(string, string)> Problems() => Required("switch", Switch.Value);
}

/// <summary>Deletes and recreates a switch with another IOV mode: its vNICs are disconnected, reconnected, and ask for
/// VFs again.</summary>
public sealed record RecreateSwitchStep(SwitchId Switch, bool Iov) : PlanStep
{
    public const string Name = "recreate-switch";
    public override string Describe() => $"recreate switch {Switch} with IOV {(Iov ? "on" : "off")}";
    internal override IEnumerable<(string, string)> Problems() => Required("switch", Switch.Value);
}

/// <summary>Turns SR-IOV on on a PF with <see cref="Vfs"/> VFs.</summary>
public sealed record EnableSriovStep(NicId Nic, int Vfs) : PlanStep
{
    public const string Name = "enable-sriov";
    public override string Describe() => $"enable SR-IOV on {Nic} with {Vfs} VF(s)";

    internal override IEnumerable<(string, string)> Problems()
    {
        foreach (var p in Required("nic", Nic.Value)) yield return p;
        if (Vfs < 1) yield return ("vfs", $"must be at least 1 to enable SR-IOV, not {Vfs}");
    }
}

/// <summary>Turns SR-IOV off on a PF.</summary>
public sealed record DisableSriovStep(NicId Nic) : PlanStep
{
    public const string Name = "disable-sriov";
    public override string Describe() => $"disable SR-IOV on {Nic}";
    internal override IEnumerable<(string, string)> Problems() => Required("nic", Nic.Value);
}

/// <summary>Sets a PF's VF count (NumVFs, sriov_numvfs, numVirtualFunction).</summary>
public sealed record SetVfsStep(NicId Nic, int Vfs) : PlanStep
{
    public const string Name = "set-vfs";
    public override string Describe() => $"set NumVFs of {Nic} to {Vfs}";

    internal override IEnumerable<(string, string)> Problems()
    {
        foreach (var p in Required("nic", Nic.Value)) yield return p;
        if (Vfs < 0) yield return ("vfs", $"cannot be negative ({Vfs})");
    }
}

/// <summary>Applies a PF configuration pending a reboot (vSphere), as the reboot would.</summary>
public sealed record ApplyPendingStep(NicId Nic) : PlanStep
{
    public const string Name = "apply-pending";
    public override string Describe() => $"apply the pending configuration of {Nic}";
    internal override IEnumerable<(string, string)> Problems() => Required("nic", Nic.Value);
}

/// <summary>Reboots a host: its running VMs stop, then its PFs' pending configurations take effect.</summary>
public sealed record RebootHostStep(HostId Host) : PlanStep
{
    public const string Name = "reboot-host";
    public override string Describe() => $"reboot {Host}";
    internal override IEnumerable<(string, string)> Problems() => Required("host", Host.Value);
}

/// <summary>"Enable SR-IOV" (IovWeight 1–100) or disable it (0) on a vNIC, or on every vNIC of the VM when
/// <see cref="Vnic"/> is omitted; on a running VM the VF follows at once.</summary>
public sealed record SetIovWeightStep(VmId Vm, int IovWeight, string? Vnic = null) : PlanStep
{
    public const string Name = "set-iov-weight";
    public override string Describe() => $"set IovWeight {IovWeight} on {(Vnic is null ? $"every vNIC of {Vm}" : $"{Vm}/{Vnic}")}";

    internal override IEnumerable<(string, string)> Problems()
    {
        foreach (var p in Required("vm", Vm.Value)) yield return p;
        if (IovWeight is < 0 or > 100) yield return ("iovWeight", $"must be 0-100, not {IovWeight}");
        if (Vnic is not null && string.IsNullOrWhiteSpace(Vnic)) yield return ("vnic", "is empty (omit it for every vNIC of the VM)");
    }
}

/// <summary>Starts a VM (placement, SR-IOV prerequisites, VFs by the platform's rules).</summary>
public sealed record StartVmStep(VmId Vm) : PlanStep
{
    public const string Name = "start-vm";
    public override string Describe() => $"start {Vm}";
    internal override IEnumerable<(string, string)> Problems() => Required("vm", Vm.Value);
}

/// <summary>Stops a VM, freeing its VFs.</summary>
public sealed record StopVmStep(VmId Vm) : PlanStep
{
    public const string Name = "stop-vm";
    public override string Describe() => $"stop {Vm}";
    internal override IEnumerable<(string, string)> Problems() => Required("vm", Vm.Value);
}

/// <summary>Live-migrates a running VM to <see cref="To"/> (the destination's VF is claimed first).</summary>
public sealed record MigrateVmStep(VmId Vm, HostId To) : PlanStep
{
    public const string Name = "migrate-vm";
    public override string Describe() => $"migrate {Vm} to {To}";

    internal override IEnumerable<(string, string)> Problems()
    {
        foreach (var p in Required("vm", Vm.Value)) yield return p;
        foreach (var p in Required("to", To.Value)) yield return p;
    }
}

/// <summary>Defines a VM (off) on a host with its vNICs.</summary>
public sealed record DefineVmStep(VmId Vm, HostId Host, string Guest, ValueList<VnicSpec> Vnics, int Vcpus = 2, long MemoryMiB = 4096,
    bool GuestHasVfDriver = true) : PlanStep
{
    public const string Name = "define-vm";
    public override string Describe() => $"define {Vm} on {Host} ({Guest}, {Vcpus} vCPU, {MemoryMiB} MiB, {Vnics.Count} vNIC(s))";

    internal override IEnumerable<(string, string)> Problems()
    {
        foreach (var p in Required("vm", Vm.Value)) yield return p;
        foreach (var p in Required("host", Host.Value)) yield return p;
        foreach (var p in Required("guest", Guest)) yield return p;
        if (Vcpus <= 0) yield return ("vcpus", $"must be positive, not {Vcpus}");
        if (MemoryMiB <= 0) yield return ("memoryMiB", $"must be positive, not {MemoryMiB}");
        var vnics = Vnics ?? [];
        for (var i = 0; i < vnics.Count; i++)
        {
            var v = vnics[i];
            if (string.IsNullOrWhiteSpace(v.Name)) yield return ($"vnics[{i}].name", "is required");
            if (string.IsNullOrWhiteSpace(v.Switch.Value)) yield return ($"vnics[{i}].switch", "is required");
            if (v.IovWeight is < 0 or > 100) yield return ($"vnics[{i}].iovWeight", $"must be 0-100, not {v.IovWeight}");
            if (v.QueuePairs < 1) yield return ($"vnics[{i}].queuePairs", $"must be at least 1, not {v.QueuePairs}");
        }
        if (vnics.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count() != vnics.Count) yield return ("vnics", "name a vNIC twice");
    }
}

/// <summary>Chooses how a PF arbitrates scarce VFs.</summary>
public sealed record SetPolicyStep(NicId Nic, ScarceVfPolicy Policy) : PlanStep
{
    public const string Name = "set-policy";
    public override string Describe() => $"set the scarce-VF policy of {Nic} to {Policy}";
    internal override IEnumerable<(string, string)> Problems() => Required("nic", Nic.Value);
}

/// <summary>Declares a named resource pool of VFs on a PF.</summary>
public sealed record DefinePoolStep(NicId Nic, string Pool, ValueList<int> Vfs) : PlanStep
{
    public const string Name = "define-pool";
    public override string Describe() => $"define pool '{Pool}' on {Nic} with VF(s) {string.Join(",", Vfs ?? [])}";

    internal override IEnumerable<(string, string)> Problems()
    {
        foreach (var p in Required("nic", Nic.Value)) yield return p;
        foreach (var p in Required("pool", Pool)) yield return p;
        if (Vfs is null || Vfs.Count == 0) yield return ("vfs", "needs at least one VF index");
        else if (Vfs.Any(v => v < 0)) yield return ("vfs", "cannot hold a negative VF index");
    }
}

/// <summary>
/// What to simulate after the change, compared with not changing: <see cref="Days"/> of a workload — synthetic
/// (Poisson arrivals) by default, or the VMs of a trace (<see cref="TraceVms"/>) — on the datacenter before and after
/// the plan, with the VMs running now kept on their hosts. <see cref="ArrivalsPerHour"/> null = enough arrivals to keep
/// about half of the datacenter's cores busy. With <see cref="NoRegression"/> a change that does worse than not changing
/// (more failed starts or more vNICs on the synthetic path, at the median) is NO-GO.
/// </summary>
public sealed record HorizonSpec
{
    /// <summary>Whether to simulate the horizon at all.</summary>
    public bool Enabled { get; init; } = true;

    public int Days { get; init; } = 30;
    public int Replications { get; init; } = 8;
    public ulong Seed { get; init; } = 1;
    public double? ArrivalsPerHour { get; init; }
    public double GrowthPercent { get; init; }
    public double MeanLifetimeHours { get; init; } = 24;

    /// <summary>Fraction of arriving VMs whose vNICs want a VF.</summary>
    public double SriovShare { get; init; } = 0.5;

    public int Vcpus { get; init; } = 2;
    public double MemoryGiB { get; init; } = 8;
    public int VnicsPerVm { get; init; } = 1;
    public double GbpsPerVnic { get; init; } = 1;
    public PlacementPolicy Placement { get; init; } = PlacementPolicy.SriovAware;
    public bool NoRegression { get; init; }

    /// <summary>A trace's VMs (arrival order) instead of synthetic arrivals; network attributes are drawn as for the
    /// synthetic ones (<see cref="SriovShare"/>, <see cref="GbpsPerVnic"/>).</summary>
    public ValueList<TraceVm>? TraceVms { get; init; }

    /// <summary>Where <see cref="TraceVms"/> came from, for the report.</summary>
    public string? TraceSource { get; init; }

    internal IEnumerable<(string Field, string Problem)> Problems()
    {
        if (Days is < 1 or > 366) yield return ("days", $"must be 1-366, not {Days}");
        if (Replications is < 1 or > 64) yield return ("replications", $"must be 1-64, not {Replications}");
        if (ArrivalsPerHour is { } a && !(a > 0 && a < 100_000)) yield return ("arrivalsPerHour", $"must be positive (and below 100000), not {a}");
        if (!(GrowthPercent > -100) || double.IsInfinity(GrowthPercent)) yield return ("growthPercent", $"must be above -100, not {GrowthPercent}");
        if (!(MeanLifetimeHours > 0) || double.IsInfinity(MeanLifetimeHours)) yield return ("meanLifetimeHours", $"must be positive, not {MeanLifetimeHours}");
        if (SriovShare is < 0 or > 1 || double.IsNaN(SriovShare)) yield return ("sriovShare", $"must be 0-1, not {SriovShare}");
        if (Vcpus < 1) yield return ("vcpus", $"must be at least 1, not {Vcpus}");
        if (!(MemoryGiB > 0)) yield return ("memoryGiB", $"must be positive, not {MemoryGiB}");
        if (VnicsPerVm is < 0 or > 16) yield return ("vnicsPerVm", $"must be 0-16, not {VnicsPerVm}");
        if (!(GbpsPerVnic >= 0) || double.IsInfinity(GbpsPerVnic)) yield return ("gbpsPerVnic", $"must be 0 or more, not {GbpsPerVnic}");
        if (TraceVms is { } vms)
        {
            var last = double.NegativeInfinity;
            foreach (var vm in vms)
            {
                if (!(vm.ArrivalHours >= 0) || vm.ArrivalHours < last)
                {
                    yield return ("traceVms", $"must be in arrival order with non-negative hours (VM '{vm.Id}' arrives at {vm.ArrivalHours} h)");
                    yield break;
                }
                last = vm.ArrivalHours;
            }
        }
    }
}

/// <summary>One VM of a trace, as a horizon needs it: arrival and departure in hours from the start of the horizon
/// (departure null = still there at its end), cores and memory in GiB.</summary>
public sealed record TraceVm(string Id, double ArrivalHours, double? DepartureHours, double Cores, double MemoryGiB);
