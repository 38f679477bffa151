namespace Hokusai.Keys.Management;

/// <summary>Body of <c>POST /api/keys/{id}/rotate</c>.</summary>
public sealed class RotateKeyRequest
{
    /// <summary>How long the old key keeps working; 0 revokes it now. Default one day.</summary>
    public long? GracePeriodSeconds { get; set; }

    /// <summary>The new key's expiry (or <see cref="ExpiresInSeconds"/>); neither: it keeps the old key's expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public long? ExpiresInSeconds { get; set; }
}
