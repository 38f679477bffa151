using Hokusai.Keys.Management;
using Hokusai.Keys.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Api.Tests;

/// <summary>No key can gain authority it was not given: docs/security.md, "Authority". Over HTTP, on real Azurite and Redis.</summary>
public class AuthorityTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    private static string IdOf(string key) => key.Substring(8, 16);

    [Fact]
    public async Task A_keys_write_key_of_the_admin_owner_cannot_see_or_take_over_an_admin_key()
    {
        var adminId = IdOf(fx.AdminKey);
        // The attack: a keys:write key sharing the bootstrap admin's owner.
        var (_, writer) = await fx.Admin.CreateKeyAsync(new { name = "writer", owner = "admin", scopes = new[] { "keys:write" } });
        var client = fx.Server.Client(writer);

        var (rotateStatus, rotated, _) = await client.PostJsonAsync($"/api/keys/{adminId}/rotate", new { gracePeriodSeconds = 600 });
        Assert.Equal(404, rotateStatus);
        Assert.Null(rotated!["key"]);
        Assert.Equal(404, (await client.PatchJsonAsync($"/api/keys/{adminId}", new { name = "mine now" })).Status);
        Assert.Equal(404, (await client.PostJsonAsync($"/api/keys/{adminId}/revoke")).Status);
        Assert.Equal(404, (await client.GetJsonAsync($"/api/keys/{adminId}")).Status);
        var (_, listed, _) = await client.GetJsonAsync("/api/keys?limit=100");
        Assert.DoesNotContain(listed!["items"]!.AsArray(), k => k!["id"]!.GetValue<string>() == adminId);

        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(fx.AdminKey));
    }

    [Fact]
    public async Task A_key_created_by_an_admin_without_an_owner_is_its_own_owner()
    {
        var (status, body, _) = await fx.Admin.PostJsonAsync("/api/keys", new { name = "ownerless", scopes = new[] { "keys:write" } });
        Assert.Equal(201, status);
        Assert.Equal(body!["id"]!.GetValue<string>(), body["owner"]!.GetValue<string>());
        var (_, other) = await fx.Admin.CreateKeyAsync(new { name = "another ownerless" });
        var (_, listed, _) = await fx.Server.Client(body["key"]!.GetValue<string>()).GetJsonAsync("/api/keys?limit=100");
        Assert.Equal([body["id"]!.GetValue<string>()], listed!["items"]!.AsArray().Select(k => k!["id"]!.GetValue<string>()));
        Assert.NotEqual(IdOf(other), body["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rotated_key_still_validates_but_manages_nothing_during_its_grace_period()
    {
        var (id, leaked) = await fx.Admin.CreateKeyAsync(new { name = "leaked", owner = "wayne", scopes = new[] { "keys:write", "models:read" } });
        var (_, rotated, _) = await fx.Admin.PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 });
        var successorId = rotated!["key"]!["id"]!.GetValue<string>();
        var client = fx.Server.Client(leaked);

        // The leak scenario: the old key must not take over its own successor while the grace period runs.
        var (status, body, _) = await client.PostJsonAsync($"/api/keys/{successorId}/rotate", new { gracePeriodSeconds = 0 });
        Assert.Equal(403, status);
        Assert.Equal("KEY_ROTATED", body!["code"]!.GetValue<string>());
        Assert.Null(body["key"]);
        Assert.Equal(403, (await client.GetJsonAsync("/api/keys")).Status);
        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(leaked));
        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(rotated["key"]!["key"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_test_key_manages_only_test_keys()
    {
        var (_, testWriter) = await fx.Admin.CreateKeyAsync(new { name = "ci", owner = "stark", environment = "test", scopes = new[] { "keys:write" } });
        var (liveId, _) = await fx.Admin.CreateKeyAsync(new { name = "production", owner = "stark", scopes = new[] { "keys:write" } });
        var client = fx.Server.Client(testWriter);

        var (status, created, _) = await client.PostJsonAsync("/api/keys", new { name = "from ci" });
        Assert.Equal(201, status);
        Assert.StartsWith("hk_test_", created!["key"]!.GetValue<string>(), StringComparison.Ordinal);
        var (refused, body, _) = await client.PostJsonAsync("/api/keys", new { name = "live from ci", environment = "live" });
        Assert.Equal(403, refused);
        Assert.Equal("INSUFFICIENT_SCOPE", body!["code"]!.GetValue<string>());
        Assert.Equal(404, (await client.GetJsonAsync($"/api/keys/{liveId}")).Status);
        Assert.Equal(404, (await client.PostJsonAsync($"/api/keys/{liveId}/rotate", new { gracePeriodSeconds = 0 })).Status);
        var (_, listed, _) = await client.GetJsonAsync("/api/keys?limit=100");
        Assert.DoesNotContain(listed!["items"]!.AsArray(), k => k!["id"]!.GetValue<string>() == liveId);
    }

    [Fact]
    public async Task A_limited_key_cannot_mint_patch_or_rotate_its_way_to_looser_limits()
    {
        var (_, writer) = await fx.Admin.CreateKeyAsync(new
        {
            name = "limited writer", owner = "oscorp", scopes = new[] { "keys:write", "models:read" },
            rateLimit = new { limit = 10, windowSeconds = 60 }, quota = new { limit = 100, period = "day" }, allowedIps = new[] { "10.0.0.0/8" },
        });
        var (siblingId, _) = await fx.Admin.CreateKeyAsync(new { name = "unlimited sibling", owner = "oscorp", scopes = new[] { "models:read" } });
        var client = fx.Server.Client(writer, peer: "10.1.2.3");

        var (childId, _) = await client.CreateKeyAsync(new { name = "child", scopes = new[] { "models:read" } });
        var (_, child, _) = await client.GetJsonAsync($"/api/keys/{childId}");
        Assert.Equal(10, child!["rateLimit"]!["limit"]!.GetValue<int>());
        Assert.Equal(100, child["quota"]!["limit"]!.GetValue<long>());
        Assert.Equal(["10.0.0.0/8"], child["allowedIps"]!.AsArray().Select(n => n!.GetValue<string>()));

        foreach (var (method, path, body) in new (HttpMethod, string, object)[]
        {
            (HttpMethod.Post, "/api/keys", new { name = "faster", rateLimit = new { limit = 1000, windowSeconds = 60 } }),
            (HttpMethod.Post, "/api/keys", new { name = "monthly", quota = new { limit = 100, period = "month" } }),
            (HttpMethod.Post, "/api/keys", new { name = "anywhere", allowedIps = new[] { "0.0.0.0/0" } }),
            (HttpMethod.Patch, $"/api/keys/{childId}", new { rateLimit = (object?)null }),
            (HttpMethod.Post, $"/api/keys/{siblingId}/rotate", new { gracePeriodSeconds = 0 }),
        })
        {
            var (status, problem, _) = await client.SendJsonAsync(method, path, body);
            Assert.True(status == 403, $"{method} {path} answered {status}");
            Assert.Equal("INSUFFICIENT_SCOPE", problem!["code"]!.GetValue<string>());
        }
        Assert.Equal(200, (await client.PatchJsonAsync($"/api/keys/{childId}", new { rateLimit = new { limit = 5, windowSeconds = 60 } })).Status);
    }

    [Fact]
    public async Task A_key_cannot_change_a_key_that_holds_scopes_it_lacks()
    {
        var (_, writer) = await fx.Admin.CreateKeyAsync(new { name = "writer", owner = "acme", scopes = new[] { "keys:write" } });
        var (targetId, _) = await fx.Admin.CreateKeyAsync(new { name = "billing", owner = "acme", scopes = new[] { "keys:write", "billing:read" } });
        var client = fx.Server.Client(writer);

        foreach (var (status, body) in new[]
        {
            await Call(client.PatchJsonAsync($"/api/keys/{targetId}", new { name = "renamed" })),
            await Call(client.PostJsonAsync($"/api/keys/{targetId}/revoke")),
            await Call(client.PostJsonAsync($"/api/keys/{targetId}/rotate", new { gracePeriodSeconds = 0 })),
        })
        {
            Assert.Equal(403, status);
            Assert.Equal("INSUFFICIENT_SCOPE", body!["code"]!.GetValue<string>());
            Assert.Null(body["key"]);
        }
        var (_, target, _) = await fx.Admin.GetJsonAsync($"/api/keys/{targetId}");
        Assert.Equal("billing", target!["name"]!.GetValue<string>());
        Assert.Equal("active", target["status"]!.GetValue<string>());
        Assert.Null(target["rotatedToId"]);
    }

    [Fact]
    public async Task A_non_admin_grants_only_scopes_it_holds()
    {
        var (_, writer) = await fx.Admin.CreateKeyAsync(new { name = "writer", owner = "globex", scopes = new[] { "keys:write", "models:read" } });
        var client = fx.Server.Client(writer);

        foreach (var scopes in new[] { new[] { "billing:*" }, new[] { "models:write" }, new[] { "keys:read" }, new[] { "admin" } })
        {
            var (status, body, _) = await client.PostJsonAsync("/api/keys", new { name = "grab", scopes });
            Assert.Equal(403, status);
            Assert.Equal("INSUFFICIENT_SCOPE", body!["code"]!.GetValue<string>());
        }
        var (childId, _) = await client.CreateKeyAsync(new { name = "child", scopes = new[] { "models:read", "keys:write" } });
        var (patchStatus, patched, _) = await client.PatchJsonAsync($"/api/keys/{childId}", new { scopes = new[] { "models:read", "models:write" } });
        Assert.Equal(403, patchStatus);
        Assert.Equal("INSUFFICIENT_SCOPE", patched!["code"]!.GetValue<string>());
        Assert.Equal(200, (await client.PatchJsonAsync($"/api/keys/{childId}", new { scopes = new[] { "models:read" } })).Status);
    }

    [Fact]
    public async Task Limits_set_by_an_admin_can_be_tightened_by_a_weaker_key_but_never_loosened()
    {
        var (_, writer) = await fx.Admin.CreateKeyAsync(new { name = "writer", owner = "initech", scopes = new[] { "keys:write", "models:read" } });
        var (targetId, _) = await fx.Admin.CreateKeyAsync(new
        {
            name = "limited", owner = "initech", scopes = new[] { "models:read" },
            rateLimit = new { limit = 100, windowSeconds = 60 }, quota = new { limit = 1000, period = "day" },
            allowedIps = new[] { "10.0.0.0/8" }, expiresInSeconds = 86_400,
        });
        var client = fx.Server.Client(writer);
        var later = DateTimeOffset.UtcNow.AddDays(30);

        foreach (var loosening in new object[]
        {
            new { rateLimit = (object?)null }, new { rateLimit = new { limit = 200, windowSeconds = 60 } },
            new { rateLimit = new { limit = 100, windowSeconds = 30 } }, new { quota = (object?)null },
            new { quota = new { limit = 2000, period = "month" } }, new { quota = new { limit = 10, period = "month" } },
            new { quota = new { limit = 100, period = "day" }, rateLimit = (object?)null },
            new { allowedIps = Array.Empty<string>() }, new { allowedIps = new[] { "0.0.0.0/0" } },
            new { allowedIps = new[] { "10.0.0.0/8", "192.168.0.1" } }, new { expiresAt = (DateTimeOffset?)null }, new { expiresAt = later },
        })
        {
            var (status, body, _) = await client.PatchJsonAsync($"/api/keys/{targetId}", loosening);
            Assert.True(status == 403, $"{System.Text.Json.JsonSerializer.Serialize(loosening)} answered {status}");
            Assert.Equal("INSUFFICIENT_SCOPE", body!["code"]!.GetValue<string>());
        }

        // Tightening is allowed, and does not hand the weaker key the right to loosen again.
        Assert.Equal(200, (await client.PatchJsonAsync($"/api/keys/{targetId}", new
        {
            rateLimit = new { limit = 50, windowSeconds = 60 }, quota = new { limit = 500, period = "day" },
            allowedIps = new[] { "10.1.0.0/16" }, expiresAt = DateTimeOffset.UtcNow.AddHours(1),
        })).Status);
        Assert.Equal(403, (await client.PatchJsonAsync($"/api/keys/{targetId}", new { rateLimit = new { limit = 100, windowSeconds = 60 } })).Status);

        // The admin may loosen.
        Assert.Equal(200, (await fx.Admin.PatchJsonAsync($"/api/keys/{targetId}", new { rateLimit = (object?)null, allowedIps = Array.Empty<string>() })).Status);
    }

    [Fact]
    public async Task Limits_a_key_set_itself_it_may_loosen()
    {
        var (_, writer) = await fx.Admin.CreateKeyAsync(new { name = "writer", owner = "hooli", scopes = new[] { "keys:write", "models:read" } });
        var client = fx.Server.Client(writer);
        var (childId, _) = await client.CreateKeyAsync(new { name = "child", scopes = new[] { "models:read" }, rateLimit = new { limit = 10, windowSeconds = 60 } });
        Assert.Equal(200, (await client.PatchJsonAsync($"/api/keys/{childId}", new { rateLimit = (object?)null })).Status);
    }

    [Fact]
    public async Task A_non_admin_cannot_make_a_key_outlive_itself()
    {
        var (_, writer) = await fx.Admin.CreateKeyAsync(new { name = "writer", owner = "umbrella", scopes = new[] { "keys:write" }, expiresInSeconds = 3600 });
        var client = fx.Server.Client(writer);

        var (status, body, _) = await client.PostJsonAsync("/api/keys", new { name = "forever", expiresInSeconds = 86_400 * 365 });
        Assert.Equal(403, status);
        Assert.Equal("INSUFFICIENT_SCOPE", body!["code"]!.GetValue<string>());

        var (childId, _) = await client.CreateKeyAsync(new { name = "child" });
        var (_, child, _) = await client.GetJsonAsync($"/api/keys/{childId}");
        Assert.NotNull(child!["expiresAt"]);
        Assert.True(child["expiresAt"]!.GetValue<DateTimeOffset>() <= DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(403, (await client.PatchJsonAsync($"/api/keys/{childId}", new { expiresAt = DateTimeOffset.UtcNow.AddDays(2) })).Status);
        Assert.Equal(403, (await client.PostJsonAsync($"/api/keys/{childId}/rotate", new { expiresInSeconds = 86_400 })).Status);
    }

    [Fact]
    public async Task Rotating_the_bootstrap_admin_key_does_not_allow_a_second_bootstrap()
    {
        var group = await ServerGroup.CreateAsync();
        using var server = group.StartServer();
        var admin = await server.CreateAdminKeyAsync();
        var bootstrapper = server.Services.GetRequiredService<AdminBootstrapper>();

        var (status, rotated, _) = await server.Client(admin).PostJsonAsync($"/api/keys/{IdOf(admin)}/rotate", new { gracePeriodSeconds = 0 });
        Assert.Equal(201, status);
        var successorId = rotated!["key"]!["id"]!.GetValue<string>();

        Assert.Null(await bootstrapper.BootstrapAsync("Second admin", null, force: false, CancellationToken.None));
        Assert.Equal(successorId, (await bootstrapper.ExistingAdminAsync(CancellationToken.None))!.Id);
        Assert.NotNull(await bootstrapper.BootstrapAsync("Forced admin", null, force: true, CancellationToken.None));
    }

    private static async Task<(int Status, System.Text.Json.Nodes.JsonNode? Body)> Call(Task<(int Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response)> call)
    {
        var (status, body, _) = await call;
        return (status, body);
    }
}
