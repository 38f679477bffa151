using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

public sealed record ApiKeyEventActor(string KeyId, string Owner, string? Ip);
