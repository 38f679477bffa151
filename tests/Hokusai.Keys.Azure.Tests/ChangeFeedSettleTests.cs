using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>
/// A change feed row may become readable after rows stamped later (another instance's clock, a slow write): the cursor
/// must still deliver it, even when more rows fall in the settle window than a cursor remembers.
/// </summary>
public sealed class ChangeFeedSettleTests
{
    [Fact]
    public async Task A_row_stamped_earlier_that_lands_later_is_delivered_after_a_burst_larger_than_a_cursor_remembers()
    {
        var (_, server, admin) = await Fixtures.StartAsync();
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "busy" });
        var record = (await server.Services.GetRequiredService<IKeyStore>().GetAsync(id, CancellationToken.None))!.Record;
        var tables = server.Services.GetRequiredService<StorageTables>();
        var signal = server.Services.GetRequiredService<IKeyChangeSignal>();
        var metrics = new KeyMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

        // In the future, so that nothing else written meanwhile falls in these hours' window.
        var now = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));
        var feed = new TableKeyChangeFeed(new KeyChangeLog(tables, signal, now), signal, Options.Create(new ChangeFeedOptions()), now, metrics);
        var cursor = await feed.HeadAsync(CancellationToken.None);

        var log = new KeyChangeLog(tables, signal, now);
        var burst = KeyChangeCursor.MaxSeen + 50;
        for (var i = 0; i < burst; i++)
            await log.WriteAsync(KeyEvent.Create(KeyEventTypes.Updated, id, Caller.System, now.GetUtcNow()), record, CancellationToken.None);
        var first = (await feed.ReadAsync(cursor, Caller.System, TimeSpan.Zero, CancellationToken.None))!;
        Assert.Equal(burst, first.Changes.Count);

        // Stamped 5 s before the burst (inside the 10 s settle window), readable only now.
        var behind = new FakeTimeProvider(now.GetUtcNow().AddSeconds(-5));
        await new KeyChangeLog(tables, signal, behind).WriteAsync(KeyEvent.Create(KeyEventTypes.Revoked, id, Caller.System, behind.GetUtcNow()), record, CancellationToken.None);
        now.Advance(TimeSpan.FromSeconds(1));
        var second = (await feed.ReadAsync(first.Cursor, Caller.System, TimeSpan.Zero, CancellationToken.None))!;

        Assert.Contains(second.Changes, c => c.Type == KeyEventTypes.Revoked);
    }
}
