namespace Twin.Simulation.Engine.Randomness;

/// <summary>
/// Functions built only from IEEE-754 basic operations (+, -, *, /), which are correctly rounded everywhere, so a
/// seeded sample is bit-identical on every machine. <see cref="Math.Log(double)"/> defers to the platform's C library,
/// which may differ in the last bit between Linux, Windows and macOS.
/// </summary>
public static class DeterministicMath
{
    private const double Ln2 = 0.6931471805599453094172321;
    private const double Sqrt2 = 1.4142135623730950488016887;
    private const double TwoTo54 = 18014398509481984.0;

    // 1 / (2k + 1) for the series atanh(f) = f * sum_k f^(2k) / (2k + 1); 13 terms reach 1e-19 for |f| <= 0.1716
    private static readonly double[] s_inverseOdd =
    [
        1.0, 1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25,
    ];

    /// <summary>The natural logarithm, within about 2 ulp of the exact value, identical on every machine.</summary>
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
        var sum = s_inverseOdd[^1];
        for (var k = s_inverseOdd.Length - 2; k >= 0; k--)
        {
            sum = (sum * s) + s_inverseOdd[k];
        }

        return (exponent * Ln2) + (2.0 * f * sum);
    }
}
