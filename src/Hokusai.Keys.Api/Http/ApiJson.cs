using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hokusai.Keys.Api.Http;

/// <summary>The wire format: camelCase, unknown and duplicate properties rejected, enums as strings.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // {"scopes":["a"],"scopes":["admin"]}: which one wins differs between parsers (a gateway may check the first,
        // we would act on the last), so a body with a name twice (in any case) means nothing and is refused.
        options.AllowDuplicateProperties = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.MaxDepth = 16;
        return options;
    }
}
