using System.Diagnostics;
using System.Net.Http.Headers;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// Issue 19, key hygiene, over HTTP on real Azurite and Redis: the age policy at creation, and suspend/resume
/// (SUSPENDED everywhere within a second, reversible, revocation final, authority as for revoke).
/// </summary>
public class KeyHygieneTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    private static string IdOf(string key) => key.Substring(8, 16);

    private static async Task<string> AwaitCodeAsync(HttpClient client, string key, string expected)
    {
        var since = Stopwatch.StartNew();
        string code;
        do code = await client.VerifyCodeAsync(key);
        while (code != expected && since.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(expected, code);
        Assert.True(since.Elapsed < TimeSpan.FromSeconds(1), $"the other instance answered {expected} after {since.ElapsedMilliseconds} ms");
        return code;
    }

    [Fact]
    public async Task A_suspension_and_a_resumption_on_one_instance_hold_on_the_other_within_a_second_and_the_quota_carries_on()
    {
        var group = await ServerGroup.CreateAsync();
        using var a = group.StartServer();
        using var b = group.StartServer();
        var admin = a.Client(await a.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "suspend everywhere", quota = new { limit = 100, period = "month" } });
        var clientB = b.Client();
        Assert.Equal("VALID", await clientB.VerifyCodeAsync(key)); // cached in B's L1 and in Redis
        Assert.Equal("VALID", await clientB.VerifyCodeAsync(key));

        var (status, suspended, _) = await admin.PostJsonAsync($"/api/keys/{id}/suspend");
        Assert.Equal(200, status);
        Assert.Equal("suspended", suspended!["status"]!.GetValue<string>());
        Assert.NotNull(suspended["suspendedAt"]);
        await AwaitCodeAsync(clientB, key, "SUSPENDED");

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/authorize"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var refused = await clientB.SendAsync(request);
            await Http.AssertProblem(refused, 401, "SUSPENDED");
        }
        var (_, listed, _) = await admin.GetJsonAsync("/api/keys?status=suspended&limit=100");
        Assert.Equal([id], listed!["items"]!.AsArray().Select(k => k!["id"]!.GetValue<string>()));

        var (resumeStatus, resumed, _) = await admin.PostJsonAsync($"/api/keys/{id}/resume");
        Assert.Equal(200, resumeStatus);
        Assert.Equal("active", resumed!["status"]!.GetValue<string>());
        Assert.Null(resumed["suspendedAt"]);
        await AwaitCodeAsync(clientB, key, "VALID");

        // Two valid verifications before, none while suspended, this one after: the quota kept its count.
        var (_, check, _) = await clientB.PostJsonAsync("/api/keys/verify", new { key });
        Assert.Equal(96, check!["quota"]!["remaining"]!.GetValue<long>());

        var (_, events, _) = await admin.GetJsonAsync($"/api/keys/{id}/events?limit=100");
        var types = events!["items"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(1, types.Count(t => t == "key.suspended"));
        Assert.Equal(1, types.Count(t => t == "key.resumed"));
    }

    [Fact]
    public async Task Suspending_twice_is_one_change_and_a_revoked_key_can_be_neither_suspended_nor_resumed()
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "final" });
        var (_, first, _) = await fx.Admin.PostJsonAsync($"/api/keys/{id}/suspend");
        var (again, second, _) = await fx.Admin.PostJsonAsync($"/api/keys/{id}/suspend");
        Assert.Equal(200, again);
        Assert.Equal(first!["suspendedAt"]!.GetValue<DateTimeOffset>(), second!["suspendedAt"]!.GetValue<DateTimeOffset>());
        var (rotateStatus, rotateProblem, _) = await fx.Admin.PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 0 });
        Assert.Equal(409, rotateStatus);
        Assert.Equal("KEY_SUSPENDED", rotateProblem!["code"]!.GetValue<string>());

        Assert.Equal(200, (await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke")).Status);
        var (_, _, resume) = await fx.Admin.PostJsonAsync($"/api/keys/{id}/resume");
        await Http.AssertProblem(resume, 409, "KEY_REVOKED");
        var (_, _, suspend) = await fx.Admin.PostJsonAsync($"/api/keys/{id}/suspend");
        await Http.AssertProblem(suspend, 409, "KEY_REVOKED");
        Assert.Equal("REVOKED", await fx.Admin.VerifyCodeAsync(key));
    }

    [Fact]
    public async Task A_weaker_key_can_suspend_or_resume_only_the_keys_it_could_revoke()
    {
        var adminId = IdOf(fx.AdminKey);
        var (_, writer) = await fx.Admin.CreateKeyAsync(new { name = "writer", owner = "admin", scopes = new[] { "keys:write" } });
        var (_, acmeWriter) = await fx.Admin.CreateKeyAsync(new { name = "acme writer", owner = "acme-hygiene", scopes = new[] { "keys:write" } });
        var (billingId, _) = await fx.Admin.CreateKeyAsync(new { name = "billing", owner = "acme-hygiene", scopes = new[] { "keys:write", "billing:read" } });
        var (plainId, _) = await fx.Admin.CreateKeyAsync(new { name = "plain", owner = "acme-hygiene" });
        var (_, readerKey) = await fx.Admin.CreateKeyAsync(new { name = "reader", owner = "acme-hygiene", scopes = new[] { "keys:read" } });

        // An admin key is invisible to a keys:write key, as for revoke.
        foreach (var action in new[] { "suspend", "resume" })
            Assert.Equal(404, (await fx.Server.Client(writer).PostJsonAsync($"/api/keys/{adminId}/{action}")).Status);
        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(fx.AdminKey));

        // A key holding a scope the caller lacks: 403, as for revoke.
        Assert.Equal(200, (await fx.Admin.PostJsonAsync($"/api/keys/{billingId}/suspend")).Status);
        foreach (var action in new[] { "resume", "suspend" })
        {
            var (status, problem, _) = await fx.Server.Client(acmeWriter).PostJsonAsync($"/api/keys/{billingId}/{action}");
            Assert.Equal(403, status);
            Assert.Equal("INSUFFICIENT_SCOPE", problem!["code"]!.GetValue<string>());
        }
        var (_, billing, _) = await fx.Admin.GetJsonAsync($"/api/keys/{billingId}");
        Assert.Equal("suspended", billing!["status"]!.GetValue<string>());

        // keys:read may not change anything; keys:write may suspend and resume a key it could revoke.
        var (readStatus, readProblem, _) = await fx.Server.Client(readerKey).PostJsonAsync($"/api/keys/{plainId}/suspend");
        Assert.Equal(403, readStatus);
        Assert.Equal("INSUFFICIENT_SCOPE", readProblem!["code"]!.GetValue<string>());
        Assert.Equal(200, (await fx.Server.Client(acmeWriter).PostJsonAsync($"/api/keys/{plainId}/suspend")).Status);
        Assert.Equal(200, (await fx.Server.Client(acmeWriter).PostJsonAsync($"/api/keys/{plainId}/resume")).Status);
    }

    [Fact]
    public async Task A_suspended_management_key_manages_nothing()
    {
        var (writerId, writer) = await fx.Admin.CreateKeyAsync(new { name = "suspended writer", owner = "acme-hygiene2", scopes = new[] { "keys:write" } });
        Assert.Equal(200, (await fx.Admin.PostJsonAsync($"/api/keys/{writerId}/suspend")).Status);
        var (_, _, response) = await fx.Server.Client(writer).PostJsonAsync("/api/keys", new { name = "from a suspended key" });
        await Http.AssertProblem(response, 401, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task An_admin_key_gets_an_expiry_at_its_max_age_and_a_later_one_is_refused()
    {
        var (status, created, _) = await fx.Admin.PostJsonAsync("/api/keys", new { name = "admin by policy", scopes = new[] { "admin" } });
        Assert.Equal(201, status);
        var createdAt = created!["createdAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(createdAt.AddDays(90), created["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(createdAt.AddDays(90), created["rotationDueAt"]!.GetValue<DateTimeOffset>());

        var (refusedStatus, problem, _) = await fx.Admin.PostJsonAsync("/api/keys", new { name = "admin too long", scopes = new[] { "admin" }, expiresInSeconds = 91 * 86400 });
        Assert.Equal(400, refusedStatus);
        Assert.Equal("VALIDATION_FAILED", problem!["code"]!.GetValue<string>());
        Assert.NotNull(problem["errors"]!["expiresInSeconds"]);

        var (_, ordinary, _) = await fx.Admin.PostJsonAsync("/api/keys", new { name = "ordinary" });
        Assert.Null(ordinary!["expiresAt"]);
        Assert.Null(ordinary["rotationDueAt"]);
    }
}
