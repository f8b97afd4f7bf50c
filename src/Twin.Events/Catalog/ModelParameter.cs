namespace Twin.Events.Catalog;

/// <summary>A named model parameter: its value, unit, the source it comes from, and whether it is a modelling
/// assumption (no source states it; chosen by Twin and configurable) rather than a sourced figure.</summary>
public sealed record ModelParameter<T>(string Name, T Value, string Unit, string Source, bool IsAssumption = false)
{
    /// <summary>The same parameter with another value (a calibration or a what-if), keeping the name and unit.</summary>
    public ModelParameter<T> WithValue(T value, string source) => this with { Value = value, Source = source, IsAssumption = false };

    public override string ToString() => $"{Name} = {Value} {Unit} ({(IsAssumption ? "assumption: " : "")}{Source})";
}
