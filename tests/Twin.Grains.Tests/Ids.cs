namespace Twin.Grains.Tests;

/// <summary>Unique ids per test, so tests sharing a cluster never see each other's streams.</summary>
internal static class Ids
{
    public static string New(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
