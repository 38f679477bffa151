using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Management;

/// <summary>Every rule on a key's fields, in one place. Errors are keyed by the JSON field name.</summary>
public static class KeyRules
{
    public const int MaxNameLength = 100;
    public const int MaxScopes = 32;
    public const int MaxMetadataEntries = 32;
    public const int MaxMetadataValueLength = 256;
    public const int MaxRateLimit = 1_000_000_000;
    public const int MaxRateWindowSeconds = 31 * 86_400;
    public const long MaxQuota = 1_000_000_000_000;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan MaxGracePeriod = TimeSpan.FromDays(30);
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromDays(1);

    public const int MaxOwnerLength = 128;
    public const int MaxScopeLength = 64;
    public const int MaxMetadataKeyLength = 64;

    // Character sets, not regexes: "^…$" also matches before a trailing newline, and these values reach response
    // headers and table partition keys, where a control character is a 500 or worse.
    private const string LettersAndDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static readonly SearchValues<char> FirstCharacters = SearchValues.Create(LettersAndDigits);
    private static readonly SearchValues<char> OwnerCharacters = SearchValues.Create(LettersAndDigits + "_.@:-");
    private static readonly SearchValues<char> ScopeCharacters = SearchValues.Create(LettersAndDigits + ":._*-");
    private static readonly SearchValues<char> MetadataKeyCharacters = SearchValues.Create(LettersAndDigits + "_.:-");

    /// <summary>1–128 of letters, digits and <c>_ . @ : -</c>, starting with a letter or digit.</summary>
    public static bool IsValidOwner([NotNullWhen(true)] string? owner) => IsToken(owner, MaxOwnerLength, OwnerCharacters, letterOrDigitFirst: true);

    /// <summary>1–64 of letters, digits and <c>: . _ * -</c>, starting with a letter or digit.</summary>
    public static bool IsValidScope([NotNullWhen(true)] string? scope) => IsToken(scope, MaxScopeLength, ScopeCharacters, letterOrDigitFirst: true);

    /// <summary>1–64 of letters, digits and <c>_ . : -</c>.</summary>
    public static bool IsValidMetadataKey([NotNullWhen(true)] string? key) => IsToken(key, MaxMetadataKeyLength, MetadataKeyCharacters, letterOrDigitFirst: false);

    private static bool IsToken(ReadOnlySpan<char> value, int maxLength, SearchValues<char> allowed, bool letterOrDigitFirst) =>
        value.Length >= 1 && value.Length <= maxLength
        && (!letterOrDigitFirst || FirstCharacters.Contains(value[0]))
        && !value.ContainsAnyExcept(allowed);

