namespace Hokusai.Keys.Client.Models;

/// <summary>An answer of the change feed: the changes after the cursor asked with, and the cursor to ask with next.</summary>
public sealed class ApiKeyChangePage
{
    /// <summary>Keys whose validation outcome may have changed, oldest first (a key may appear more than once).</summary>
    public IReadOnlyList<ApiKeyChange> Changes { get; init; } = [];
    /// <summary>Pass it to the next call (opaque).</summary>
    public string Cursor { get; init; } = "";
    /// <summary>The owner whose keys this feed covers; null when it covers every key (an admin's feed).</summary>
    public string? Owner { get; init; }
    /// <summary>The environment (<c>live</c>, <c>test</c>) whose keys this feed covers; null when it covers every key.</summary>
    public string? Environment { get; init; }

    /// <summary>
    /// True when this feed reports changes of a key of <paramref name="owner"/> and <paramref name="environment"/> holding
    /// <paramref name="scopes"/>: the server's visibility rule (KeyAuthority.CanSee): every key for an admin's feed, else
    /// keys of the feed's owner and environment that do not hold <c>admin</c>.
    /// </summary>
    public bool Covers(string? owner, string? environment, IReadOnlyList<string>? scopes) =>
        Owner is null || (owner == Owner && environment == Environment && !(scopes ?? []).Contains("admin"));
}
