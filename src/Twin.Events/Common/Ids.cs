using System.Text.Json;
using System.Text.Json.Serialization;

namespace Twin.Events.Common;

/// <summary>A string identifier that serializes as a bare JSON string. Ids are unique across the datacenter and
/// serve as grain key, Marten stream key and read-model id at once.</summary>
public interface IStringId<TSelf> where TSelf : struct, IStringId<TSelf>
{
    /// <summary>The id text, e.g. <c>host-07/0000:a2:00.0</c>.</summary>
    string Value { get; }

    /// <summary>Wraps a text without validation (validation happens at the edge).</summary>
    static abstract TSelf From(string value);
}

/// <summary>Serializes any <see cref="IStringId{TSelf}"/> as a bare string.</summary>
public sealed class StringIdJsonConverter<T> : JsonConverter<T> where T : struct, IStringId<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        T.From(reader.GetString() ?? throw new JsonException($"{typeof(T).Name} must be a string"));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value ?? "");

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        T.From(reader.GetString() ?? throw new JsonException($"{typeof(T).Name} must be a string"));

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.Value);
}

/// <summary>A physical server running a hypervisor, e.g. <c>host-07</c>.</summary>
[GenerateSerializer, Immutable, JsonConverter(typeof(StringIdJsonConverter<HostId>))]
public readonly record struct HostId(string Value) : IStringId<HostId>
{
    public static HostId From(string value) => new(value);
    public override string ToString() => Value;
}

/// <summary>A host's chipset and firmware, e.g. <c>host-07/chipset</c>.</summary>
[GenerateSerializer, Immutable, JsonConverter(typeof(StringIdJsonConverter<ChipsetId>))]
public readonly record struct ChipsetId(string Value) : IStringId<ChipsetId>
{
    public static ChipsetId From(string value) => new(value);
    public static ChipsetId Of(HostId host) => new($"{host.Value}/chipset");
    public override string ToString() => Value;
}

/// <summary>One physical function (PF) of a NIC, keyed by host and PCI address, e.g. <c>host-07/0000:a2:00.0</c>
/// (never by netdev name, which changes across reboots).</summary>
[GenerateSerializer, Immutable, JsonConverter(typeof(StringIdJsonConverter<NicId>))]
public readonly record struct NicId(string Value) : IStringId<NicId>
{
    public static NicId From(string value) => new(value);
    public static NicId Of(HostId host, string pciAddress) => new($"{host.Value}/{pciAddress}");
    public override string ToString() => Value;
}

/// <summary>A virtual switch (Hyper-V vSwitch, vSphere port group, libvirt network), e.g. <c>host-07/vswitch-iov</c>.</summary>
[GenerateSerializer, Immutable, JsonConverter(typeof(StringIdJsonConverter<SwitchId>))]
public readonly record struct SwitchId(string Value) : IStringId<SwitchId>
{
    public static SwitchId From(string value) => new(value);

    /// <summary>The same switch on another host: switch ids are "host/name" by convention (a VM that migrates keeps its
    /// vNIC on the switch of the same name on the destination). Ids not under <paramref name="from"/> are unchanged.</summary>
    public SwitchId OnHost(HostId from, HostId to) =>
        Value.StartsWith(from.Value + "/", StringComparison.Ordinal) ? new SwitchId(to.Value + Value[from.Value.Length..]) : this;
    public override string ToString() => Value;
}

/// <summary>A virtual machine, unique across the datacenter, e.g. <c>vm-42</c>.</summary>
[GenerateSerializer, Immutable, JsonConverter(typeof(StringIdJsonConverter<VmId>))]
public readonly record struct VmId(string Value) : IStringId<VmId>
{
    public static VmId From(string value) => new(value);
    public override string ToString() => Value;
}

/// <summary>The id of one operation (a saga, an import, a plan step): the correlation id of every event it causes.
/// Steps are idempotent on it. The default value is <see cref="None"/> (no operation).</summary>
[GenerateSerializer, Immutable, JsonConverter(typeof(StringIdJsonConverter<OperationId>))]
public readonly record struct OperationId : IStringId<OperationId>
{
    [Id(0)]
    private readonly string? _value;

    public OperationId(string value) => _value = value;

    /// <summary>The id text ("" for none).</summary>
    public string Value { get => _value ?? ""; init => _value = value; }

    public static OperationId From(string value) => new(value);

    /// <summary>No operation (events recorded outside any saga, e.g. in simulation).</summary>
    public static readonly OperationId None = new("");

    public bool IsNone => Value.Length == 0;

    // default(OperationId) and None are the same id
    public bool Equals(OperationId other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value;
}

/// <summary>One virtual network adapter: a VM and the adapter's name inside it, e.g. <c>vm-42/net0</c>.</summary>
[GenerateSerializer, Immutable]
public readonly record struct VnicRef(VmId Vm, string Name)
{
    public override string ToString() => $"{Vm.Value}/{Name}";
}
