namespace Twin.Simulation.Engine.Randomness;

/// <summary>A discrete distribution: picks one of the items with probability proportional to its non-negative weight.</summary>
public sealed class WeightedChoice<T> : ISampler<T>
{
    private readonly T[] _items;
    private readonly double[] _cumulative;

    public WeightedChoice(IEnumerable<(T Item, double Weight)> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var items = new List<T>();
        var cumulative = new List<double>();
        var total = 0.0;
        foreach (var (item, weight) in choices)
        {
            if (!(weight >= 0) || double.IsInfinity(weight))
            {
                throw new ArgumentException($"The weight of '{item}' must be finite and non-negative, not {weight}.", nameof(choices));
            }

            total += weight;
            items.Add(item);
            cumulative.Add(total);
        }

        if (!(total > 0))
        {
            throw new ArgumentException("At least one weight must be positive.", nameof(choices));
        }

        _items = [.. items];
        _cumulative = [.. cumulative];
    }

    public double TotalWeight => _cumulative[^1];

    public IReadOnlyList<T> Items => _items;

    /// <summary>The probability of the item at <paramref name="index"/>.</summary>
    public double Probability(int index) =>
        (_cumulative[index] - (index == 0 ? 0 : _cumulative[index - 1])) / TotalWeight;

    public T Sample(Pcg32 random)
    {
        var u = random.NextDouble() * TotalWeight;

        // u < TotalWeight in exact arithmetic; the product may round up to it, hence the cap
        var low = Math.Min(SortedSearch.UpperBound(_cumulative, u), _cumulative.Length - 1);
        return _items[low];
    }
}
