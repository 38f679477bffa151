using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>Change feed entries past the retention are deleted by one sweep on real Azurite; younger ones stay.</summary>
public sealed class ChangeFeedRetentionTests
{
    [Fact]
    public async Task One_sweep_deletes_the_entries_of_hours_wholly_past_the_retention_and_keeps_the_others()
    {
        var (_, server, admin) = await Fixtures.StartAsync();
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "changing" });
        Assert.Equal(200, (await admin.SendAsync(HttpMethod.Post, $"/api/keys/{id}/revoke")).Status);
        var tables = server.Services.GetRequiredService<StorageTables>();
        var signal = server.Services.GetRequiredService<IKeyChangeSignal>();
        Assert.NotEmpty(await EntriesOfAsync(tables, id));

        var now = DateTimeOffset.UtcNow;
        var early = new KeyChangeLog(tables, signal, new FakeTimeProvider(now.AddHours(1)));
        Assert.Equal(0, await early.PurgeAsync(TimeSpan.FromHours(24), CancellationToken.None));
        Assert.NotEmpty(await EntriesOfAsync(tables, id));

        var late = new KeyChangeLog(tables, signal, new FakeTimeProvider(now.AddHours(26)));
        Assert.True(await late.PurgeAsync(TimeSpan.FromHours(24), CancellationToken.None) >= 1);
        Assert.Empty(await EntriesOfAsync(tables, id));
    }

    private static async Task<List<string>> EntriesOfAsync(StorageTables tables, string keyId)
    {
        var rows = new List<string>();
        await foreach (var row in tables.Changes.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"KeyId eq {keyId}"), select: ["RowKey"])) rows.Add(row.RowKey);
        return rows;
    }
}
