using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Text;
using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Usage;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hokusai.Keys.Core.Tests;

/// <summary>
/// The decisions of each step of <see cref="KeyValidator"/>'s policy — format → throttle → lookup → state → network →
/// scope → limits → record — through <see cref="KeyValidator.ValidateAsync"/>, over in-memory collaborators.
/// </summary>
public class KeyValidatorTests
{
    private static readonly IPAddress Elsewhere = IPAddress.Parse("198.51.100.9");

    // ---- format ----

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hk_live_tooshort")]
    [InlineData("sk_live_AAAAAAAAAAAAAAAAaaaaaaaaaaaaaaaaaaaaaaaaaaaa000000")]
    public async Task Format_a_malformed_key_is_MALFORMED_with_no_lookup(string? presented)
    {
        await using var h = new ValidatorHarness();
        Assert.Equal(ValidationCode.Malformed, (await h.ValidateAsync(presented)).Code);
        Assert.Equal((0, 0, 0), (h.Cache.Reads, h.Store.Reads, h.Hasher.Verifications));
    }

    [Fact]
    public async Task Format_a_key_with_a_wrong_checksum_is_MALFORMED_with_no_lookup()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync();
        var broken = key.Plaintext[..^1] + (key.Plaintext[^1] == 'A' ? 'B' : 'A');
        Assert.Equal(ValidationCode.Malformed, (await h.ValidateAsync(broken)).Code);
        Assert.Equal((0, 0, 0), (h.Cache.Reads, h.Store.Reads, h.Hasher.Verifications));
    }

    // ---- throttle ----

    [Fact]
    public async Task Throttle_a_caller_past_its_failures_gets_TOO_MANY_FAILURES_except_for_keys_the_cache_vouches_for()
    {
        await using var h = new ValidatorHarness(new RateLimitingOptions { FailuresPerIpPerMinute = 3 });
        var cached = await h.AddKeyAsync();
        var uncached = await h.AddKeyAsync();
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(cached, caller: Elsewhere));

        for (var i = 0; i < 3; i++) Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.Unknown()));
        var reads = h.Store.Reads;
        var verifications = h.Hasher.Verifications;

        Assert.Equal(ValidationCode.TooManyFailures, (await h.ValidateAsync("not-a-key")).Code);
        Assert.Equal(ValidationCode.TooManyFailures, await h.CodeAsync(ValidatorHarness.Unknown()));
        Assert.Equal(ValidationCode.TooManyFailures, await h.CodeAsync(uncached));
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(cached)); // a shared address keeps its cached keys
        Assert.Equal((reads, verifications), (h.Store.Reads, h.Hasher.Verifications)); // and costs no read or bcrypt

        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(uncached, caller: Elsewhere)); // others are not throttled
        h.Time.Advance(TimeSpan.FromSeconds(20)); // one failure's worth of the per-minute budget
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.Unknown()));
    }

    [Fact]
    public async Task Throttle_counts_failed_management_authentications_too()
    {
        await using var h = new ValidatorHarness(new RateLimitingOptions { FailuresPerIpPerMinute = 2 });
        for (var i = 0; i < 2; i++) Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.Unknown(), ValidationEndpoint.Management));
        Assert.Equal(ValidationCode.TooManyFailures, await h.CodeAsync(ValidatorHarness.Unknown(), ValidationEndpoint.Authorize));
    }

    [Fact]
    public async Task Throttle_counts_revoked_and_expired_keys_but_not_a_storage_outage()
    {
        await using var h = new ValidatorHarness(new RateLimitingOptions { FailuresPerIpPerMinute = 2 });
        var revoked = await h.AddKeyAsync(r => r with { RevokedAt = h.Time.GetUtcNow() });
        var expired = await h.AddKeyAsync(r => r with { ExpiresAt = h.Time.GetUtcNow() });
        h.Store.Unavailable = true;
        for (var i = 0; i < 5; i++) Assert.Equal(ValidationCode.Unavailable, await h.CodeAsync(ValidatorHarness.Unknown()));

        h.Store.Unavailable = false;
        Assert.Equal(ValidationCode.Revoked, await h.CodeAsync(revoked));
        Assert.Equal(ValidationCode.Expired, await h.CodeAsync(expired));
        Assert.Equal(ValidationCode.TooManyFailures, await h.CodeAsync(ValidatorHarness.Unknown()));
    }

    // ---- lookup ----

    [Fact]
    public async Task Lookup_the_right_secret_is_VALID_from_storage_once_then_from_the_cache()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync();
        var first = await h.ValidateAsync(key);
        var second = await h.ValidateAsync(key);

        Assert.Equal((ValidationCode.Valid, ValidationCode.Valid), (first.Code, second.Code));
        Assert.Equal(key.Id, second.Key?.Id);
        Assert.Equal((1, 1), (h.Store.Reads, h.Hasher.Verifications));
        Assert.Equal([false, true], h.Meters.Of("hokusai.validation.duration").Select(m => (bool)m.Tags["cached"]!));
    }

    [Fact]
    public async Task Lookup_an_unknown_key_id_is_NOT_FOUND_at_the_cost_of_one_bcrypt_then_of_none()
    {
        await using var h = new ValidatorHarness();
        var unknown = ValidatorHarness.Unknown();
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(unknown));
        Assert.Equal(1, h.Hasher.Verifications); // a decoy: an unknown id costs what a wrong secret costs
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(unknown));
        Assert.Equal((1, 1), (h.Store.Reads, h.Hasher.Verifications));
    }

    [Fact]
    public async Task Lookup_a_wrong_secret_for_a_known_key_is_NOT_FOUND_whether_the_key_is_cached_or_not()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync();
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.WrongSecret(key)));
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(key));
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.WrongSecret(key)));
    }

    [Fact]
    public async Task Lookup_a_key_relabelled_to_the_other_environment_is_NOT_FOUND_whether_the_key_is_cached_or_not()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync(environment: KeyEnvironment.Test);
        var relabelled = Relabel(key, "hk_live_");
        Assert.True(ApiKeyFormat.TryParse(relabelled.Plaintext, out _));
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(relabelled));
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(key));
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(relabelled));
    }

    [Fact]
    public async Task Lookup_a_pending_key_is_NOT_FOUND()
    {
        await using var h = new ValidatorHarness();
        var pending = await h.AddKeyAsync(r => r with { IsPending = true });
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(pending));
    }

    [Fact]
    public async Task Lookup_with_storage_down_an_uncached_key_is_UNAVAILABLE_and_a_cached_one_still_VALID()
    {
        await using var h = new ValidatorHarness();
        var cached = await h.AddKeyAsync();
        var uncached = await h.AddKeyAsync();
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(cached));
        h.Store.Unavailable = true;
        Assert.Equal(ValidationCode.Unavailable, await h.CodeAsync(uncached));
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(cached));
    }

    [Fact]
    public async Task Lookup_past_a_key_ids_budget_new_secrets_are_NOT_FOUND_unchecked_and_not_held_against_the_caller()
    {
        await using var h = new ValidatorHarness(new RateLimitingOptions { SecretChecksPerKeyIdPerMinute = 1, FailuresPerIpPerMinute = 2 });
        var key = await h.AddKeyAsync();
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.WrongSecret(key)));
        Assert.Equal(1, h.Hasher.Verifications);

        // Had these counted, the caller would be throttled by the second.
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.WrongSecret(key)));
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.WrongSecret(key)));
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(key)); // never verified: it waits for the budget too
        Assert.Equal(1, h.Hasher.Verifications);
        Assert.Equal(3, h.Meters.Of("hokusai.bcrypt.skipped").Count(m => (string)m.Tags["reason"]! == "budget_spent"));
    }

    [Fact]
    public async Task Lookup_a_secret_verified_before_passes_a_spent_budget_when_its_key_left_the_cache()
    {
        await using var h = new ValidatorHarness(new RateLimitingOptions { SecretChecksPerKeyIdPerMinute = 1 });
        var key = await h.AddKeyAsync();
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(key));
        h.Cache.Clear();
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.WrongSecret(key), caller: Elsewhere)); // spends the budget
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(key));
    }

    [Fact]
    public async Task Lookup_with_the_bcrypt_queue_full_an_uncached_key_is_VERIFICATION_BUSY_and_counted_against_the_caller()
    {
        await using var h = new ValidatorHarness(new RateLimitingOptions { FailuresPerIpPerMinute = 1 }, bcryptQueueLength: 1);
        var first = await h.AddKeyAsync();
        var second = await h.AddKeyAsync();
        var third = await h.AddKeyAsync();
        h.Hasher.Hold();
        try
        {
            var running = h.ValidateAsync(first, caller: Elsewhere).AsTask();
            Assert.True(await h.Hasher.Entered.WaitAsync(TimeSpan.FromSeconds(30))); // the one bcrypt thread is busy
            var queued = h.ValidateAsync(second, caller: Elsewhere).AsTask(); // holds the one place in the queue

            Assert.Equal(ValidationCode.VerificationBusy, await h.CodeAsync(third));
            Assert.Equal(ValidationCode.TooManyFailures, await h.CodeAsync(ValidatorHarness.Unknown()));

            h.Hasher.Release();
            Assert.Equal(ValidationCode.Valid, (await running).Code);
            Assert.Equal(ValidationCode.Valid, (await queued).Code);
        }
        finally
        {
            h.Hasher.Release();
        }
    }

    // ---- state ----

    [Fact]
    public async Task State_a_revoked_key_is_REVOKED_and_the_answer_names_the_key()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync(r => r with { RevokedAt = h.Time.GetUtcNow().AddMinutes(-1) });
        var result = await h.ValidateAsync(key);
        Assert.Equal(ValidationCode.Revoked, result.Code);
        Assert.Equal(key.Id, result.Key?.Id);
    }

    [Fact]
    public async Task State_a_key_is_EXPIRED_from_its_expiry_on_even_while_cached()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync(r => r with { ExpiresAt = h.Time.GetUtcNow().AddHours(1) });
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(key));
        h.Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(key));
        h.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(ValidationCode.Expired, await h.CodeAsync(key));
    }

    [Fact]
    public async Task State_a_key_of_another_environment_than_required_is_WRONG_ENVIRONMENT()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync(environment: KeyEnvironment.Test);
        Assert.Equal(ValidationCode.WrongEnvironment, (await h.ValidateAsync(key, requiredEnvironment: KeyEnvironment.Live)).Code);
        Assert.Equal(ValidationCode.Valid, (await h.ValidateAsync(key, requiredEnvironment: KeyEnvironment.Test)).Code);
        Assert.Equal(ValidationCode.Valid, (await h.ValidateAsync(key)).Code);
    }

    // ---- network ----

    [Fact]
    public async Task Network_an_allow_list_admits_only_its_addresses()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync(r => r with { AllowedIps = ["10.0.0.0/8", "2001:db8::/32"] });
        Assert.Equal(ValidationCode.Valid, (await h.ValidateAsync(key, clientIp: IPAddress.Parse("10.1.2.3"))).Code);
        Assert.Equal(ValidationCode.Valid, (await h.ValidateAsync(key, clientIp: IPAddress.Parse("2001:db8::1"))).Code);
        Assert.Equal(ValidationCode.Valid, (await h.ValidateAsync(key, clientIp: IPAddress.Parse("::ffff:10.9.9.9"))).Code);
        Assert.Equal(ValidationCode.IpNotAllowed, (await h.ValidateAsync(key, clientIp: IPAddress.Parse("11.0.0.1"))).Code);
        Assert.Equal(ValidationCode.IpNotAllowed, (await h.Validator.ValidateAsync(new ValidationRequest(key.Plaintext, null, null, ValidationEndpoint.Verify), CancellationToken.None)).Code);
    }

    // ---- scope ----

    [Fact]
    public async Task Scope_every_required_scope_must_be_held()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync(r => r with { Scopes = ["models:read", "models:write"] });
        Assert.Equal(ValidationCode.Valid, (await h.ValidateAsync(key, scopes: null)).Code);
        Assert.Equal(ValidationCode.Valid, (await h.ValidateAsync(key, scopes: [])).Code);
        Assert.Equal(ValidationCode.Valid, (await h.ValidateAsync(key, scopes: ["models:write", "models:read"])).Code);
        Assert.Equal(ValidationCode.InsufficientScope, (await h.ValidateAsync(key, scopes: ["models:read", "admin"])).Code);
        Assert.Equal(ValidationCode.InsufficientScope, (await h.ValidateAsync(key, scopes: ["models:READ"])).Code);
    }

    [Fact]
    public async Task State_then_network_then_scope_decide_in_that_order()
    {
        await using var h = new ValidatorHarness();
        IReadOnlyList<string> missing = ["admin"];
        var outsider = IPAddress.Parse("11.0.0.1");
        var revoked = await h.AddKeyAsync(r => r with { RevokedAt = h.Time.GetUtcNow(), AllowedIps = ["10.0.0.0/8"] });
        var fenced = await h.AddKeyAsync(r => r with { AllowedIps = ["10.0.0.0/8"] });
        Assert.Equal(ValidationCode.Revoked, (await h.ValidateAsync(revoked, clientIp: outsider, scopes: missing, requiredEnvironment: KeyEnvironment.Test)).Code);
        Assert.Equal(ValidationCode.WrongEnvironment, (await h.ValidateAsync(fenced, clientIp: outsider, scopes: missing, requiredEnvironment: KeyEnvironment.Test)).Code);
        Assert.Equal(ValidationCode.IpNotAllowed, (await h.ValidateAsync(fenced, clientIp: outsider, scopes: missing)).Code);
    }

    // ---- limits ----

    [Fact]
    public async Task Limits_past_its_rate_limit_a_key_is_RATE_LIMITED_with_the_decision()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync(r => r with { RateLimit = new RateLimitPolicy(3, 60) });
        Assert.Equal(ValidationCode.Valid, (await h.ValidateAsync(key, cost: 2)).Code);
        var refused = await h.ValidateAsync(key, cost: 2);
        Assert.Equal(ValidationCode.RateLimited, refused.Code);
        Assert.Equal(1, refused.Limits?.Rate?.Remaining);
        var last = await h.ValidateAsync(key, ValidationEndpoint.Authorize);
        Assert.Equal(ValidationCode.Valid, last.Code);
        Assert.Equal(0, last.Limits?.Rate?.Remaining);
    }

    [Fact]
    public async Task Limits_management_authentication_and_refused_requests_consume_none()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync(r => r with { RateLimit = new RateLimitPolicy(1, 3600) });
        for (var i = 0; i < 3; i++)
        {
            var management = await h.ValidateAsync(key, ValidationEndpoint.Management);
            Assert.Equal(ValidationCode.Valid, management.Code);
            Assert.Null(management.Limits);
            Assert.Equal(ValidationCode.InsufficientScope, (await h.ValidateAsync(key, scopes: ["admin"])).Code);
        }
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(key));
        Assert.Equal(ValidationCode.RateLimited, await h.CodeAsync(key));
    }

    [Fact]
    public async Task Limits_a_quota_refuses_past_its_limit_and_each_threshold_is_reported_once()
    {
        var h = new ValidatorHarness();
        var key = await h.AddKeyAsync(r => r with { Quota = new QuotaPolicy(5, QuotaPolicy.Day) });
        var codes = new List<ValidationCode>();
        for (var i = 0; i < 7; i++) codes.Add(await h.CodeAsync(key));
        await h.DisposeAsync(); // delivers what was queued

        Assert.Equal([.. Enumerable.Repeat(ValidationCode.Valid, 5), ValidationCode.QuotaExceeded, ValidationCode.QuotaExceeded], codes);
        Assert.Equal([(80, 4L), (100, 5L)], h.Thresholds.Received.Select(t => (t.Percent, t.Used)));
        var threshold = h.Thresholds.Received[0];
        Assert.Equal((key.Id, "alice", QuotaPolicy.Day, 5L, new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)),
            (threshold.KeyId, threshold.Owner, threshold.Period, threshold.Limit, threshold.PeriodStart));
    }

    [Fact]
    public async Task Limits_a_limiter_that_cannot_decide_is_RATE_LIMITER_UNAVAILABLE_and_not_held_against_the_caller()
    {
        await using var h = new ValidatorHarness(new RateLimitingOptions { FailuresPerIpPerMinute = 1 }, limiter: new UndecidedLimiter());
        var key = await h.AddKeyAsync(r => r with { RateLimit = new RateLimitPolicy(10, 60) });
        var unlimited = await h.AddKeyAsync();
        for (var i = 0; i < 3; i++) Assert.Equal(ValidationCode.LimiterUnavailable, await h.CodeAsync(key));
        Assert.Equal(ValidationCode.Valid, await h.CodeAsync(unlimited)); // a key without limits never asks the limiter
        Assert.Equal(ValidationCode.NotFound, await h.CodeAsync(ValidatorHarness.Unknown()));
    }

    // ---- record ----

    [Fact]
    public void Record_endpoint_tag_values_are_fixed()
    {
        // Dashboards and alerts select on these: renaming the enum must not change them.
        Assert.Equal(["verify", "authorize", "management", "leak_report"], Enum.GetValues<ValidationEndpoint>().Select(e => e.ToTag()));
        Assert.Equal([true, true, false, false], Enum.GetValues<ValidationEndpoint>().Select(e => e.IsMetered()));
    }

    [Fact]
    public async Task Record_every_answer_is_counted_by_wire_code_and_endpoint()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync();
        await h.ValidateAsync(key, ValidationEndpoint.Verify);
        await h.ValidateAsync(key, ValidationEndpoint.Authorize);
        await h.ValidateAsync(key, ValidationEndpoint.Management);
        await h.ValidateAsync("nope", ValidationEndpoint.Authorize);

        Assert.Equal(
            [("VALID", "verify"), ("VALID", "authorize"), ("VALID", "management"), ("MALFORMED", "authorize")],
            h.Meters.Of("hokusai.validations").Select(m => ((string)m.Tags["code"]!, (string)m.Tags["endpoint"]!)));
    }

    [Fact]
    public async Task Record_usage_events_for_metered_answers_about_existing_keys_with_cost_only_when_valid()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync();
        await h.ValidateAsync(key, ValidationEndpoint.Verify, cost: 3);
        await h.ValidateAsync(key, ValidationEndpoint.Authorize);
        await h.ValidateAsync(key, ValidationEndpoint.Management);
        await h.ValidateAsync(ValidatorHarness.WrongSecret(key), ValidationEndpoint.Verify, cost: 5);
        await h.ValidateAsync(ValidatorHarness.Unknown(), ValidationEndpoint.Verify);
        await h.ValidateAsync("nope", ValidationEndpoint.Verify);

        Assert.Equal(
            [(key.Id, "alice", "VALID", 3), (key.Id, "alice", "VALID", 1), (key.Id, "alice", "NOT_FOUND", 0)],
            h.Usage.Events.Select(e => (e.KeyId, e.Owner, e.Code, e.Cost)));
        Assert.All(h.Usage.Events, e => Assert.Equal(h.Time.GetUtcNow(), e.Timestamp));
        Assert.Equal(3, h.Usage.Events.Count); // Assert.All above is not vacuous
    }

    // ---- disposal ----

    [Fact]
    public async Task A_disposed_validator_refuses_to_validate()
    {
        await using var h = new ValidatorHarness();
        var key = await h.AddKeyAsync();
        h.Validator.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => h.ValidateAsync(key).AsTask());
    }

    [Fact]
    public async Task The_container_disposes_the_validator_and_delivers_queued_thresholds_before_it_returns()
    {
        var sink = new RecordingThresholdSink { Hold = true };
        var provider = CoreServices(sink);
        var validator = provider.GetRequiredService<KeyValidator>();
        var queue = provider.GetRequiredService<QuotaThresholdQueue>();
        queue.Post(new QuotaThreshold("key", "alice", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), QuotaPolicy.Month, 80, 80, 100));
        Assert.True(await sink.Entered.WaitAsync(TimeSpan.FromSeconds(30)));

        var disposing = provider.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted); // the queue waits for its sink
        sink.Release();
        await disposing;

        Assert.Single(sink.Received);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => validator.ValidateAsync(new ValidationRequest("x", null, null, ValidationEndpoint.Verify), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task A_container_disposed_synchronously_disposes_them_too()
    {
        var provider = CoreServices(new RecordingThresholdSink());
        var validator = provider.GetRequiredService<KeyValidator>();
        provider.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => validator.ValidateAsync(new ValidationRequest("x", null, null, ValidationEndpoint.Verify), CancellationToken.None).AsTask());
    }

    private static ServiceProvider CoreServices(IQuotaThresholdSink sink)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IKeyStore>(new InMemoryKeyStore());
        services.AddSingleton<IKeySnapshotCache>(new ValidatorHarness.SnapshotCache());
        services.AddSingleton(sink);
        services.AddHokusaiCore(new ConfigurationBuilder().Build());
        return services.BuildServiceProvider();
    }

    private static TestKey Relabel(TestKey key, string prefix)
    {
        var body = prefix + key.Plaintext[ApiKeyFormat.PrefixLength..^ApiKeyFormat.ChecksumLength];
        Span<char> checksum = stackalloc char[ApiKeyFormat.ChecksumLength];
        Base62.EncodeFixed(BinaryPrimitives.ReadUInt32LittleEndian(Crc32.Hash(Encoding.ASCII.GetBytes(body))), checksum);
        return new TestKey(body + checksum.ToString(), key.Id);
    }

    private sealed class UndecidedLimiter : IRateLimiter
    {
        public ValueTask<LimitDecision> AcquireAsync(LimitRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(LimitDecision.Unavailable);
    }
}
