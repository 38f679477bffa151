using System.Text.Json.Serialization;
using Hokusai.Keys.Keys;

namespace Hokusai.Keys.Api.Models;

public sealed record KeyEventActor(string KeyId, string Owner, string? Ip);
