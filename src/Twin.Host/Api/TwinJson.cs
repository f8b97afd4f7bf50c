using System.Text.Json;
using System.Text.Json.Serialization;

namespace Twin.Host.Api;

/// <summary>The JSON of the HTTP API, shared by the server and the CLI: camelCase properties, enums as their names,
/// ids as plain strings (the domain's own converters), missing constructor parameters and unknown properties refused
/// (a typo in a request is named instead of silently becoming a default).</summary>
public static class TwinJson
{
    /// <summary>Options for reading and writing API bodies.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The same, indented (CLI <c>-o json</c>).</summary>
    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };

    /// <summary>For reading the server's answers (the CLI): tolerant of fields a newer server adds.</summary>
    public static JsonSerializerOptions Reading { get; } = new(Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    /// <summary>Applies Twin's settings to <paramref name="options"/> (ASP.NET's own instance, for instance).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new StrictEnumConverterFactory());
        options.Converters.Add(new FiniteDoubleConverter());
        options.NumberHandling = JsonNumberHandling.Strict;
        options.RespectRequiredConstructorParameters = true;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // a change plan's steps say their kind in "action", wherever it is written in the object
        options.AllowOutOfOrderMetadataProperties = true;
        return options;
    }
}

/// <summary>A double that is not a number (a band of no values, a rate over nothing) is written as null, which JSON can
/// carry, and read back as NaN; anything but a number or null is refused.</summary>
public sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetDouble(),
        JsonTokenType.Null => double.NaN,
        _ => throw new JsonException($"{reader.TokenType.ToString().ToLowerInvariant()} is not a number"),
    };

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}
