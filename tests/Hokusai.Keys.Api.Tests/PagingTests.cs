using Hokusai.Keys.Management;
using Hokusai.Keys.Testing;

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

    [Fact]
    public async Task A_filter_that_matches_one_old_key_reads_a_bounded_number_of_rows_per_page_and_its_cursor_reaches_the_match()
    {
        const int count = 151;
        var created = new List<string>();
        for (var batch = 0; batch < count; batch += 16)
        {
            var ids = await Task.WhenAll(Enumerable.Range(batch, Math.Min(16, count - batch)).Select(i => fx.Admin.CreateKeyAsync(new { name = $"bounded {i}", owner = "bounded" })));
            created.AddRange(ids.Select(i => i.Id));
        }
        // Listings are newest first: the oldest key is the last row the filter could reach.
        var oldest = created[0];
        Assert.Equal(200, (await fx.Admin.PostJsonAsync($"/api/keys/{oldest}/revoke")).Status);

        var counter = new CallCounter();
        using var counted = fx.Group.StartServer(counter.Install);
        var client = counted.Client(fx.AdminKey);
        var (status, body, _) = await client.GetJsonAsync("/api/keys?owner=bounded&status=revoked&limit=1");
        Assert.Equal(200, status);
        Assert.True(counter.ListedRows <= KeyManagementService.MaxRowsScannedPerPage, $"one page read {counter.ListedRows} rows");
        Assert.Empty(body!["items"]!.AsArray());
        var cursor = body["nextCursor"]?.GetValue<string>();
        Assert.NotNull(cursor);

        var found = new List<string>();
        var pages = 1;
        while (cursor is not null)
        {
            var before = counter.ListedRows;
            var page = (await client.GetJsonAsync($"/api/keys?owner=bounded&status=revoked&limit=1&cursor={cursor}")).Body!;
            Assert.True(counter.ListedRows - before <= KeyManagementService.MaxRowsScannedPerPage, $"page {pages} read {counter.ListedRows - before} rows");
            found.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            Assert.True(++pages < 10, "the cursor must end");
        }
        Assert.Equal([oldest], found);
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
