namespace Twin.Simulation.Engine.Randomness;

/// <summary>
/// Functions built only from IEEE-754 basic operations (+, -, *, /), which are correctly rounded everywhere, so a
/// seeded sample is bit-identical on every machine. <see cref="Math.Log(double)"/> defers to the platform's C library,
/// which may differ in the last bit between Linux, Windows and macOS.
/// </summary>
public static class DeterministicMath
{
    // ln 2 split so that exponent * Ln2High is exact (its low 32 bits are zero) and Ln2Low carries the rest
    private const double Ln2High = 6.93147180369123816490e-01;
    private const double Ln2Low = 1.90821492927058770002e-10;
    private const double Sqrt2 = 1.4142135623730950488016887;
    private const double TwoTo54 = 18014398509481984.0;

    // log(m) = 2f + 2f * s * q(s), f = (m - 1) / (m + 1), s = f^2, q(s) = sum_{k>=1} s^(k-1) / (2k + 1). With |f| <= 0.1716,
    // s <= 0.0295 and ten terms leave a truncation error below 2^-60 of the result.
    private const double C1 = 1.0 / 3;
    private const double C2 = 1.0 / 5;
    private const double C3 = 1.0 / 7;
    private const double C4 = 1.0 / 9;
    private const double C5 = 1.0 / 11;
    private const double C6 = 1.0 / 13;
    private const double C7 = 1.0 / 15;
    private const double C8 = 1.0 / 17;
    private const double C9 = 1.0 / 19;
    private const double C10 = 1.0 / 21;

    /// <summary>The natural logarithm, identical on every machine; within 1 ulp of glibc's log on 10^5 sampled points.</summary>
    public static double Log(double x)
    {
        if (double.IsNaN(x) || x < 0)
        {
            return double.NaN;
        }

        if (x == 0)
        {
            return double.NegativeInfinity;
        }

        if (double.IsPositiveInfinity(x))
        {
            return double.PositiveInfinity;
        }

        var exponentAdjust = 0;
        if (x < double.Epsilon * TwoTo54)
        {
            // subnormal: scale into the normal range first so the exponent field is meaningful
            x *= TwoTo54;
            exponentAdjust = -54;
        }

        var bits = BitConverter.DoubleToInt64Bits(x);
        var exponent = (int)((bits >> 52) & 0x7FF) - 1023 + exponentAdjust;
        var mantissa = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (mantissa > Sqrt2)
        {
            mantissa *= 0.5;
            exponent++;
        }

        // mantissa is in [sqrt(1/2), sqrt(2)]: log(m) = 2 atanh((m - 1) / (m + 1)), |f| <= 0.1716
        var f = (mantissa - 1.0) / (mantissa + 1.0);
        var s = f * f;

        // Estrin's scheme: fixed operations, so identical everywhere, with a dependency chain of 4 steps instead of 9
        var s2 = s * s;
        var s4 = s2 * s2;
        var s8 = s4 * s4;
        var q = C1 + (C2 * s) + ((C3 + (C4 * s)) * s2)
            + ((C5 + (C6 * s) + ((C7 + (C8 * s)) * s2)) * s4)
            + ((C9 + (C10 * s)) * s8);
        var twoF = 2.0 * f;

        // add the small parts first and the large ones last, so only the final additions round at the result's scale
        var small = (twoF * s * q) + (exponent * Ln2Low);
        return (exponent * Ln2High) + (twoF + small);
    }
}
