using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.AspNetCore;

/// <summary>
/// Whether a scheme's change feed is followed right now: its last long-poll answered, recently enough that the next one
/// is not overdue, and none failed since. Only then may valid answers be reused for the long duration.
/// </summary>
internal sealed class FeedState
{
    /// <summary>How much longer than its wait a long-poll may take before the feed counts as lost.</summary>
    internal static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private volatile Snapshot? _current;

    private sealed record Snapshot(DateTimeOffset AnsweredAt, TimeSpan Wait, ApiKeyChangePage Page);

    public bool IsFollowed(DateTimeOffset now) => _current is { } s && now - s.AnsweredAt <= s.Wait + Grace;

    /// <summary>True when the feed is followed and reports changes of this key.</summary>
    public bool Covers(VerifiedApiKey key, DateTimeOffset now) =>
        _current is { } s && now - s.AnsweredAt <= s.Wait + Grace && s.Page.Covers(key.Owner, key.Environment, key.Scopes);

    public void Answered(ApiKeyChangePage page, TimeSpan wait, DateTimeOffset now) => _current = new Snapshot(now, wait, page);

    public void Lost() => _current = null;
}
