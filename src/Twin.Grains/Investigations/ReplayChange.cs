using Twin.Events.Platforms;

namespace Twin.Grains.Investigations;

/// <summary>What a counterfactual replay changes in the twin it forks ("had that PF had 16 VFs…").</summary>
public abstract record ReplayChange
{
    /// <summary>The PF had <paramref name="VfCount"/> VFs from the fork on (its recorded VF-count changes are not replayed).</summary>
    public sealed record PfVfCount(string Nic, int VfCount) : ReplayChange
    {
        public override string Describe() => $"PF {Nic} had {VfCount} VFs";
    }

    /// <summary>The switch had IOV on (or off) from the fork on.</summary>
    public sealed record SwitchIov(string Switch, bool IovEnabled = true) : ReplayChange
    {
        public override string Describe() => $"switch {Switch} had IOV {(IovEnabled ? "on" : "off")}";
    }

    /// <summary>PFs arbitrated scarce VFs by <paramref name="Policy"/> (one PF, or every PF when null).</summary>
    public sealed record VfPolicy(ScarceVfPolicy Policy, string? Nic = null) : ReplayChange
    {
        public override string Describe() => $"{(Nic is null ? "every PF" : $"PF {Nic}")} used the {Policy} scarce-VF policy";
    }

    /// <summary>Nothing changed: replays history as recorded (a check of the replay itself).</summary>
    public sealed record Nothing : ReplayChange
    {
        public override string Describe() => "nothing changed";
    }

    /// <summary>One sentence for reports.</summary>
    public abstract string Describe();

    /// <summary>The change as written on a command line: <c>vfs NIC COUNT</c>, <c>iov SWITCH on|off</c>,
    /// <c>policy POLICY [NIC]</c> or <c>none</c> (ids may contain ':' so words are separated by spaces).</summary>
    public static ReplayChange Parse(string text)
    {
        var w = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return w switch
        {
            ["none"] => new Nothing(),
            ["vfs", var nic, var n] when int.TryParse(n, out var count) && count >= 0 => new PfVfCount(nic, count),
            ["iov", var sw, "on"] => new SwitchIov(sw, true),
            ["iov", var sw, "off"] => new SwitchIov(sw, false),
            ["policy", var p] when Enum.TryParse<ScarceVfPolicy>(p, true, out var policy) => new VfPolicy(policy),
            ["policy", var p, var nic] when Enum.TryParse<ScarceVfPolicy>(p, true, out var policy) => new VfPolicy(policy, nic),
            _ => throw new FormatException(
                $"'{text}' is not a change: use 'vfs NIC COUNT', 'iov SWITCH on|off', 'policy {string.Join("|", Enum.GetNames<ScarceVfPolicy>())} [NIC]' or 'none'"),
        };
    }
}
