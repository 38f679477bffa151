namespace Hokusai.Keys.Api.Models;

public sealed record KeyEventActor(string KeyId, string Owner, string? Ip);
