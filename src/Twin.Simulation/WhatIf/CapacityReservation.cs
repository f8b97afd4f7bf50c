namespace Twin.Simulation.WhatIf;

/// <summary>VFs set aside on one PF for a committed plan.</summary>
public sealed record PfReservation(string Nic, string Host, int Vfs);

/// <summary>
/// The capacity a committed scenario variant holds: per PF of the base, the VFs its plan needs. Later what-ifs start
/// from a base where these VFs are taken (holders present all along on the PF), so two plans cannot both count on the
/// same free VFs.
/// </summary>
public sealed record CapacityReservation(string Scenario, string Variant, IReadOnlyList<PfReservation> Pfs)
{
    /// <summary>
    /// What committing <paramref name="variant"/> of <paramref name="report"/> reserves: per PF of the base, the VFs its
    /// P95 peak allocation needs beyond the baseline's P95 peak (whole VFs, rounded up; PFs the variant adds are not
    /// reserved — they do not exist yet).
    /// </summary>
    public static CapacityReservation Needed(WhatIfReport report, string variant)
    {
        var v = report.Variant(variant) ?? throw new ArgumentException(
            $"scenario {report.Scenario} has no variant '{variant}' (it has {string.Join(", ", report.Variants.Skip(1).Select(x => x.Name))})", nameof(variant));
        if (v == report.Baseline) throw new ArgumentException("the baseline changes nothing: commit a variant", nameof(variant));
        var baseline = report.Baseline.PfResults.ToDictionary(p => p.Nic, StringComparer.Ordinal);
        var pfs = v.PfResults
            .Where(p => baseline.ContainsKey(p.Nic))
            .Select(p => new PfReservation(p.Nic, p.Host, (int)Math.Ceiling(p.PeakAllocated.P95 - 1e-9) - (int)Math.Ceiling(baseline[p.Nic].PeakAllocated.P95 - 1e-9)))
            .Where(p => p.Vfs > 0)
            .ToList();
        return new CapacityReservation(report.Scenario, variant, pfs);
    }

    /// <summary>VFs reserved on all PFs.</summary>
    public int TotalVfs() => Pfs.Sum(p => p.Vfs);
}
