using Hokusai.Keys.Domain;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Management;

/// <summary>
/// The maximum age of a key by scope class (<see cref="KeyAgeOptions"/>): a key of a limited class lives at most that
/// long from its creation (its max-age date). At creation and rotation a key without an expiry gets its max-age date
/// as expiry, and an expiry past that date is refused. Existing keys are reminded (<c>key.rotation_due</c>)
/// <see cref="ReminderDays"/> days before their max-age date.
/// </summary>
public sealed class KeyAgePolicy(IOptions<KeyAgeOptions> options)
{
    /// <summary>Reminders before the max-age date, in days, earliest first; the last also covers a date just passed.</summary>
    public static IReadOnlyList<int> ReminderDays { get; } = [14, 3];

    /// <summary>How far ahead <c>list-keys --rotation-due</c> looks: the first reminder.</summary>
    public static TimeSpan DueWindow { get; } = TimeSpan.FromDays(14);

    public static KeyAgePolicy Default { get; } = new(Options.Create(new KeyAgeOptions()));

    private readonly KeyAgeOptions _options = options.Value;

    /// <summary>The longest a key with these scopes may live; null when unlimited.</summary>
    public TimeSpan? MaxAgeFor(IReadOnlyList<string> scopes)
    {
        var days = scopes.Contains(Caller.AdminScope) ? _options.Admin
            : scopes.Contains(Caller.WriteScope) || scopes.Contains(Caller.ReadScope) ? _options.KeyManagement
            : _options.Other;
        return days > 0 ? TimeSpan.FromDays(days) : null;
    }

    /// <summary>All the distinct limited maximum ages, for sweeps that look keys up by creation time.</summary>
    public IReadOnlyList<TimeSpan> LimitedAges() =>
        new[] { _options.Admin, _options.KeyManagement, _options.Other }.Where(d => d > 0).Distinct().Select(d => TimeSpan.FromDays(d)).ToList();

    /// <summary>Creation time plus the maximum age of the key's class; null when unlimited.</summary>
    public DateTimeOffset? MaxAgeDate(ApiKeyRecord record) => MaxAgeFor(record.Scopes) is { } age ? record.CreatedAt + age : null;

    /// <summary>
    /// The max-age date of a key that still needs rotating: null when unlimited, or when the key is revoked, expired
    /// or already rotated (its successor carries its own date).
    /// </summary>
    public DateTimeOffset? RotationDueAt(ApiKeyRecord record, DateTimeOffset now) =>
        record.IsPending || record.RotatedToId is not null || record.StatusAt(now) is KeyStatus.Revoked or KeyStatus.Expired ? null : MaxAgeDate(record);

    /// <summary>
    /// The expiry a key created (or rotated in) at <paramref name="createdAt"/> with <paramref name="scopes"/> gets:
    /// <paramref name="expiresAt"/> when within the maximum age, the max-age date when none was asked for; an expiry
    /// past the max-age date is refused (an error on <paramref name="field"/>), not silently shortened.
    /// </summary>
    public DateTimeOffset? ApplyTo(IReadOnlyList<string> scopes, DateTimeOffset createdAt, DateTimeOffset? expiresAt, string field, KeyRules.Errors errors)
    {
        if (MaxAgeFor(scopes) is not { } age) return expiresAt;
        var limit = createdAt + age;
        if (expiresAt is null) return limit;
        if (expiresAt > limit)
        {
            errors.Add(field, $"must be at most {(int)age.TotalDays} days after the key's creation for keys with these scopes ({KeyAgeOptions.SectionName})");
            return null;
        }
        return expiresAt;
    }
}
