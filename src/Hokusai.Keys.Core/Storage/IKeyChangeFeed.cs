using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Storage;

/// <summary>
/// The durable feed of keys whose validation outcome may have changed (<see cref="ValidationChanges"/>), read by edges
/// that cache validation answers. Implementations keep it in storage (a follower that was away catches up) and filter
/// it by what the caller may see (<see cref="Management.KeyAuthority.CanSeeKeyOf"/>).
/// </summary>
public interface IKeyChangeFeed
{
    /// <summary>The cursor of "now": a new follower starts here and sees only later changes.</summary>
    Task<KeyChangeCursor> HeadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The changes after <paramref name="cursor"/> that <paramref name="caller"/> may see; waits up to
    /// <paramref name="wait"/> for one when there is none yet. Null when the cursor is older than the feed's retention.
    /// </summary>
    Task<KeyChangePage?> ReadAsync(KeyChangeCursor cursor, Caller caller, TimeSpan wait, CancellationToken cancellationToken);
}
