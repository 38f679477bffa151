using System.Text.Json.Serialization;

namespace Hokusai.Keys.Api.Models;

/// <summary>Body of <c>POST /api/keys/verify</c>.</summary>
public sealed class VerifyRequest
{
    public string? Key { get; set; }
    public string? Ip { get; set; }
    public List<string>? RequiredScopes { get; set; }
}

/// <summary>Always 200 for a well-formed request: the answer is data. <see cref="Key"/> is omitted for an unknown key.</summary>
public sealed record VerifyResponse(bool Valid, string Code)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VerifiedKey? Key { get; init; }
}

/// <summary>For a valid key every field; for a found but refused key only <see cref="Id"/> (nothing of its owner leaks).</summary>
public sealed record VerifiedKey(string Id)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Owner { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Environment { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Scopes { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? ExpiresAt { get; init; }
}
