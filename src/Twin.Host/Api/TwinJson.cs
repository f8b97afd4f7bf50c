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
        options.NumberHandling = JsonNumberHandling.Strict;
        options.RespectRequiredConstructorParameters = true;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // a change plan's steps say their kind in "action", wherever it is written in the object
        options.AllowOutOfOrderMetadataProperties = true;
        return options;
    }
}
