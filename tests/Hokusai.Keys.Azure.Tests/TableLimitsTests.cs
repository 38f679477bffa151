using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>The field rules keep every key inside Table Storage's limits, so the adapter never has to refuse input.</summary>
public class TableLimitsTests
{
    [Fact]
    public void The_largest_key_the_field_rules_allow_fits_in_one_entity()
    {
        var errors = new KeyRules.Errors();
        var longest = new string('z', KeyRules.MaxMetadataValueLength);
        var metadata = Enumerable.Range(0, KeyRules.MaxMetadataEntries)
            .ToDictionary(i => $"k{i:D2}".PadRight(64, 'x'), _ => longest.Replace('z', '\u6f22')); // 3 UTF-8 bytes, 1 char
        var record = new ApiKeyRecord
        {
            Id = ApiKeyFormat.NewKeyId(),
            Name = KeyRules.CheckName(new string('n', KeyRules.MaxNameLength), errors)!,
            Owner = "o".PadRight(128, 'w'),
            Environment = KeyEnvironment.Live,
            Scopes = KeyRules.CheckScopes(Enumerable.Range(0, KeyRules.MaxScopes).Select(i => $"s{i:D2}".PadRight(64, 'x')).ToList(), errors),
            AllowedIps = KeyRules.CheckAllowedIps(Enumerable.Range(0, IpAllowList.MaxEntries).Select(i => $"2001:db8:{i:x}:ffff:ffff:ffff:ffff:ffff").ToList(), errors),
            LimitsAuthority = Enumerable.Range(0, KeyRules.MaxScopes).Select(i => $"s{i:D2}".PadRight(64, 'x')).ToList(),
            LimitsSetBy = ApiKeyFormat.NewKeyId(),
            Metadata = KeyRules.CheckMetadata(metadata, errors),
            RateLimit = new RateLimitPolicy(KeyRules.MaxRateLimit, KeyRules.MaxRateWindowSeconds),
            Quota = new QuotaPolicy(KeyRules.MaxQuota, QuotaPolicy.Month),
            QuotaId = ApiKeyFormat.NewKeyId(),
            CreatedAt = DateTimeOffset.UtcNow,
            ExpiresAt = DateTimeOffset.UtcNow,
            RevokedAt = DateTimeOffset.UtcNow,
            LastUsedAt = DateTimeOffset.UtcNow,
            RotatedFromId = ApiKeyFormat.NewKeyId(),
            RotatedToId = ApiKeyFormat.NewKeyId(),
            SecretHash = new string('h', 60),
            HashScheme = "bcrypt",
        };
        Assert.False(errors.Any, "the sample must be valid");

        TableLimits.EnsureEntity(KeyEntities.ToEntity(record));
    }
}
