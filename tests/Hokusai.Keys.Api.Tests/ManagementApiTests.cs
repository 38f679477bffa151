using System.Text.RegularExpressions;

namespace Hokusai.Keys.Api.Tests;

public class ManagementApiTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    private static readonly Regex KeyPattern = new(@"^hk_(live|test)_[0-9A-Za-z]{50}$");

    [Fact]
    public async Task Create_returns_201_with_location_the_resource_and_the_key_once()
    {
        var (status, body, response) = await fx.Admin.PostJsonAsync("/api/keys", new
        {
            name = "CI deploy key", owner = "user-42", environment = "test", scopes = new[] { "models:read" },
            rateLimit = new { limit = 100, windowSeconds = 60 }, allowedIps = new[] { "10.1.2.3/8", "2001:db8::1/32" },
            metadata = new { team = "ml" }, expiresInSeconds = 3600,
        });

        Assert.Equal(201, status);
        var id = body!["id"]!.GetValue<string>();
        Assert.Equal($"/api/keys/{id}", response.Headers.Location!.OriginalString);
        var key = body["key"]!.GetValue<string>();
        Assert.True(KeyPattern.IsMatch(key), "the key has the documented format");
        Assert.True(key.StartsWith("hk_test_" + id, StringComparison.Ordinal), "the key embeds its id");
        Assert.Equal("hk_test_" + id[..4], body["prefix"]!.GetValue<string>());
        Assert.Equal("user-42", body["owner"]!.GetValue<string>());
        Assert.Equal("active", body["status"]!.GetValue<string>());
        Assert.Equal(["10.0.0.0/8", "2001:db8::/32"], body["allowedIps"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(100, body["rateLimit"]!["limit"]!.GetValue<int>());
        Assert.Equal("ml", body["metadata"]!["team"]!.GetValue<string>());
        Assert.NotNull(body["expiresAt"]);

        var (getStatus, got, _) = await fx.Admin.GetJsonAsync($"/api/keys/{id}");
        Assert.Equal(200, getStatus);
        Assert.Null(got!["key"]);
        Assert.Equal("CI deploy key", got["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_key_is_404_problem()
    {
        var (status, body, response) = await fx.Admin.GetJsonAsync("/api/keys/AAAAAAAAAAAAAAAA");
        Assert.Equal(404, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("KEY_NOT_FOUND", body!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Calls_without_or_with_a_bad_credential_are_401()
    {
        var anonymous = fx.Server.Client();
        var (status, body, response) = await anonymous.GetJsonAsync("/api/keys");
        Assert.Equal(401, status);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("UNAUTHENTICATED", body!["code"]!.GetValue<string>());

        Assert.Equal(401, (await fx.Server.Client("hk_live_nonsense").GetJsonAsync("/api/keys")).Status);

        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "soon revoked", scopes = new[] { "keys:write" } });
        Assert.Equal(200, (await fx.Server.Client(key).GetJsonAsync("/api/keys")).Status);
        Assert.Equal(200, (await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke")).Status);
        Assert.Equal(401, (await fx.Server.Client(key).GetJsonAsync("/api/keys")).Status);

        var (_, expiring) = await fx.Admin.CreateKeyAsync(new { name = "expires", scopes = new[] { "keys:read" }, expiresInSeconds = 1 });
        await Task.Delay(1500);
        Assert.Equal(401, (await fx.Server.Client(expiring).GetJsonAsync("/api/keys")).Status);
    }

    [Fact]
    public async Task X_API_Key_header_authenticates_management_calls()
    {
        var client = fx.Server.Client();
        client.DefaultRequestHeaders.Add("X-API-Key", fx.AdminKey);
        Assert.Equal(200, (await client.GetJsonAsync("/api/keys")).Status);
    }

    [Fact]
    public async Task Owners_are_isolated_and_scopes_are_enforced()
    {
        var (_, aliceWriter) = await fx.Admin.CreateKeyAsync(new { name = "alice admin", owner = "alice", scopes = new[] { "keys:write" } });
        var (_, aliceReader) = await fx.Admin.CreateKeyAsync(new { name = "alice read", owner = "alice", scopes = new[] { "keys:read" } });
        var (bobKeyId, _) = await fx.Admin.CreateKeyAsync(new { name = "bob's", owner = "bob" });
        var alice = fx.Server.Client(aliceWriter);

        // Default owner is the caller's; another owner's key is 404, not 403.
        var (created, _) = await alice.CreateKeyAsync(new { name = "alice service" });
        Assert.Equal("alice", (await alice.GetJsonAsync($"/api/keys/{created}")).Body!["owner"]!.GetValue<string>());
        Assert.Equal(404, (await alice.GetJsonAsync($"/api/keys/{bobKeyId}")).Status);
        Assert.Equal(404, (await alice.PostJsonAsync($"/api/keys/{bobKeyId}/revoke")).Status);
        Assert.Equal(404, (await alice.PatchJsonAsync($"/api/keys/{bobKeyId}", new { name = "x" })).Status);
        Assert.Equal(404, (await alice.PostJsonAsync($"/api/keys/{bobKeyId}/rotate", new { })).Status);
        Assert.Equal(404, (await alice.GetJsonAsync($"/api/keys/{bobKeyId}/events")).Status);

        // Listing shows only alice's keys; asking for bob's is forbidden.
        var list = (await alice.GetJsonAsync("/api/keys")).Body!["items"]!.AsArray();
        Assert.Contains(list, item => item!["id"]!.GetValue<string>() == created); // not vacuous: alice's own key is listed
        Assert.All(list, item => Assert.Equal("alice", item!["owner"]!.GetValue<string>()));
        Assert.Equal(403, (await alice.GetJsonAsync("/api/keys?owner=bob")).Status);

        // Non-admins cannot create for another owner, nor grant admin.
        Assert.Equal(403, (await alice.PostJsonAsync("/api/keys", new { name = "x", owner = "bob" })).Status);
        Assert.Equal(403, (await alice.PostJsonAsync("/api/keys", new { name = "x", scopes = new[] { "admin" } })).Status);

        // keys:read may read but not write.
        var reader = fx.Server.Client(aliceReader);
        Assert.Equal(200, (await reader.GetJsonAsync($"/api/keys/{created}")).Status);
        var (denied, problem, _) = await reader.PostJsonAsync("/api/keys", new { name = "x" });
        Assert.Equal(403, denied);
        Assert.Equal("INSUFFICIENT_SCOPE", problem!["code"]!.GetValue<string>());

        // A key without management scopes cannot manage at all.
        var (_, plain) = await fx.Admin.CreateKeyAsync(new { name = "plain", owner = "alice", scopes = new[] { "models:read" } });
        Assert.Equal(403, (await fx.Server.Client(plain).GetJsonAsync("/api/keys")).Status);

        // Admin sees every owner.
        Assert.Equal(200, (await fx.Admin.GetJsonAsync($"/api/keys/{bobKeyId}")).Status);
        Assert.Contains((await fx.Admin.GetJsonAsync("/api/keys?owner=bob")).Body!["items"]!.AsArray(), i => i!["id"]!.GetValue<string>() == bobKeyId);
    }

    [Fact]
    public async Task Patch_changes_only_given_fields_and_refuses_revoked_keys()
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new
        {
            name = "patch me", scopes = new[] { "a" }, metadata = new { team = "ml" }, expiresInSeconds = 86400,
            rateLimit = new { limit = 5, windowSeconds = 1 },
        });
        var (status, body, _) = await fx.Admin.PatchJsonAsync($"/api/keys/{id}", new { name = "patched", scopes = new[] { "a", "b" } });
        Assert.Equal(200, status);
        Assert.Equal("patched", body!["name"]!.GetValue<string>());
        Assert.Equal(["a", "b"], body["scopes"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("ml", body["metadata"]!["team"]!.GetValue<string>());
        Assert.NotNull(body["expiresAt"]);

        // Explicit null clears; the change reaches validation at once.
        body = (await fx.Admin.SendJsonAsync(HttpMethod.Patch, $"/api/keys/{id}", rawBody: """{"expiresAt":null,"rateLimit":null,"allowedIps":["192.0.2.0/24"]}""")).Body;
        Assert.Null(body!["expiresAt"]);
        Assert.Null(body["rateLimit"]);
        Assert.Equal("IP_NOT_ALLOWED", await fx.Admin.VerifyCodeAsync(key, "198.51.100.1"));
        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(key, "192.0.2.9", ["b"]));

        var (badStatus, bad, _) = await fx.Admin.PatchJsonAsync($"/api/keys/{id}", new { expiresAt = DateTimeOffset.UtcNow.AddDays(-1) });
        Assert.Equal(400, badStatus);
        Assert.NotNull(bad!["errors"]!["expiresAt"]);

        await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke");
        var (conflict, problem, _) = await fx.Admin.PatchJsonAsync($"/api/keys/{id}", new { name = "again" });
        Assert.Equal(409, conflict);
        Assert.Equal("KEY_REVOKED", problem!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Revoke_is_idempotent()
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "revoke me" });
        var first = await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke");
        await Task.Delay(20);
        var second = await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke");
        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal("revoked", second.Body!["status"]!.GetValue<string>());
        Assert.Equal(first.Body!["revokedAt"]!.GetValue<DateTimeOffset>(), second.Body["revokedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("REVOKED", await fx.Admin.VerifyCodeAsync(key));
    }

    [Fact]
    public async Task Rotate_copies_the_key_and_links_both_with_a_grace_period()
    {
        var (oldId, oldKey) = await fx.Admin.CreateKeyAsync(new
        {
            name = "rotating", owner = "carol", environment = "test", scopes = new[] { "models:read" },
            rateLimit = new { limit = 10, windowSeconds = 60 }, allowedIps = new[] { "10.0.0.0/8" }, metadata = new { a = "b" },
            expiresInSeconds = 7 * 86400,
        });
        var before = DateTimeOffset.UtcNow;
        var (status, body, response) = await fx.Admin.PostJsonAsync($"/api/keys/{oldId}/rotate", new { gracePeriodSeconds = 3600 });
        Assert.Equal(201, status);
        var fresh = body!["key"]!;
        var previous = body["previous"]!;
        var newId = fresh["id"]!.GetValue<string>();
        var newKey = fresh["key"]!.GetValue<string>();
        Assert.Equal($"/api/keys/{newId}", response.Headers.Location!.OriginalString);
        Assert.True(newKey.StartsWith("hk_test_", StringComparison.Ordinal), "same environment");
        Assert.Null(previous["key"]);
        foreach (var field in new[] { "name", "owner", "environment", "scopes", "rateLimit", "allowedIps", "metadata" })
            Assert.Equal(previous[field]!.ToJsonString(), fresh[field]!.ToJsonString());
        // The successor keeps the original expiry; the predecessor's is cut to the end of the grace period.
        Assert.InRange(fresh["expiresAt"]!.GetValue<DateTimeOffset>(), before.AddDays(7).AddSeconds(-30), DateTimeOffset.UtcNow.AddDays(7));
        Assert.Equal(oldId, fresh["rotatedFromId"]!.GetValue<string>());
        Assert.Equal(newId, previous["rotatedToId"]!.GetValue<string>());
        var graceEnd = previous["expiresAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(graceEnd, before.AddSeconds(3590), DateTimeOffset.UtcNow.AddSeconds(3610));

        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(oldKey, "10.1.1.1"));
        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(newKey, "10.1.1.1"));

        // Rotating the old key again is a conflict; zero grace revokes at once.
        Assert.Equal(409, (await fx.Admin.PostJsonAsync($"/api/keys/{oldId}/rotate", new { })).Status);
        var (thirdStatus, third, _) = await fx.Admin.PostJsonAsync($"/api/keys/{newId}/rotate", new { gracePeriodSeconds = 0 });
        Assert.Equal(201, thirdStatus);
        Assert.Equal("revoked", third!["previous"]!["status"]!.GetValue<string>());
        Assert.Equal("REVOKED", await fx.Admin.VerifyCodeAsync(newKey, "10.1.1.1"));
        Assert.Equal(409, (await fx.Admin.PostJsonAsync($"/api/keys/{newId}/rotate", new { })).Status);

        // The audit trail has the whole story, newest first.
        var events = (await fx.Admin.GetJsonAsync($"/api/keys/{oldId}/events")).Body!["items"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["key.rotated", "key.created"], events);
    }

    [Fact]
    public async Task Rotate_default_grace_is_one_day_and_expiry_is_never_extended()
    {
        var (id, _) = await fx.Admin.CreateKeyAsync(new { name = "default grace" });
        var previous = (await fx.Admin.PostJsonAsync($"/api/keys/{id}/rotate")).Body!["previous"]!;
        Assert.InRange(previous["expiresAt"]!.GetValue<DateTimeOffset>(), DateTimeOffset.UtcNow.AddHours(23.9), DateTimeOffset.UtcNow.AddHours(24.1));

        var (shortId, _) = await fx.Admin.CreateKeyAsync(new { name = "short", expiresInSeconds = 600 });
        var shortExpiry = (await fx.Admin.GetJsonAsync($"/api/keys/{shortId}")).Body!["expiresAt"]!.GetValue<DateTimeOffset>();
        var rotated = (await fx.Admin.PostJsonAsync($"/api/keys/{shortId}/rotate", new { gracePeriodSeconds = 86400 })).Body!["previous"]!;
        Assert.Equal(shortExpiry, rotated["expiresAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Health_reports_dependencies()
    {
        var (status, body, _) = await fx.Server.Client().GetJsonAsync("/api/health");
        Assert.Equal(200, status);
        Assert.Equal("ok", body!["dependencies"]!["storage"]!.GetValue<string>());
        Assert.Equal("ok", body["dependencies"]!["redis"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_routes_and_methods_are_problems()
    {
        var (status, body, _) = await fx.Admin.GetJsonAsync("/api/nothing-here");
        Assert.Equal(404, status);
        Assert.Equal("ROUTE_NOT_FOUND", body!["code"]!.GetValue<string>());
        var (methodStatus, methodBody, methodResponse) = await fx.Admin.SendJsonAsync(HttpMethod.Delete, "/api/keys");
        Assert.Equal(405, methodStatus);
        Assert.Equal("METHOD_NOT_ALLOWED", methodBody!["code"]!.GetValue<string>());
        Assert.Equal("application/problem+json", methodResponse.Content.Headers.ContentType?.MediaType);
    }
}
