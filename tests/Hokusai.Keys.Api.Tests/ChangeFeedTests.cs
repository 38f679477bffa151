using System.Diagnostics;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// GET /api/keys/changes on real Azurite and Redis: the head, order and catch-up from a cursor, who may read it and what
/// they see, cursor validation and expiry, and the long-poll woken across instances (through Redis, or by polling the
/// table when there is no Redis).
/// </summary>
public sealed class ChangeFeedTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Without_a_cursor_the_feed_answers_its_head_and_a_follower_then_gets_later_changes_in_order()
    {
        var (before, _) = await fx.Admin.CreateKeyAsync(new { name = "changed before the head", owner = "feed-order" });
        Assert.Equal(200, (await fx.Admin.PostJsonAsync($"/api/keys/{before}/revoke")).Status);

        var head = await ReadAsync(fx.Admin, null);
        Assert.Empty(head.Changes);

        var (revoked, _) = await fx.Admin.CreateKeyAsync(new { name = "revoked", owner = "feed-order", scopes = new[] { "models:read" } });
        var (patched, _) = await fx.Admin.CreateKeyAsync(new { name = "patched", owner = "feed-order", scopes = new[] { "models:read" } });
        var (rotated, _) = await fx.Admin.CreateKeyAsync(new { name = "rotated", owner = "feed-order" });
        Assert.Equal(200, (await fx.Admin.PostJsonAsync($"/api/keys/{revoked}/revoke")).Status);
        Assert.Equal(200, (await fx.Admin.PatchJsonAsync($"/api/keys/{patched}", new { scopes = Array.Empty<string>() })).Status);
        Assert.Equal(201, (await fx.Admin.PostJsonAsync($"/api/keys/{rotated}/rotate", new { gracePeriodSeconds = 600 })).Status);

        // A follower that was away catches up from its cursor: every change since, oldest first, none from before the head, no creations.
        var caughtUp = await ReadAsync(fx.Admin, head.Cursor, wait: 0);
        Assert.Equal([new Change(revoked, "key.revoked"), new Change(patched, "key.updated"), new Change(rotated, "key.rotated")],
            caughtUp.Changes.Where(c => c.KeyId == revoked || c.KeyId == patched || c.KeyId == rotated).ToList());
        Assert.DoesNotContain(caughtUp.Changes, c => c.KeyId == before);
        Assert.DoesNotContain(caughtUp.Changes, c => c.Type == "key.created");

        // Nothing twice: the next read from the new cursor has none of them.
        var next = await ReadAsync(fx.Admin, caughtUp.Cursor, wait: 0);
        Assert.DoesNotContain(next.Changes, c => c.KeyId == revoked || c.KeyId == patched || c.KeyId == rotated);
    }

    [Fact]
    public async Task A_watcher_sees_only_changes_of_keys_it_could_list()
    {
        var (_, watcher) = await fx.Admin.CreateKeyAsync(new { name = "edge", owner = "feed-team-a", scopes = new[] { "keys:watch" } });
        using var edge = fx.Server.Client(watcher);
        var (own, _) = await fx.Admin.CreateKeyAsync(new { name = "own", owner = "feed-team-a", scopes = new[] { "models:read" } });
        var (ownAdmin, _) = await fx.Admin.CreateKeyAsync(new { name = "own admin", owner = "feed-team-a", scopes = new[] { "admin" } });
        var (ownTest, _) = await fx.Admin.CreateKeyAsync(new { name = "own test", owner = "feed-team-a", environment = "test" });
        var (other, _) = await fx.Admin.CreateKeyAsync(new { name = "other", owner = "feed-team-b" });
        var head = await ReadAsync(edge, null);
        Assert.Equal("feed-team-a", head.Owner);
        Assert.Equal("live", head.Environment);

        foreach (var id in new[] { other, ownAdmin, ownTest, own })
            Assert.Equal(200, (await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke")).Status);

        var page = await ReadAsync(edge, head.Cursor, wait: 0);
        Assert.Equal([own], page.Changes.Select(c => c.KeyId).ToList());
    }

    [Fact]
    public async Task Reading_needs_keys_watch_and_only_a_caller_holding_it_grants_it()
    {
        var (_, reader) = await fx.Admin.CreateKeyAsync(new { name = "reader", owner = "feed-scope", scopes = new[] { "keys:read", "keys:write" } });
        using var client = fx.Server.Client(reader);
        var (status, body, _) = await client.GetJsonAsync("/api/keys/changes");
        Assert.Equal(403, status);
        Assert.Equal("INSUFFICIENT_SCOPE", body!["code"]!.GetValue<string>());

        var (grantStatus, grant, _) = await client.PostJsonAsync("/api/keys", new { name = "watch by a non-holder", scopes = new[] { "keys:watch" } });
        Assert.Equal(403, grantStatus);
        Assert.Equal("INSUFFICIENT_SCOPE", grant!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bad_cursor_or_wait_is_400_and_a_cursor_older_than_the_retention_is_410()
    {
        var head = await ReadAsync(fx.Admin, null);
        var tampered = head.Cursor[..^2] + (head.Cursor[^2] == 'A' ? "B" : "A") + head.Cursor[^1];
        foreach (var query in new[] { "cursor=garbage", "cursor=" + tampered, "cursor=", "cursor=" + head.Cursor + "&wait=26", "wait=-1",
                     "cursor=" + new KeyChangeCursor(DateTimeOffset.UtcNow.AddDays(3).UtcTicks, []).Encode() })
        {
            var (status, body, _) = await fx.Admin.GetJsonAsync("/api/keys/changes?" + query);
            Assert.True(status == 400, $"{query}: {status}");
            Assert.Equal("VALIDATION_FAILED", body!["code"]!.GetValue<string>());
        }

        var expired = new KeyChangeCursor(DateTimeOffset.UtcNow.AddHours(-25).UtcTicks, []).Encode();
        var (gone, problem, response) = await fx.Admin.GetJsonAsync("/api/keys/changes?cursor=" + expired);
        Assert.Equal(410, gone);
        Assert.Equal("CURSOR_EXPIRED", problem!["code"]!.GetValue<string>());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_change_on_one_instance_wakes_a_long_poll_on_another_within_a_second(bool withRedis)
    {
        var group = await ServerGroup.CreateAsync(withRedis: withRedis);
        using var a = group.StartServer();
        using var b = group.StartServer();
        var adminKey = await a.CreateAdminKeyAsync();
        using var adminA = a.Client(adminKey);
        using var adminB = b.Client(adminKey);
        var (id, _) = await adminA.CreateKeyAsync(new { name = "watched", scopes = new[] { "models:read" } });
        var head = await ReadAsync(adminB, null);

        var waiting = ReadAsync(adminB, head.Cursor, wait: 20);
        Assert.Equal(200, (await adminA.PostJsonAsync($"/api/keys/{id}/revoke")).Status);
        var answered = Stopwatch.StartNew();
        var page = await waiting;
        Assert.True(answered.Elapsed <= TimeSpan.FromSeconds(1), $"the long-poll on B answered {answered.ElapsedMilliseconds} ms after the revocation on A");
        Assert.Contains(page.Changes, c => c.KeyId == id && c.Type == "key.revoked");
    }

    [Fact]
    public async Task A_long_poll_without_changes_answers_after_its_wait_with_a_cursor_that_reads_on()
    {
        var head = await ReadAsync(fx.Admin, null);
        var watch = Stopwatch.StartNew();
        var (status, body, _) = await fx.Admin.GetJsonAsync($"/api/keys/changes?cursor={head.Cursor}&wait=1");
        Assert.Equal(200, status);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"answered after {watch.ElapsedMilliseconds} ms");
        var cursor = body!["cursor"]!.GetValue<string>();
        Assert.Equal(200, (await fx.Admin.GetJsonAsync($"/api/keys/changes?cursor={cursor}&wait=0")).Status);
    }

    internal sealed record Change(string KeyId, string Type);

    internal sealed record Page(List<Change> Changes, string Cursor, string? Owner, string? Environment);

    internal static async Task<Page> ReadAsync(HttpClient client, string? cursor, int? wait = null)
    {
        var query = string.Join('&', new[] { cursor is null ? null : "cursor=" + cursor, wait is null ? null : "wait=" + wait }.Where(p => p is not null));
        var (status, body, _) = await client.GetJsonAsync("/api/keys/changes" + (query.Length > 0 ? "?" + query : ""));
        Assert.True(status == 200, $"changes answered {status}: {body?["code"]} {body?["detail"]}");
        var changes = body!["changes"]!.AsArray().Select(c => new Change(c!["keyId"]!.GetValue<string>(), c["type"]!.GetValue<string>())).ToList();
        return new Page(changes, body["cursor"]!.GetValue<string>(), (string?)body["owner"], (string?)body["environment"]);
    }
}
