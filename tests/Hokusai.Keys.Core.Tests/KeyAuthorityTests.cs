using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;

namespace Hokusai.Keys.Core.Tests;

public class KeyAuthorityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static readonly Caller Writer = new("AAAAAAAAAAAAAAAw", "alice", [Caller.WriteScope, "models:read"], null)
    {
        RateLimit = new RateLimitPolicy(100, 60),
        Quota = new QuotaPolicy(1000, QuotaPolicy.Day),
        AllowedIps = ["10.0.0.0/8"],
        ExpiresAt = Now.AddDays(30),
    };

    private static readonly Caller Admin = new("AAAAAAAAAAAAAAAa", "ops", [Caller.AdminScope], null);

    private static ApiKeyRecord Key(Action<ApiKeyRecordBuilder>? with = null)
    {
        var builder = new ApiKeyRecordBuilder();
        with?.Invoke(builder);
        return new ApiKeyRecord
        {
            Id = "AAAAAAAAAAAAAAAk", Name = "k", Owner = "alice", Environment = KeyEnvironment.Live, CreatedAt = Now,
            SecretHash = "h", HashScheme = "test", Scopes = ["models:read"],
            RateLimit = builder.RateLimit, Quota = builder.Quota, AllowedIps = builder.AllowedIps, ExpiresAt = builder.ExpiresAt,
            LimitsAuthority = builder.Authority,
        };
    }

    private sealed class ApiKeyRecordBuilder
    {
        public RateLimitPolicy? RateLimit = new(100, 60);
        public QuotaPolicy? Quota = new(1000, QuotaPolicy.Day);
        public IReadOnlyList<string> AllowedIps = ["10.0.0.0/8"];
        public DateTimeOffset? ExpiresAt = Now.AddDays(30);
        public IReadOnlyList<string> Authority = [Caller.WriteScope, "models:read"];
    }

    private static string? Refusal(Action action)
    {
        try { action(); return null; }
        catch (DomainException ex) { Assert.Equal(ErrorCodes.InsufficientScope, ex.Code); return ex.Message; }
    }

    [Theory]
    [InlineData(50, 60, false)] // fewer per window: tighter
    [InlineData(100, 120, false)] // same burst, slower refill: tighter
    [InlineData(101, 60, true)] // bigger burst
    [InlineData(100, 30, true)] // faster refill
    [InlineData(50, 20, true)] // smaller burst but faster refill (2.5/s > 1.67/s)
    public void A_rate_limit_is_looser_when_its_burst_or_its_refill_grows(int limit, int window, bool looser)
    {
        var before = Key();
        var after = before with { RateLimit = new RateLimitPolicy(limit, window) };
        var refusal = Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, before with { LimitsAuthority = [Caller.AdminScope] }, after));
        Assert.Equal(looser, refusal is not null);
        if (looser) Assert.Contains("rateLimit", refusal);
    }

    [Theory]
    [InlineData(999, "day", false)]
    [InlineData(1001, "day", true)]
    [InlineData(10, "month", true)] // a change of period is never tighter: the new counter starts at zero
    public void A_quota_is_tighter_only_within_the_same_period(long limit, string period, bool looser)
    {
        var before = Key() with { LimitsAuthority = [Caller.AdminScope] };
        var refusal = Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, before, before with { Quota = new QuotaPolicy(limit, period) }));
        Assert.Equal(looser, refusal is not null);
    }

    [Theory]
    [InlineData(new[] { "10.1.0.0/16" }, false)]
    [InlineData(new[] { "10.1.2.3/32", "10.200.0.0/16" }, false)]
    [InlineData(new[] { "10.0.0.0/7" }, true)]
    [InlineData(new[] { "11.0.0.1/32" }, true)]
    [InlineData(new[] { "2001:db8::/32" }, true)]
    [InlineData(new string[0], true)] // an empty list allows every address
    public void An_allow_list_is_tighter_only_when_every_network_lies_inside_the_old_one(string[] allowedIps, bool looser)
    {
        var before = Key() with { LimitsAuthority = [Caller.AdminScope] };
        var refusal = Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, before, before with { AllowedIps = allowedIps }));
        Assert.Equal(looser, refusal is not null);
    }

    [Fact]
    public void Removing_a_limit_or_moving_the_expiry_later_is_loosening()
    {
        var before = Key() with { LimitsAuthority = [Caller.AdminScope] };
        Assert.NotNull(Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, before, before with { RateLimit = null })));
        Assert.NotNull(Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, before, before with { Quota = null })));
        Assert.NotNull(Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, before, before with { ExpiresAt = null })));
        Assert.NotNull(Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, before, before with { ExpiresAt = before.ExpiresAt!.Value.AddSeconds(1) })));
        Assert.Null(Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, before, before with { ExpiresAt = before.ExpiresAt!.Value.AddSeconds(-1) })));
    }

    [Fact]
    public void A_weaker_caller_that_tightens_does_not_become_the_one_who_may_loosen()
    {
        var setByAdmin = Key() with { LimitsAuthority = [Caller.AdminScope], LimitsSetBy = Admin.KeyId };
        var tightened = KeyAuthority.WithLimitsSetBy(Writer, setByAdmin, setByAdmin with { RateLimit = new RateLimitPolicy(10, 60) });
        Assert.Equal([Caller.AdminScope], tightened.LimitsAuthority);
        Assert.Equal(Admin.KeyId, tightened.LimitsSetBy);
        Assert.NotNull(Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, tightened, tightened with { RateLimit = new RateLimitPolicy(100, 60) })));

        var loosenedByAdmin = KeyAuthority.WithLimitsSetBy(Admin, tightened, tightened with { RateLimit = null });
        Assert.Equal([Caller.AdminScope], loosenedByAdmin.LimitsAuthority);
    }

    [Fact]
    public void A_caller_with_the_recorded_authority_may_loosen_up_to_its_own_limits_and_no_further()
    {
        var mine = Key() with { RateLimit = new RateLimitPolicy(10, 60) };
        var loosened = KeyAuthority.WithLimitsSetBy(Writer, mine, mine with { RateLimit = new RateLimitPolicy(100, 60) });
        Assert.Equal(Writer.KeyId, loosened.LimitsSetBy);
        Assert.NotNull(Refusal(() => KeyAuthority.WithLimitsSetBy(Writer, mine, mine with { RateLimit = new RateLimitPolicy(200, 60) })));
    }

    [Fact]
    public void A_new_key_inherits_the_callers_limits_and_cannot_exceed_them()
    {
        var bare = Key() with { RateLimit = null, Quota = null, AllowedIps = [], ExpiresAt = null };
        var bounded = KeyAuthority.WithinCallersLimits(Writer, bare);
        Assert.Equal(Writer.RateLimit, bounded.RateLimit);
        Assert.Equal(Writer.Quota, bounded.Quota);
        Assert.Equal(Writer.AllowedIps, bounded.AllowedIps);
        Assert.Equal(Writer.ExpiresAt, bounded.ExpiresAt);
        Assert.NotNull(Refusal(() => KeyAuthority.WithinCallersLimits(Writer, bare with { ExpiresAt = Now.AddDays(31) })));
        Assert.Same(bare, KeyAuthority.WithinCallersLimits(Admin, bare));
    }

    [Fact]
    public void Scopes_bound_what_a_caller_may_grant_and_change()
    {
        Assert.Null(Refusal(() => KeyAuthority.EnsureMayGrant(Writer, ["models:read"])));
        Assert.Contains("models:write", Refusal(() => KeyAuthority.EnsureMayGrant(Writer, ["models:read", "models:write"])));
        Assert.NotNull(Refusal(() => KeyAuthority.EnsureMayChange(Writer, Key() with { Scopes = ["billing:read"] })));
        Assert.Null(Refusal(() => KeyAuthority.EnsureMayChange(Admin, Key() with { Scopes = ["billing:read"] })));
    }

    [Fact]
    public void Non_admins_see_only_their_owner_and_environment_and_never_admin_keys()
    {
        Assert.True(KeyAuthority.CanSee(Writer, Key()));
        Assert.False(KeyAuthority.CanSee(Writer, Key() with { Owner = "bob" }));
        Assert.False(KeyAuthority.CanSee(Writer, Key() with { Environment = KeyEnvironment.Test }));
        Assert.False(KeyAuthority.CanSee(Writer, Key() with { Scopes = [Caller.AdminScope] }));
        Assert.True(KeyAuthority.CanSee(Admin, Key() with { Owner = "bob" }));
        Assert.Equal(KeyEnvironment.Live, KeyAuthority.EnvironmentFor(Writer, null));
        Assert.NotNull(Refusal(() => KeyAuthority.EnvironmentFor(Writer, KeyEnvironment.Test)));
    }
}
