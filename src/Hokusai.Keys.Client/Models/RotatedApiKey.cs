using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>The answer of a rotation: the new key (with its plaintext) and the previous one.</summary>
public sealed class RotatedApiKey
{
    public ApiKey Key { get; init; } = new();
    public ApiKey Previous { get; init; } = new();

    public override string ToString() => $"RotatedApiKey {Previous.Id} -> {Key.Id}";
}
