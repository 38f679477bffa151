using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;

namespace Hokusai.Keys.Core.Tests;

public class KeyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("CI deploy key", true)]
    [InlineData("tab\there", false)]
    public void Names(string? name, bool ok)
    {
        var errors = new KeyRules.Errors();
        KeyRules.CheckName(name, errors);
        Assert.Equal(!ok, errors.Any);
    }

    [Fact]
    public void Name_of_101_characters_is_too_long()
    {
        var errors = new KeyRules.Errors();
        KeyRules.CheckName(new string('a', 101), errors);
        Assert.True(errors.Any);
    }

    [Theory]
    [InlineData("user-42", true)]
    [InlineData("team.ml@example.com", true)]
    [InlineData("a/b", false)]
    [InlineData("a#b", false)]
    [InlineData("~all", false)]
    [InlineData("", false)]
    [InlineData("zed\n", false)]
    [InlineData("zed\r\n", false)]
    [InlineData("\nzed", false)]
    [InlineData("z\u0000d", false)]
    public void Owners_cannot_contain_table_key_characters(string owner, bool ok) => Assert.Equal(ok, KeyRules.IsValidOwner(owner));

    [Fact]
    public void An_owner_of_128_characters_is_valid_and_129_is_not()
    {
        Assert.True(KeyRules.IsValidOwner(new string('o', 128)));
        Assert.False(KeyRules.IsValidOwner(new string('o', 129)));
    }

    [Theory]
    [InlineData("models:read", true)]
    [InlineData("models:*", true)]
    [InlineData("a", true)]
    [InlineData("admin\n", false)]
    [InlineData("models:read\n", false)]
    [InlineData("models:read\r", false)]
    [InlineData("*", false)]
    [InlineData(":read", false)]
    [InlineData("models read", false)]
    [InlineData("models:réad", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Scopes_are_exactly_the_scope_alphabet(string? scope, bool ok)
    {
        Assert.Equal(ok, KeyRules.IsValidScope(scope));
        var errors = new KeyRules.Errors();
        KeyRules.CheckScopes([scope!], errors);
        Assert.Equal(!ok, errors.Any);
    }

    [Theory]
    [InlineData("team", true)]
    [InlineData("_internal.v1:x-y", true)]
    [InlineData("k\n", false)]
    [InlineData("k\t", false)]
    [InlineData("k v", false)]
    [InlineData("", false)]
    public void Metadata_keys_are_exactly_the_key_alphabet(string key, bool ok)
    {
        Assert.Equal(ok, KeyRules.IsValidMetadataKey(key));
        var errors = new KeyRules.Errors();
        KeyRules.CheckMetadata(new Dictionary<string, string> { [key] = "v" }, errors);
        Assert.Equal(!ok, errors.Any);
    }

    [Fact]
    public void Scopes_are_deduplicated_and_checked()
    {
        var errors = new KeyRules.Errors();
        var scopes = KeyRules.CheckScopes(["models:read", "models:read", "keys:write"], errors);
        Assert.False(errors.Any);
        Assert.Equal(["models:read", "keys:write"], scopes);
        KeyRules.CheckScopes(["has space"], errors);
        Assert.True(errors.Any);
    }

    [Theory]
    [InlineData(0, 60, false)]
    [InlineData(100, 0, false)]
    [InlineData(100, 60, true)]
    [InlineData(10000, 2678400, true)]
    [InlineData(10000, 2678401, false)]
    public void Rate_limits(int limit, int window, bool ok)
    {
        var errors = new KeyRules.Errors();
        KeyRules.CheckRateLimit(new RateLimitPolicy(limit, window), errors);
        Assert.Equal(!ok, errors.Any);
    }

    [Fact]
    public void Expiry_must_be_future_bounded_and_not_given_twice()
    {
        var errors = new KeyRules.Errors();
        Assert.Equal(Now.AddSeconds(60), KeyRules.CheckExpiry(null, 60, Now, errors));
        Assert.False(errors.Any);
        KeyRules.CheckExpiry(Now.AddSeconds(-1), null, Now, errors);
        Assert.True(errors.Any);
        errors = new KeyRules.Errors();
        KeyRules.CheckExpiry(Now.AddYears(11), null, Now, errors);
        Assert.True(errors.Any);
        errors = new KeyRules.Errors();
        KeyRules.CheckExpiry(Now.AddDays(1), 60, Now, errors);
        Assert.True(errors.Any);
    }

    [Fact]
    public void Metadata_is_bounded()
    {
        var errors = new KeyRules.Errors();
        KeyRules.CheckMetadata(Enumerable.Range(0, 33).ToDictionary(i => "k" + i, i => "v"), errors);
        Assert.True(errors.Any);
        errors = new KeyRules.Errors();
        KeyRules.CheckMetadata(new Dictionary<string, string> { ["team"] = new string('x', 257) }, errors);
        Assert.True(errors.Any);
        errors = new KeyRules.Errors();
        KeyRules.CheckMetadata(new Dictionary<string, string> { ["team"] = "ml" }, errors);
        Assert.False(errors.Any);
    }

    [Fact]
    public void Errors_become_one_validation_exception_with_every_field()
    {
        var errors = new KeyRules.Errors();
        errors.Add("name", "is required");
        errors.Add("scopes", "bad");
        var ex = Assert.Throws<DomainException>(errors.ThrowIfAny);
        Assert.Equal(DomainErrorKind.Validation, ex.Kind);
        Assert.Equal(["name", "scopes"], ex.Errors!.Keys.Order());
    }
}
