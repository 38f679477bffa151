using Hokusai.Keys.Domain;
using Hokusai.Keys.Storage;

namespace Hokusai.Keys.Core.Tests;

public sealed class KeyChangeCursorTests
{
    [Fact]
    public void A_cursor_reads_back_as_written()
    {
        var cursor = new KeyChangeCursor(new DateTimeOffset(2026, 11, 30, 5, 0, 0, TimeSpan.Zero).UtcTicks, [KeyChangeCursor.Tag("a"), KeyChangeCursor.Tag("b")]);
        Assert.True(KeyChangeCursor.TryDecode(cursor.Encode(), out var read));
        Assert.Equal(cursor.SettledTicks, read!.SettledTicks);
        Assert.Equal(cursor.Seen, read.Seen);
    }

    [Fact]
    public void A_cut_altered_or_foreign_cursor_is_refused()
    {
        var text = new KeyChangeCursor(new DateTimeOffset(2026, 11, 30, 5, 0, 0, TimeSpan.Zero).UtcTicks, [KeyChangeCursor.Tag("a")]).Encode();
        var altered = text[..5] + (text[5] == 'A' ? 'B' : 'A') + text[6..];
        foreach (var bad in new[] { "", "garbage!", text[..^3], altered, KeyListCursor.Encode("some-position"),
                     new KeyChangeCursor(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks, []).Encode() })
            Assert.False(KeyChangeCursor.TryDecode(bad, out _), bad);
    }

    [Fact]
    public void Every_key_event_is_in_the_feed_except_creation_notices_and_thresholds()
    {
        Assert.All(new[] { KeyEventTypes.Updated, KeyEventTypes.Rotated, KeyEventTypes.Revoked, KeyEventTypes.Leaked, KeyEventTypes.Expired, "key.suspended", "key.resumed" },
            type => Assert.True(ValidationChanges.MayChangeOutcome(type), type));
        Assert.All(new[] { KeyEventTypes.Created, KeyEventTypes.Expiring, KeyEventTypes.QuotaThreshold },
            type => Assert.False(ValidationChanges.MayChangeOutcome(type), type));
    }
}
