using Hokusai.Keys.Management;
using Hokusai.Keys.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>Rotation is atomic under concurrency, and dead keys stay dead. Real Azurite and Redis, two instances where it matters.</summary>
public class RotationTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Concurrent_rotations_over_two_instances_yield_exactly_one_valid_successor()
    {
        var group = await ServerGroup.CreateAsync();
        using var first = group.StartServer();
        using var second = group.StartServer();
        var admin = await first.CreateAdminKeyAsync();
        HttpClient[] clients = [first.Client(admin), second.Client(admin)];

        for (var round = 0; round < 20; round++)
        {
            var (id, _) = await clients[0].CreateKeyAsync(new { name = $"rotated {round}", scopes = new[] { "models:read" } });
            // Spread over the window in which the first rotation links and activates (the pattern that lost keys).
            var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25 * i));
                return await clients[i % 2].PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 });
            }));

            var winners = answers.Where(a => a.Status == 201).ToList();
            Assert.True(winners.Count == 1, $"round {round}: {winners.Count} rotations succeeded; statuses {string.Join(",", answers.Select(a => $"{a.Status} {a.Body?["code"]}"))}");
            Assert.All(answers.Where(a => a.Status != 201), a =>
            {
                Assert.Equal(409, a.Status);
                Assert.Equal("KEY_ALREADY_ROTATED", a.Body!["code"]!.GetValue<string>());
            });
            var successor = winners[0].Body!["key"]!;
            Assert.Equal("VALID", await clients[round % 2].VerifyCodeAsync(successor["key"]!.GetValue<string>()));
            var (_, predecessor, _) = await clients[1].GetJsonAsync($"/api/keys/{id}");
            Assert.Equal(successor["id"]!.GetValue<string>(), predecessor!["rotatedToId"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_rotation_between_linking_and_activating_is_not_undone_by_another_rotation()
    {
        var group = await ServerGroup.CreateAsync();
        var counter = new CallCounter();
        using var held = group.StartServer(counter.Install);
        using var other = group.StartServer();
        var admin = await held.CreateAdminKeyAsync();
        var (id, _) = await held.Client(admin).CreateKeyAsync(new { name = "held rotation" });
        var atActivation = HoldFirstActivation(counter, id, out var release);

        var firstRotation = held.Client(admin).PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 });
        await atActivation.WaitAsync(TimeSpan.FromSeconds(30));

        var (status, body, _) = await other.Client(admin).PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 });
        Assert.Equal(409, status);
        Assert.Equal("KEY_ALREADY_ROTATED", body!["code"]!.GetValue<string>());

        release.SetResult();
        var (firstStatus, rotated, _) = await firstRotation;
        Assert.Equal(201, firstStatus);
        Assert.Equal("VALID", await other.Client().VerifyCodeAsync(rotated!["key"]!["key"]!.GetValue<string>()));
        var (_, predecessor, _) = await other.Client(admin).GetJsonAsync($"/api/keys/{id}");
        Assert.Equal(rotated["key"]!["id"]!.GetValue<string>(), predecessor!["rotatedToId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rotation_that_died_after_linking_can_be_taken_over_and_its_key_never_becomes_valid()
    {
        var group = await ServerGroup.CreateAsync();
        var counter = new CallCounter();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var server = group.StartServer(services =>
        {
            counter.Install(services);
            services.AddSingleton<TimeProvider>(clock);
        });
        var admin = await server.CreateAdminKeyAsync();
        var client = server.Client(admin);
        var (id, _) = await client.CreateKeyAsync(new { name = "stuck rotation" });
        var atActivation = HoldFirstActivation(counter, id, out var release);

        var stuck = client.PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 });
        await atActivation.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(409, (await client.PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 })).Status);

        clock.Advance(KeyManagementService.AbandonedRotationAge + TimeSpan.FromSeconds(1));
        var (status, takeover, _) = await client.PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 });
        Assert.Equal(201, status);

        var stuckSuccessorId = (await atActivation).Id;
        Assert.Null(await server.Services.GetRequiredService<Hokusai.Keys.Storage.IKeyStore>().GetAsync(stuckSuccessorId, CancellationToken.None));

        release.SetResult();
        var (stuckStatus, stuckBody, _) = await stuck;
        Assert.Equal(409, stuckStatus);
        Assert.Null(stuckBody!["key"]);
        Assert.Null(await server.Services.GetRequiredService<Hokusai.Keys.Storage.IKeyStore>().GetAsync(stuckSuccessorId, CancellationToken.None));
        Assert.Equal("VALID", await client.VerifyCodeAsync(takeover!["key"]!["key"]!.GetValue<string>()));
        var (_, predecessor, _) = await client.GetJsonAsync($"/api/keys/{id}");
        Assert.Equal(takeover["key"]!["id"]!.GetValue<string>(), predecessor!["rotatedToId"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_expired_key_cannot_be_brought_back()
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "expiring", expiresInSeconds = 1 });
        await UntilCodeAsync(key, "EXPIRED");

        foreach (var patch in new object[] { new { expiresAt = (DateTimeOffset?)null }, new { expiresAt = DateTimeOffset.UtcNow.AddDays(1) } })
        {
            var (status, body, _) = await fx.Admin.PatchJsonAsync($"/api/keys/{id}", patch);
            Assert.Equal(409, status);
            Assert.Equal("KEY_EXPIRED", body!["code"]!.GetValue<string>());
        }
        Assert.Equal("EXPIRED", await fx.Admin.VerifyCodeAsync(key));
    }

    [Fact]
    public async Task A_rotated_key_lives_out_its_grace_period_and_no_longer()
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "rotated" });
        Assert.Equal(201, (await fx.Admin.PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 })).Status);

        foreach (var patch in new object[] { new { expiresAt = (DateTimeOffset?)null }, new { expiresAt = DateTimeOffset.UtcNow.AddDays(1) } })
        {
            var (status, body, _) = await fx.Admin.PatchJsonAsync($"/api/keys/{id}", patch);
            Assert.Equal(409, status);
            Assert.Equal("KEY_ALREADY_ROTATED", body!["code"]!.GetValue<string>());
        }
        Assert.Equal(200, (await fx.Admin.PatchJsonAsync($"/api/keys/{id}", new { expiresAt = DateTimeOffset.UtcNow.AddMinutes(5) })).Status);

        var (outId, outKey) = await fx.Admin.CreateKeyAsync(new { name = "rotated out" });
        Assert.Equal(201, (await fx.Admin.PostJsonAsync($"/api/keys/{outId}/rotate", new { gracePeriodSeconds = 1 })).Status);
        await UntilCodeAsync(outKey, "EXPIRED");
        Assert.Equal(409, (await fx.Admin.PatchJsonAsync($"/api/keys/{outId}", new { expiresAt = (DateTimeOffset?)null })).Status);
        Assert.Equal("EXPIRED", await fx.Admin.VerifyCodeAsync(outKey));
        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(key));
    }

    [Fact]
    public async Task Rotation_gives_the_successor_a_new_lifetime_within_the_callers_authority()
    {
        var (id, _) = await fx.Admin.CreateKeyAsync(new { name = "90 days", owner = "rotators", scopes = new[] { "models:read" }, expiresInSeconds = 3600 });
        var (status, rotated, _) = await fx.Admin.PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 60, expiresInSeconds = 90 * 86_400 });
        Assert.Equal(201, status);
        var expiry = rotated!["key"]!["expiresAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromDays(89), TimeSpan.FromDays(90));

        // The admin set this key's expiry: a weaker key may rotate it, but not give the successor a longer life.
        var successorId = rotated["key"]!["id"]!.GetValue<string>();
        var (_, writer) = await fx.Admin.CreateKeyAsync(new { name = "writer", owner = "rotators", scopes = new[] { "keys:write", "models:read" } });
        var weaker = fx.Server.Client(writer);
        var (refused, body, _) = await weaker.PostJsonAsync($"/api/keys/{successorId}/rotate", new { expiresInSeconds = 365 * 86_400 });
        Assert.Equal(403, refused);
        Assert.Equal("INSUFFICIENT_SCOPE", body!["code"]!.GetValue<string>());
        var (allowed, again, _) = await weaker.PostJsonAsync($"/api/keys/{successorId}/rotate", new { gracePeriodSeconds = 0 });
        Assert.Equal(201, allowed);
        Assert.Equal(expiry, again!["key"]!["expiresAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task The_rate_limit_bucket_is_shared_along_the_rotation_chain()
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "3 an hour", rateLimit = new { limit = 3, windowSeconds = 3600 } });
        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(key));
        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(key));

        var (_, rotated, _) = await fx.Admin.PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 });
        var successor = rotated!["key"]!["key"]!.GetValue<string>();
        Assert.Equal("VALID", await fx.Admin.VerifyCodeAsync(successor));
        Assert.Equal("RATE_LIMITED", await fx.Admin.VerifyCodeAsync(successor));
        Assert.Equal("RATE_LIMITED", await fx.Admin.VerifyCodeAsync(key));
    }

    [Fact]
    public async Task A_change_made_while_a_rotation_runs_is_not_undone_by_it()
    {
        var group = await ServerGroup.CreateAsync();
        var counter = new CallCounter();
        using var held = group.StartServer(counter.Install);
        using var other = group.StartServer();
        var admin = await held.CreateAdminKeyAsync();
        var (id, _) = await held.Client(admin).CreateKeyAsync(new { name = "narrowed", scopes = new[] { "models:read", "models:write" } });
        var atLink = Hold(counter, record => record.Id == id && record.RotatedToId is not null, out var release);

        var rotation = held.Client(admin).PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 });
        await atLink.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, (await other.Client(admin).PatchJsonAsync($"/api/keys/{id}", new { scopes = new[] { "models:read" } })).Status);
        release.SetResult();

        var (status, body, _) = await rotation;
        Assert.Equal(409, status);
        Assert.Null(body!["key"]);
        var (_, key, _) = await other.Client(admin).GetJsonAsync($"/api/keys/{id}");
        Assert.Null(key!["rotatedToId"]);
        var (again, rotated, _) = await other.Client(admin).PostJsonAsync($"/api/keys/{id}/rotate", new { gracePeriodSeconds = 600 });
        Assert.Equal(201, again);
        Assert.Equal(["models:read"], rotated!["key"]!["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    /// <summary>Holds the first activation of a successor of <paramref name="keyId"/> until <paramref name="release"/> completes.</summary>
    private static Task<Domain.ApiKeyRecord> HoldFirstActivation(CallCounter counter, string keyId, out TaskCompletionSource release) =>
        Hold(counter, record => record.RotatedFromId == keyId && !record.IsPending, out release);

    /// <summary>Holds the first key write matching <paramref name="match"/>, before it reaches storage, until <paramref name="release"/> completes.</summary>
    private static Task<Domain.ApiKeyRecord> Hold(CallCounter counter, Func<Domain.ApiKeyRecord, bool> match, out TaskCompletionSource release)
    {
        var reached = new TaskCompletionSource<Domain.ApiKeyRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        counter.BeforeReplace = async record =>
        {
            if (!match(record) || Interlocked.Exchange(ref held, 1) == 1) return;
            reached.SetResult(record);
            await gate.Task;
        };
        release = gate;
        return reached.Task;
    }

    private async Task UntilCodeAsync(string key, string code)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (await fx.Admin.VerifyCodeAsync(key) != code)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the key never became {code}");
            await Task.Delay(250);
        }
    }
}
