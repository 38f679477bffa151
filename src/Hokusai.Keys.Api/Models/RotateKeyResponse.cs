using System.Text.Json.Serialization;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Api.Models;

public sealed record RotateKeyResponse(KeyResource Key, KeyResource Previous);
