namespace Hokusai.Keys.Client.Models;

/// <summary>The answer of a rotation: the new key (with its plaintext) and the previous one.</summary>
public sealed class RotatedApiKey
{
    /// <summary>The new key, with its plaintext (<see cref="ApiKey.Key"/>): store it now.</summary>
    public ApiKey Key { get; init; } = new();
    /// <summary>The replaced key, which keeps working until its grace period ends.</summary>
    public ApiKey Previous { get; init; } = new();

    /// <summary>The two ids; never a plaintext.</summary>
    public override string ToString() => $"RotatedApiKey {Previous.Id} -> {Key.Id}";
}
