namespace Hokusai.Keys.Azure;

/// <summary>Settings section <c>Hokusai:ChangeFeed</c>: the change feed edges follow (<c>GET /api/keys/changes</c>).</summary>
public sealed class ChangeFeedOptions
{
    public const string SectionName = "Hokusai:ChangeFeed";

    /// <summary>Longest wait the Functions host allows an HTTP request (230 s), which a long-poll must stay well under.</summary>
    public const int FunctionsHttpTimeoutSeconds = 230;

    /// <summary>How long entries are kept; an older cursor answers 410 CURSOR_EXPIRED and its follower starts over.</summary>
    [NotRequiredInAzure("The default suits Azure; a follower away longer than this clears its cache.")]
    public int RetentionHours { get; set; } = 24;

    /// <summary>Longest long-poll (and the default of <c>?wait=</c>), far below <see cref="FunctionsHttpTimeoutSeconds"/>.</summary>
    [NotRequiredInAzure("The default suits Azure and stays far below the Functions HTTP timeout.")]
    public int MaxWaitSeconds { get; set; } = 25;

    /// <summary>
    /// How long an entry may take to become readable after its time stamp (instances stamp with their own clocks, and a
    /// write takes up to the storage timeout): cursors remember the entries they delivered within this window.
    /// </summary>
    [NotRequiredInAzure("The default covers the storage timeout; a tuning knob.")]
    public int SettleSeconds { get; set; } = 10;

    /// <summary>How often a waiting long-poll re-reads the table while Redis (the wake-up hint) is not connected.</summary>
    [NotRequiredInAzure("The default suits Azure; a tuning knob.")]
    public int PollMilliseconds { get; set; } = 250;

    /// <summary>How often a waiting long-poll re-reads the table although Redis wakes it (a published hint can be lost).</summary>
    [NotRequiredInAzure("The default suits Azure; a tuning knob.")]
    public int HintedPollMilliseconds { get; set; } = 5000;
}
