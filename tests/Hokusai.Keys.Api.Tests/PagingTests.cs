namespace Hokusai.Keys.Api.Tests;

public class PagingTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Listing_pages_through_more_than_100_keys_newest_first_without_gaps_or_repeats()
    {
        const int count = 130;
        var created = new List<string>();
        for (var batch = 0; batch < count; batch += 10)
        {
            var ids = await Task.WhenAll(Enumerable.Range(batch, 10).Select(i => fx.Admin.CreateKeyAsync(new { name = $"page {i}", owner = "pager" })));
            created.AddRange(ids.Select(i => i.Id));
        }
        // Revoke a few so the status filter has something to skip.
        var revoked = created.Take(5).ToHashSet();
        foreach (var id in revoked) await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke");

        var seen = new List<(string Id, DateTimeOffset CreatedAt)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var (status, body, _) = await fx.Admin.GetJsonAsync($"/api/keys?owner=pager&limit=40{(cursor is null ? "" : "&cursor=" + cursor)}");
            Assert.Equal(200, status);
            var items = body!["items"]!.AsArray();
            Assert.True(items.Count <= 40);
            seen.AddRange(items.Select(i => (i!["id"]!.GetValue<string>(), i["createdAt"]!.GetValue<DateTimeOffset>())));
            cursor = body["nextCursor"]?.GetValue<string>();
            pages++;
        } while (cursor is not null);

        Assert.Equal(4, pages);
        Assert.Equal(count, seen.Count);
        Assert.Equal(created.Order(), seen.Select(s => s.Id).Order());
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.CreatedAt >= p.Second.CreatedAt), "newest first");

        var active = await CollectAsync("/api/keys?owner=pager&status=active&limit=100");
        Assert.Equal(count - revoked.Count, active.Count);
        Assert.DoesNotContain(active, revoked.Contains);
        var onlyRevoked = await CollectAsync("/api/keys?owner=pager&status=revoked&limit=3");
        Assert.Equal(revoked.Order(), onlyRevoked.Order());
    }

    private async Task<List<string>> CollectAsync(string path)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var body = (await fx.Admin.GetJsonAsync(path + (cursor is null ? "" : "&cursor=" + cursor))).Body!;
            ids.AddRange(body["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            cursor = body["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        return ids;
    }
}
