namespace Hokusai.Keys.Client.Models;

/// <summary>Who caused an event: the key that called, its owner and address.</summary>
/// <param name="KeyId">Id of the calling key, or <c>system</c>.</param>
/// <param name="Owner">Owner of the calling key.</param>
/// <param name="Ip">The caller's address, when known.</param>
public sealed record ApiKeyEventActor(string KeyId, string Owner, string? Ip);
