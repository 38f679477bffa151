namespace Hokusai.Keys.Api.Models;

public sealed record RotateKeyResponse(KeyResource Key, KeyResource Previous);
