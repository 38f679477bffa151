using System.Diagnostics;
using System.Net;
using Hokusai.Keys.AspNetCore;
using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// The handler app following the change feed of server instance B with a service key, while changes are made on
/// instance A: a change is seen by the handler within 1 s of the platform's answer, the handler falls back to the
/// short cache while the feed fails, and a 410 drops every cached answer.
/// </summary>
public sealed class ChangeFeedHandlerTests(TwoInstanceFixture fx) : IClassFixture<TwoInstanceFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_revocation_on_A_reaches_a_handler_following_B_within_a_second()
    {
        var (probe, app) = await StartFollowingAsync("edge-revoke");
        await using var _ = app;
        var (id, key) = await CreateAsync("edge-revoke", "models:read");
        await AssertCachedAsync(app, probe, key, "/models");

        await fx.AdminA.RevokeKeyAsync(id);
        var answered = Stopwatch.StartNew();

        await AssertRefusedWithinBoundAsync(app, key, "/models", 401, "REVOKED", answered);
    }

    [Fact]
    public async Task A_scope_removal_on_A_reaches_a_handler_following_B_within_a_second()
    {
        var (probe, app) = await StartFollowingAsync("edge-scopes");
        await using var _ = app;
        var (id, key) = await CreateAsync("edge-scopes", "models:read", "other:read");
        await AssertCachedAsync(app, probe, key, "/models");

        await fx.AdminA.UpdateKeyAsync(id, new UpdateKeyOptions { Scopes = ["other:read"] });
        var answered = Stopwatch.StartNew();

        await AssertRefusedWithinBoundAsync(app, key, "/models", 403, "INSUFFICIENT_SCOPE", answered);
        using var me = await app.Client.SendAsync(AuthHandlerApp.Get("/me", bearer: key));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task While_the_feed_fails_valid_answers_fall_back_to_the_short_cache_until_it_is_back()
    {
        var (probe, app) = await StartFollowingAsync("edge-fallback");
        await using var _ = app;
        var (id, key) = await CreateAsync("edge-fallback", "models:read");
        await AssertCachedAsync(app, probe, key, "/models");

        probe.Break();
        await fx.AdminA.RevokeKeyAsync(id);
        var answered = Stopwatch.StartNew();
        // The feed cannot report it: only the fallback to the short cache refuses the key in time.
        await AssertRefusedWithinBoundAsync(app, key, "/models", 401, "REVOKED", answered);

        probe.Heal();
        var answers = probe.FeedAnswers;
        await WaitUntilAsync(() => probe.FeedAnswers > answers, TimeSpan.FromSeconds(15), "the feed to answer again after it healed");
        var (_, other) = await CreateAsync("edge-fallback", "models:read");
        await AssertCachedAsync(app, probe, other, "/models");
        var verifies = probe.Verifies;
        // Past the short cache's life: a followed feed keeps the answer.
        await Task.Delay(AuthHandlerOptionsDefaults.ValidCacheDuration + TimeSpan.FromMilliseconds(500));
        using var again = await app.Client.SendAsync(AuthHandlerApp.Get("/models", bearer: other));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(verifies, probe.Verifies);
    }

    [Fact]
    public async Task A_410_from_the_feed_drops_every_cached_answer()
    {
        var (probe, app) = await StartFollowingAsync("edge-gone");
        await using var _ = app;
        var (_, key) = await CreateAsync("edge-gone", "models:read");
        await AssertCachedAsync(app, probe, key, "/models");

        var answers = probe.FeedAnswers;
        probe.ExpireCursor();
        await WaitUntilAsync(() => probe.GoneAnswers == 1 && probe.FeedAnswers > answers, TimeSpan.FromSeconds(15), "a 410 and a new head");
        var verifies = probe.Verifies;
        using var response = await app.Client.SendAsync(AuthHandlerApp.Get("/models", bearer: key));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(verifies + 1, probe.Verifies);
    }

    [Fact]
    public async Task Without_a_service_key_a_valid_answer_lives_at_most_a_second()
    {
        Assert.True(AuthHandlerOptionsDefaults.ValidCacheDuration <= Bound);
        var probe = new FeedProbe(fx.B.CreateCheckedHandler());
        await using var app = await AuthHandlerApp.StartAsync(fx.B.Server.BaseAddress, probe);
        var (id, key) = await CreateAsync("edge-none", "models:read");
        await AssertCachedAsync(app, probe, key, "/models");
        Assert.Equal(0, probe.FeedAnswers);

        await fx.AdminA.RevokeKeyAsync(id);
        var answered = Stopwatch.StartNew();
        await AssertRefusedWithinBoundAsync(app, key, "/models", 401, "REVOKED", answered);
    }

    private async Task<(FeedProbe Probe, AuthHandlerApp App)> StartFollowingAsync(string owner)
    {
        var watcher = await fx.AdminA.CreateKeyAsync(new CreateKeyOptions { Name = "service", Owner = owner, Scopes = ["keys:watch"] });
        var probe = new FeedProbe(fx.B.CreateCheckedHandler());
        var app = await AuthHandlerApp.StartAsync(fx.B.Server.BaseAddress, probe, o => o.ServiceKey = watcher.Key);
        await WaitUntilAsync(() => probe.FeedAnswers > 0, TimeSpan.FromSeconds(15), "the handler to follow the feed");
        return (probe, app);
    }

    private async Task<(string Id, string Key)> CreateAsync(string owner, params string[] scopes)
    {
        var created = await fx.AdminA.CreateKeyAsync(new CreateKeyOptions { Name = "user", Owner = owner, Scopes = scopes });
        return (created.Id, created.Key!);
    }

    /// <summary>Two calls, one verify: the answer is cached.</summary>
    private static async Task AssertCachedAsync(AuthHandlerApp app, FeedProbe probe, string key, string path)
    {
        using (var first = await app.Client.SendAsync(AuthHandlerApp.Get(path, bearer: key))) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var verifies = probe.Verifies;
        using (var second = await app.Client.SendAsync(AuthHandlerApp.Get(path, bearer: key))) Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(verifies, probe.Verifies);
    }

    /// <summary>Calls the handler app until it refuses the key; the refusal must come from a call made within the bound of the change's answer.</summary>
    private static async Task AssertRefusedWithinBoundAsync(AuthHandlerApp app, string key, string path, int status, string code, Stopwatch sinceAnswer)
    {
        var last = 0;
        while (true)
        {
            var sentAt = sinceAnswer.Elapsed;
            Assert.True(sentAt <= Bound, $"the handler still answered {last} {sentAt.TotalMilliseconds:0} ms after the platform answered the change");
            using var request = AuthHandlerApp.Get(path, bearer: key);
            using var response = await app.Client.SendAsync(request);
            last = (int)response.StatusCode;
            if (last == status)
            {
                Assert.Contains(code, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                return;
            }
            Assert.Equal(200, last);
            await Task.Delay(20);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < timeout, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private static class AuthHandlerOptionsDefaults
    {
        public static readonly TimeSpan ValidCacheDuration = new HokusaiApiKeyOptions().ValidCacheDuration;
    }
}
