namespace Twin.Simulation.Engine.Randomness;

/// <summary>
/// A continuous distribution given by CDF points (value, cumulative probability), sampled by the piecewise-linear
/// inverse CDF: uniform within each interval between two points. Values are in the table's unit (e.g. hours).
/// </summary>
public sealed class EmpiricalDistribution : ISampler<double>
{
    private readonly double[] _values;
    private readonly double[] _cumulative;

    private EmpiricalDistribution(double[] values, double[] cumulative)
    {
        _values = values;
        _cumulative = cumulative;
    }

    /// <summary>The points used, including the added ones at probability 0 and 1.</summary>
    public IReadOnlyList<(double Value, double CumulativeProbability)> Points =>
        [.. _values.Select((v, i) => (v, _cumulative[i]))];

    public double Min => _values[0];

    public double Max => _values[^1];

    /// <summary>The exact mean of the piecewise-linear distribution.</summary>
    public double Mean
    {
        get
        {
            var mean = 0.0;
            for (var i = 1; i < _values.Length; i++)
            {
                mean += (_cumulative[i] - _cumulative[i - 1]) * (_values[i] + _values[i - 1]) / 2;
            }

            return mean;
        }
    }

    /// <summary>
    /// Builds from CDF points with cumulative probabilities in [0, 1], both columns non-decreasing.
    /// If the first probability is above 0, the mass below it is spread from <paramref name="lowerBound"/> (default:
    /// the first value, i.e. an atom there). If the last is below 1, the rest is spread up to
    /// <paramref name="upperBound"/> (default: the last value, an atom), e.g. a trace length for censored lifetimes.
    /// </summary>
    public static EmpiricalDistribution FromCdf(
        IEnumerable<(double Value, double CumulativeProbability)> points,
        double? lowerBound = null,
        double? upperBound = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        var values = new List<double>();
        var cumulative = new List<double>();
        var index = 0;
        foreach (var (value, probability) in points)
        {
            if (!double.IsFinite(value) || !(probability >= 0 && probability <= 1))
            {
                throw new ArgumentException($"Point {index}: ({value}, {probability}) needs a finite value and a probability in [0, 1].", nameof(points));
            }

            if (values.Count > 0 && (value < values[^1] || probability < cumulative[^1]))
            {
                throw new ArgumentException($"Point {index}: ({value}, {probability}) is below the previous point; both columns must be non-decreasing.", nameof(points));
            }

            values.Add(value);
            cumulative.Add(probability);
            index++;
        }

        if (values.Count == 0)
        {
            throw new ArgumentException("The CDF needs at least one point.", nameof(points));
        }

        if (cumulative[0] > 0)
        {
            var start = lowerBound ?? values[0];
            if (start > values[0])
            {
                throw new ArgumentOutOfRangeException(nameof(lowerBound), "The lower bound is above the first value.");
            }

            values.Insert(0, start);
            cumulative.Insert(0, 0);
        }

        if (cumulative[^1] < 1)
        {
            var end = upperBound ?? values[^1];
            if (end < values[^1])
            {
                throw new ArgumentOutOfRangeException(nameof(upperBound), "The upper bound is below the last value.");
            }

            values.Add(end);
            cumulative.Add(1);
        }

        return new EmpiricalDistribution([.. values], [.. cumulative]);
    }

    /// <summary>The value at cumulative probability <paramref name="p"/> in [0, 1) (the piecewise-linear inverse CDF).</summary>
    public double Quantile(double p)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in [0, 1].");
        }

        // the first point whose cumulative probability exceeds p; the segment before it holds p
        var upper = SortedSearch.UpperBound(_cumulative, p);
        if (upper >= _cumulative.Length)
        {
            return _values[^1];
        }

        var lower = upper - 1;
        var width = _cumulative[upper] - _cumulative[lower];
        var fraction = (p - _cumulative[lower]) / width;
        return _values[lower] + (fraction * (_values[upper] - _values[lower]));
    }

    /// <summary>P(X ≤ x), linear between the points.</summary>
    public double Cdf(double x)
    {
        if (x < _values[0])
        {
            return 0;
        }

        var upper = SortedSearch.UpperBound(_values, x);
        if (upper >= _values.Length)
        {
            return 1;
        }

        var lower = upper - 1;
        var fraction = (x - _values[lower]) / (_values[upper] - _values[lower]);
        return _cumulative[lower] + (fraction * (_cumulative[upper] - _cumulative[lower]));
    }

    public double Sample(Pcg32 random) => Quantile(random.NextDouble());
}
