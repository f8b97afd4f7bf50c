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
    /// <c>policy POLICY [NIC]</c> or <c>none</c>. Ids may contain ':' and spaces (Hyper-V NICs are keyed by their
    /// interface description), so an id is everything between the keyword and the last word.</summary>
    public static ReplayChange Parse(string text)
    {
        var w = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string Between(int from, int to) => string.Join(' ', w[from..to]);
        return w switch
        {
            ["none"] => new Nothing(),
            ["vfs", _, .., var n] when int.TryParse(n, out var count) && count >= 0 => new PfVfCount(Between(1, w.Length - 1), count),
            ["iov", _, .., "on"] => new SwitchIov(Between(1, w.Length - 1), true),
            ["iov", _, .., "off"] => new SwitchIov(Between(1, w.Length - 1), false),
            ["policy", var p] when Enum.TryParse<ScarceVfPolicy>(p, true, out var policy) => new VfPolicy(policy),
            ["policy", var p, _, ..] when Enum.TryParse<ScarceVfPolicy>(p, true, out var policy) => new VfPolicy(policy, Between(2, w.Length)),
            _ => throw new FormatException(
                $"'{text}' is not a change: use 'vfs NIC COUNT', 'iov SWITCH on|off', 'policy {string.Join("|", Enum.GetNames<ScarceVfPolicy>())} [NIC]' or 'none'"),
        };
    }
}