    public static string? CheckName(string? name, Errors errors)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed)) errors.Add("name", "is required (1–100 characters)");
        else if (trimmed.Length > MaxNameLength) errors.Add("name", $"must be at most {MaxNameLength} characters");
        else if (trimmed.Any(char.IsControl)) errors.Add("name", "must not contain control characters");
        else return trimmed;
        return null;
    }

    public static void CheckOwner(string owner, Errors errors)
    {
        if (!IsValidOwner(owner)) errors.Add("owner", "must be 1–128 characters of letters, digits and _ . @ : -, starting with a letter or digit");
    }

    public static IReadOnlyList<string> CheckScopes(List<string>? scopes, Errors errors)
    {
        if (scopes is null) return [];
        if (scopes.Count > MaxScopes) { errors.Add("scopes", $"at most {MaxScopes} scopes"); return []; }
        var result = new List<string>(scopes.Count);
        foreach (var scope in scopes)
        {
            if (!IsValidScope(scope))
                errors.Add("scopes", $"'{Shorten(scope)}' is not a scope (letters, digits and : . _ * -, at most 64)");
            else if (!result.Contains(scope, StringComparer.Ordinal)) result.Add(scope);
        }
        return result;
    }

    public static RateLimitPolicy? CheckRateLimit(RateLimitPolicy? rateLimit, Errors errors)
    {
        if (rateLimit is null) return null;
        if (rateLimit.Limit is < 1 or > MaxRateLimit) errors.Add("rateLimit.limit", $"must be 1–{MaxRateLimit}");
        if (rateLimit.WindowSeconds is < 1 or > MaxRateWindowSeconds) errors.Add("rateLimit.windowSeconds", $"must be 1–{MaxRateWindowSeconds}");
        return rateLimit;
    }

    public static QuotaPolicy? CheckQuota(QuotaPolicy? quota, Errors errors)
    {
        if (quota is null) return null;
        if (quota.Limit is < 1 or > MaxQuota) errors.Add("quota.limit", $"must be 1–{MaxQuota}");
        if (!QuotaPolicy.IsValidPeriod(quota.Period)) errors.Add("quota.period", "must be 'day' or 'month'");
        return quota;
    }

    public static IReadOnlyList<string> CheckAllowedIps(List<string>? entries, Errors errors)
    {
        if (entries is null) return [];
        if (entries.Count > IpAllowList.MaxEntries) { errors.Add("allowedIps", $"at most {IpAllowList.MaxEntries} entries"); return []; }
        var result = new List<string>(entries.Count);
        foreach (var entry in entries)
        {
            var normalized = IpAllowList.TryNormalize(entry, out var error);
            if (normalized is null) errors.Add("allowedIps", error!);
            else if (!result.Contains(normalized, StringComparer.Ordinal)) result.Add(normalized);
        }
        return result;
    }

    public static KeyLeakPolicy CheckLeakPolicy(string? value, Errors errors)
    {
        if (KeyLeakPolicyNames.TryParse(value, out var policy)) return policy;
        errors.Add("leakPolicy", "must be 'revoke' or 'notify'");
        return KeyLeakPolicy.Revoke;
    }

    public static IReadOnlyDictionary<string, string> CheckMetadata(Dictionary<string, string>? metadata, Errors errors)
    {
        if (metadata is null) return new Dictionary<string, string>();
        if (metadata.Count > MaxMetadataEntries) { errors.Add("metadata", $"at most {MaxMetadataEntries} entries"); return new Dictionary<string, string>(); }
        foreach (var (key, value) in metadata)
        {
            if (!IsValidMetadataKey(key)) errors.Add("metadata", $"key '{Shorten(key)}' must be 1–64 characters of letters, digits and _ . : -");
            if (value is null) errors.Add("metadata", $"value of '{Shorten(key)}' must be a string");
            else if (value.Length > MaxMetadataValueLength) errors.Add("metadata", $"value of '{Shorten(key)}' must be at most {MaxMetadataValueLength} characters");
            else if (value.Any(char.IsControl)) errors.Add("metadata", $"value of '{Shorten(key)}' must not contain control characters");
        }
        return new Dictionary<string, string>(metadata, StringComparer.Ordinal);
    }

    public static DateTimeOffset? CheckExpiry(DateTimeOffset? expiresAt, long? expiresInSeconds, DateTimeOffset now, Errors errors)
    {
        if (expiresAt is not null && expiresInSeconds is not null)
        {
            errors.Add("expiresAt", "give expiresAt or expiresInSeconds, not both");
            return null;
        }
        if (expiresInSeconds is { } seconds)
        {
            if (seconds < 1 || seconds > (long)MaxLifetime.TotalSeconds) { errors.Add("expiresInSeconds", $"must be 1–{(long)MaxLifetime.TotalSeconds}"); return null; }
            return now.AddSeconds(seconds);
        }
        if (expiresAt is { } at)
        {
            if (at <= now) errors.Add("expiresAt", "must be in the future");
            else if (at - now > MaxLifetime) errors.Add("expiresAt", "must be within 10 years");
            else return at.ToUniversalTime();
        }
        return null;
    }

    public static TimeSpan CheckGracePeriod(long? seconds, Errors errors)
    {
        if (seconds is null) return DefaultGracePeriod;
        if (seconds < 0 || seconds > (long)MaxGracePeriod.TotalSeconds)
        {
            errors.Add("gracePeriodSeconds", $"must be 0–{(long)MaxGracePeriod.TotalSeconds}");
            return TimeSpan.Zero;
        }
        return TimeSpan.FromSeconds(seconds.Value);
    }

    private static string Shorten(string? value) => value is null ? "null" : value.Length <= 40 ? value : value[..40] + "…";

    /// <summary>Collects field errors; throws one validation problem with all of them.</summary>
    public sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
            list.Add(message);
        }

        public bool Any => _errors.Count > 0;

        public void ThrowIfAny()
        {
            if (_errors.Count > 0) throw DomainException.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }
}
