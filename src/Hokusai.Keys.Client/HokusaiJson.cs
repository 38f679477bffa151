using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client;

/// <summary>The SDK's JSON settings: camelCase, nulls omitted, unknown properties ignored (newer servers may add fields).</summary>
public static class HokusaiJson
{
    /// <summary>The settings the client reads and writes the API's JSON with.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same settings, indented (the CLI's <c>--json</c> output).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = indented,
    };

    internal static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Options);
}
