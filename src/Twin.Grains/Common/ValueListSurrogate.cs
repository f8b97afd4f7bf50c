using Twin.Events.Common;

namespace Twin.Grains.Common;

/// <summary>How Orleans carries a <see cref="ValueList{T}"/> across the wire: as a plain array.</summary>
[GenerateSerializer]
public struct ValueListSurrogate<T>
{
    [Id(0)]
    public T[] Items;
}

/// <summary>Converts <see cref="ValueList{T}"/> to and from its surrogate.</summary>
[RegisterConverter]
public sealed class ValueListSurrogateConverter<T> : IConverter<ValueList<T>, ValueListSurrogate<T>>
{
    public ValueList<T> ConvertFromSurrogate(in ValueListSurrogate<T> surrogate) => new(surrogate.Items ?? []);

    public ValueListSurrogate<T> ConvertToSurrogate(in ValueList<T> value) => new() { Items = [.. value] };
}
