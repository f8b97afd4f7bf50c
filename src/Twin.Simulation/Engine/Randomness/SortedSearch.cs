namespace Twin.Simulation.Engine.Randomness;

internal static class SortedSearch
{
    /// <summary>The index of the first element greater than <paramref name="key"/> in a non-decreasing array (its length if none).</summary>
    public static int UpperBound(double[] sorted, double key)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (sorted[mid] <= key)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
