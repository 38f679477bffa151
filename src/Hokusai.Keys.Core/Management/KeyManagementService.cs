using Hokusai.Keys.Domain;
using Hokusai.Keys.Security;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Validation;

namespace Hokusai.Keys.Management;

/// <summary>
/// Create, read, list, update, revoke, suspend, resume and rotate keys, with audit events. Every change is checked
/// against what the caller holds (<see cref="KeyAuthority"/>); every key's lifetime against <see cref="KeyAgePolicy"/>.
/// </summary>
public sealed class KeyManagementService(IKeyStore store, IKeySnapshotCache cache, ISecretHasher hasher, TimeProvider time, KeyAgePolicy? agePolicy = null)
{
    private readonly KeyAgePolicy _agePolicy = agePolicy ?? KeyAgePolicy.Default;

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;
    public const int MaxEventPageSize = 100;

    /// <summary>
    /// A successor still pending this long after it was written belongs to a rotation that died between linking and
    /// activating it (a rotation takes well under a second; storage timeouts bound it far below this). Only then may
    /// another rotation retire it and take its place.
    /// </summary>
    public static readonly TimeSpan AbandonedRotationAge = TimeSpan.FromMinutes(2);

    private const int MaxConcurrencyRetries = 5;

    public async Task<CreatedKey> CreateAsync(CreateKeyRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new KeyRules.Errors();
        var name = KeyRules.CheckName(request.Name, errors);
        // A key an admin creates without an owner is its own owner (its id): it shares nothing with any other key.
        var owner = request.Owner ?? (caller.IsAdmin ? null : caller.Owner);
        if (owner is not null && owner != caller.Owner && !caller.IsAdmin)
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.Forbidden, "Only admin keys may create keys for another owner.");
        if (owner is not null) KeyRules.CheckOwner(owner, errors);
        KeyEnvironment? requestedEnvironment = null;
        if (request.Environment is not null)
        {
            if (KeyEnvironmentNames.TryParse(request.Environment, out var parsed)) requestedEnvironment = parsed;
            else errors.Add("environment", "must be 'live' or 'test'");
        }
        var scopes = KeyRules.CheckScopes(request.Scopes, errors);
        var rateLimit = KeyRules.CheckRateLimit(request.RateLimit, errors);
        var quota = KeyRules.CheckQuota(request.Quota, errors);
        var allowedIps = KeyRules.CheckAllowedIps(request.AllowedIps, errors);
        var metadata = KeyRules.CheckMetadata(request.Metadata, errors);
        var expiresAt = KeyRules.CheckExpiry(request.ExpiresAt, request.ExpiresInSeconds, now, errors);
        if (!errors.Any) expiresAt = _agePolicy.ApplyTo(scopes, now, expiresAt, request.ExpiresInSeconds is null ? "expiresAt" : "expiresInSeconds", errors);
        errors.ThrowIfAny();
        KeyAuthority.EnsureMayGrant(caller, scopes);
        var environment = KeyAuthority.EnvironmentFor(caller, requestedEnvironment);

        var generated = ApiKeyFormat.Generate(environment);
        var record = KeyAuthority.WithinCallersLimits(caller, new ApiKeyRecord
        {
            Id = generated.KeyId,
            Name = name!,
            Owner = owner ?? generated.KeyId,
            Environment = environment,
            Scopes = scopes,
            RateLimit = rateLimit,
            Quota = quota,
            QuotaId = generated.KeyId,
            AllowedIps = allowedIps,
            LimitsAuthority = KeyAuthority.AuthorityOf(caller),
            LimitsSetBy = caller.KeyId,
            Metadata = metadata,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            SecretHash = hasher.Hash(generated.Secret),
            HashScheme = hasher.Scheme,
        });
        await store.CreateAsync(record, KeyEvent.Create(KeyEventTypes.Created, record.Id, caller, now), cancellationToken);
        return new CreatedKey(record, generated);
    }

    public async Task<ApiKeyRecord> GetAsync(string keyId, Caller caller, CancellationToken cancellationToken) =>
        (await GetVisibleAsync(keyId, caller, cancellationToken)).Record;

    /// <summary>Most listing rows one page request reads, whatever its filter matches.</summary>
    public const int MaxRowsScannedPerPage = 100;

    public async Task<KeyListResult> ListAsync(string? owner, string? status, int? limit, string? cursor, Caller caller, CancellationToken cancellationToken)
    {
        var errors = new KeyRules.Errors();
        var pageSize = limit ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize) errors.Add("limit", $"must be 1–{MaxPageSize}");
        KeyStatus? statusFilter = null;
        if (status is not null)
        {
            if (KeyStatusNames.TryParse(status, out var parsed)) statusFilter = parsed;
            else errors.Add("status", "must be active, suspended, revoked or expired");
        }
        if (owner is not null) KeyRules.CheckOwner(owner, errors);
        if (cursor is not null && !KeyListCursor.TryDecode(cursor, out _)) errors.Add("cursor", "is not a cursor this API returned");
        errors.ThrowIfAny();

        if (owner is not null && !caller.CanList(owner))
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.Forbidden, "Only admin keys may list another owner's keys.");
        var listOwner = owner ?? (caller.IsAdmin ? null : caller.Owner);

        KeyListCursor.TryDecode(cursor, out var position);
        var now = time.GetUtcNow();
        var items = new List<ListedKey>(pageSize + 1);
        var hasMore = true;
        var scanned = 0;
        // A filter that matches few keys must not read an owner's whole listing in one request: past the scan bound the
        // page ends early (fewer items than the limit, even none) with a cursor after the last row read.
        while (items.Count <= pageSize && hasMore && scanned < MaxRowsScannedPerPage)
        {
            var page = await store.ListAsync(listOwner, position, Math.Min(pageSize + 1, MaxRowsScannedPerPage - scanned), cancellationToken);
            foreach (var listed in page.Items)
            {
                scanned++;
                position = listed.Position;
                if (KeyAuthority.CanSee(caller, listed.Record) && (statusFilter is null || listed.Record.StatusAt(now) == statusFilter)) items.Add(listed);
                if (items.Count > pageSize) break;
            }
            hasMore = page.HasMore;
        }
        string? next = null;
        if (items.Count > pageSize)
        {
            items.RemoveAt(items.Count - 1);
            next = KeyListCursor.Encode(items[^1].Position);
        }
        else if (hasMore && position is not null)
        {
            next = KeyListCursor.Encode(position);
        }
        return new KeyListResult(items.ConvertAll(i => i.Record), next);
    }

    /// <summary>The key's audit events, newest first, for a caller that may see the key.</summary>
    public async Task<KeyEventPage> ListEventsAsync(string keyId, int? limit, string? cursor, Caller caller, CancellationToken cancellationToken)
    {
        var errors = new KeyRules.Errors();
        var pageSize = limit ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxEventPageSize) errors.Add("limit", $"must be 1–{MaxEventPageSize}");
        if (!KeyListCursor.TryDecode(cursor, out var position)) errors.Add("cursor", "is not a cursor this API returned");
        errors.ThrowIfAny();

        await GetVisibleAsync(keyId, caller, cancellationToken);
        var (items, next) = await store.ListEventsAsync(keyId, position, pageSize, cancellationToken);
        return new KeyEventPage(items, next is null ? null : KeyListCursor.Encode(next));
    }

    public Task<ApiKeyRecord> UpdateAsync(string keyId, UpdateKeyRequest request, Caller caller, CancellationToken cancellationToken) =>
        ChangeAsync(keyId, caller, (record, now) =>
        {
            // Dead keys stay dead: an expired key cannot be brought back by moving its expiry.
            EnsureChangeable(record, now, allowExpired: false);
            var errors = new KeyRules.Errors();
            var changed = new List<string>();
            var updated = record;
            if (request.HasName) { updated = updated with { Name = KeyRules.CheckName(request.Name, errors) ?? record.Name }; changed.Add("name"); }
            if (request.HasScopes) { updated = updated with { Scopes = KeyRules.CheckScopes(request.Scopes, errors) }; changed.Add("scopes"); }
            if (request.HasRateLimit) { updated = updated with { RateLimit = KeyRules.CheckRateLimit(request.RateLimit, errors) }; changed.Add("rateLimit"); }
            if (request.HasQuota) { updated = updated with { Quota = KeyRules.CheckQuota(request.Quota, errors) }; changed.Add("quota"); }
            if (request.HasAllowedIps) { updated = updated with { AllowedIps = KeyRules.CheckAllowedIps(request.AllowedIps, errors) }; changed.Add("allowedIps"); }
            if (request.HasExpiresAt)
            {
                updated = updated with { ExpiresAt = request.ExpiresAt is null ? null : KeyRules.CheckExpiry(request.ExpiresAt, null, now, errors) };
                changed.Add("expiresAt");
            }
            if (request.HasMetadata) { updated = updated with { Metadata = KeyRules.CheckMetadata(request.Metadata, errors) }; changed.Add("metadata"); }
            if (request.HasLeakPolicy) { updated = updated with { LeakPolicy = KeyRules.CheckLeakPolicy(request.LeakPolicy, errors) }; changed.Add("leakPolicy"); }
            // The age policy holds for a key whose expiry changes or whose scopes move it to a stricter class: an expiry
            // past its max-age date, or none, is refused.
            if (!errors.Any && _agePolicy.MaxAgeFor(updated.Scopes) is { } maxAge
                && (request.HasExpiresAt || (request.HasScopes && (_agePolicy.MaxAgeFor(record.Scopes) is not { } before || maxAge < before))))
                _agePolicy.ApplyTo(updated.Scopes, record.CreatedAt, updated.ExpiresAt ?? DateTimeOffset.MaxValue, "expiresAt", errors);
            errors.ThrowIfAny();

            if (request.HasScopes) KeyAuthority.EnsureMayGrant(caller, updated.Scopes);
            // A rotated key lives out its grace period and no longer.
            if (request.HasExpiresAt && record.RotatedToId is not null && (updated.ExpiresAt is null || updated.ExpiresAt > record.ExpiresAt))
                throw AlreadyRotated(record);
            if (request.HasRateLimit || request.HasQuota || request.HasAllowedIps || request.HasExpiresAt || request.HasLeakPolicy)
                updated = KeyAuthority.WithLimitsSetBy(caller, record, updated);
            var data = new Dictionary<string, string> { ["fields"] = string.Join(',', changed) };
            return (updated, KeyEvent.Create(KeyEventTypes.Updated, record.Id, caller, now, data));
        }, cancellationToken);

    /// <summary>Idempotent: revoking a revoked key returns it unchanged.</summary>
    public Task<ApiKeyRecord> RevokeAsync(string keyId, Caller caller, CancellationToken cancellationToken) =>
        ChangeAsync(keyId, caller, (record, now) =>
            record.RevokedAt is not null
                ? (record, null)
                : (record with { RevokedAt = now }, KeyEvent.Create(KeyEventTypes.Revoked, record.Id, caller, now)),
            cancellationToken);

    /// <summary>
    /// Suspends a key: it answers SUSPENDED everywhere within a second, keeps its quota, usage and history, and can be
    /// resumed. Idempotent: suspending a suspended key returns it unchanged. A revoked or expired key cannot be suspended (409).
    /// </summary>
    public Task<ApiKeyRecord> SuspendAsync(string keyId, Caller caller, CancellationToken cancellationToken) =>
        ChangeAsync(keyId, caller, (record, now) =>
        {
            EnsureChangeable(record, now, allowExpired: false);
            // Suspending again is a no-op, unless the caller holds more authority than whoever suspended the key: then
            // the suspension becomes the caller's, and only a caller as strong may resume it.
            if (record.SuspendedAt is not null && !KeyAuthority.Exceeds(caller, record.SuspensionAuthority)) return (record, null);
            return (record with { SuspendedAt = record.SuspendedAt ?? now, SuspensionAuthority = KeyAuthority.AuthorityOf(caller) },
                KeyEvent.Create(KeyEventTypes.Suspended, record.Id, caller, now));
        }, cancellationToken);

    /// <summary>
    /// Resumes a suspended key. Idempotent: resuming a key that is not suspended returns it unchanged. Revocation and
    /// expiry stay final: a revoked or expired key cannot be resumed (409).
    /// </summary>
    public Task<ApiKeyRecord> ResumeAsync(string keyId, Caller caller, CancellationToken cancellationToken) =>
        ChangeAsync(keyId, caller, (record, now) =>
        {
            EnsureChangeable(record, now, allowExpired: false);
            if (record.SuspendedAt is not null) KeyAuthority.EnsureMayResume(caller, record);
            return record.SuspendedAt is not { } suspendedAt
                ? (record, null)
                : (record with { SuspendedAt = null }, KeyEvent.Create(KeyEventTypes.Resumed, record.Id, caller, now,
                    new Dictionary<string, string> { ["suspendedAt"] = suspendedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }));
        }, cancellationToken);

    /// <summary>
    /// A leak of <paramref name="keyId"/> was reported by someone who presented the key (its secret already verified):
    /// an active key is revoked, or under <see cref="KeyLeakPolicy.Notify"/> flagged (it keeps working), with one
    /// <c>key.leaked</c> event; on the existing revoke path (ETag, invalidation everywhere, outbox). Idempotent: a key
    /// that is no longer active, or already flagged, is left alone.
    /// </summary>
    public async Task<LeakOutcome> ReportLeakAsync(string keyId, LeakReport report, CancellationToken cancellationToken)
    {
        var outcome = LeakOutcome.NotActive;
        var caller = Caller.LeakReporter(report.Reporter, report.ReporterIp);
        await ChangeAsync(keyId, caller, (record, now) =>
        {
            // A suspended key may be resumed, so its leak counts as one of an active key.
            if (record.StatusAt(now) is not (KeyStatus.Active or KeyStatus.Suspended))
            {
                outcome = LeakOutcome.NotActive;
                return (record, null);
            }
            if (record.LeakPolicy == KeyLeakPolicy.Notify && record.LeakedAt is not null)
            {
                outcome = LeakOutcome.AlreadyFlagged;
                return (record, null);
            }
            var revoke = record.LeakPolicy == KeyLeakPolicy.Revoke;
            outcome = revoke ? LeakOutcome.Revoked : LeakOutcome.Flagged;
            var data = new Dictionary<string, string>
            {
                ["action"] = revoke ? "revoked" : "flagged",
                ["reporter"] = report.Reporter,
            };
            if (revoke) data["reason"] = "leaked";
            if (report.Url is not null) data["url"] = report.Url;
            if (report.Source is not null) data["source"] = report.Source;
            var updated = record with { LeakedAt = now, RevokedAt = revoke ? now : record.RevokedAt };
            return (updated, KeyEvent.Create(KeyEventTypes.Leaked, record.Id, caller, now, data));
        }, cancellationToken);
        return outcome;
    }

    /// <summary>
    /// Rotation as a state machine of ETag-guarded steps, so that any number of concurrent rotations of one key yield
    /// exactly one successor: (1) the successor is written pending (invisible); (2) the predecessor is linked to it —
    /// the one write all concurrent rotations race for; (3) the successor is activated, guarded by the ETag it was
    /// written with. Only a rotation that linked may activate, and a pending successor is retired (conditionally) only
    /// by a later rotation that finds it abandoned, so a key that was handed out is never deleted and one that was
    /// deleted is never handed out.
    /// </summary>
    public async Task<RotatedKey> RotateAsync(string keyId, RotateKeyRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new KeyRules.Errors();
        var grace = KeyRules.CheckGracePeriod(request.GracePeriodSeconds, errors);
        var newLifetime = request.ExpiresAt is not null || request.ExpiresInSeconds is not null;
        var newExpiry = KeyRules.CheckExpiry(request.ExpiresAt, request.ExpiresInSeconds, now, errors);
        errors.ThrowIfAny();

        var current = (await GetVisibleAsync(keyId, caller, cancellationToken)).Record;
        KeyAuthority.EnsureMayChange(caller, current);
        EnsureChangeable(current, now, allowExpired: false);
        EnsureNotSuspended(current);
        var replaceable = await ReplaceableSuccessorAsync(current, cancellationToken);

        var generated = ApiKeyFormat.Generate(current.Environment);
        var successor = current with
        {
            Id = generated.KeyId,
            CreatedAt = now,
            RevokedAt = null,
            LastUsedAt = null,
            RotatedFromId = current.Id,
            // The successor draws on the same rate-limit bucket and quota: a rotation must not reset either.
            QuotaId = current.QuotaId ?? current.Id,
            RotatedToId = null,
            // A new secret: the predecessor's leak is not the successor's.
            LeakedAt = null,
            SecretHash = hasher.Hash(generated.Secret),
            HashScheme = hasher.Scheme,
            IsPending = true,
        };
        if (newLifetime)
        {
            newExpiry = _agePolicy.ApplyTo(successor.Scopes, now, newExpiry, request.ExpiresInSeconds is null ? "expiresAt" : "expiresInSeconds", errors);
            errors.ThrowIfAny();
            successor = KeyAuthority.WithLimitsSetBy(caller, current, successor with { ExpiresAt = newExpiry });
        }
        else
        {
            successor = successor with { ExpiresAt = InheritedExpiry(current, now) };
        }
        KeyAuthority.EnsureMayRotate(caller, successor);

        // 1. Written pending: invisible to validation and management until step 3.
        var successorEtag = await store.CreateAsync(successor,
            KeyEvent.Create(KeyEventTypes.Created, successor.Id, caller, now, new Dictionary<string, string> { ["rotatedFromId"] = current.Id }),
            cancellationToken);

        // 2. Link the predecessor. Of concurrent rotations, the first write wins; the others re-read and see it linked.
        // From here on the caller's cancellation is ignored: a rotation half done is worse than one finished late.
        ApiKeyRecord previous;
        try
        {
            previous = await ChangeAsync(keyId, caller, (record, at) =>
            {
                if (record.RotatedToId == successor.Id) return (record, null); // linked by an earlier attempt of this loop
                EnsureChangeable(record, at, allowExpired: false);
                EnsureNotSuspended(record);
                if (record.RotatedToId is { } linked && linked != replaceable) throw AlreadyRotated(record);
                // The successor was copied from the first read: a change since then (say, a scope removed) must not
                // be undone by the rotation.
                if (!GrantsTheSame(record, current))
                    throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.ConcurrentUpdate, $"Key '{keyId}' changed while it was being rotated; rotate again.");
                var graceEnd = at + grace;
                var updated = record with
                {
                    RotatedToId = successor.Id,
                    ExpiresAt = grace == TimeSpan.Zero ? record.ExpiresAt : record.ExpiresAt is { } e && e < graceEnd ? e : graceEnd,
                    RevokedAt = grace == TimeSpan.Zero ? at : null,
                };
                var data = new Dictionary<string, string>
                {
                    ["rotatedToId"] = successor.Id,
                    ["gracePeriodSeconds"] = ((long)grace.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                return (updated, KeyEvent.Create(KeyEventTypes.Rotated, record.Id, caller, at, data));
            }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is DomainException or ConcurrencyConflictException)
        {
            // Certainly not linked, so never handed out: remove it as written (a conditional delete). After any other
            // failure the link may have landed; the pending successor then waits for AbandonedRotationAge.
            await store.DeleteAsync(successor.Id, successorEtag, CancellationToken.None);
            throw;
        }

        // 3. Activate. Only a rotation that found this one abandoned can have changed the successor since step 1.
        var active = successor with { IsPending = false };
        try
        {
            await store.ReplaceAsync(active, successorEtag, null, CancellationToken.None);
        }
        catch (ConcurrencyConflictException)
        {
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.ConcurrentUpdate,
                $"The rotation of key '{keyId}' took too long and was taken over; its new key never became valid. Rotate again.");
        }
        await cache.InvalidateAsync(active.Id, CancellationToken.None);
        return new RotatedKey(active, generated, previous);
    }

    /// <summary>
    /// Null when the key was never rotated. Otherwise the id of a successor a new rotation may replace — one that is gone,
    /// or pending for longer than <see cref="AbandonedRotationAge"/> (then retired here first, guarded by its ETag, so the
    /// rotation that wrote it can no longer activate it) — or KEY_ALREADY_ROTATED.
    /// </summary>
    private async Task<string?> ReplaceableSuccessorAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        if (record.RotatedToId is not { } successorId) return null;
        var successor = await store.GetAsync(successorId, cancellationToken);
        if (successor is null) return successorId;
        if (!successor.Record.IsPending || time.GetUtcNow() - successor.Record.CreatedAt < AbandonedRotationAge) throw AlreadyRotated(record);
        if (await store.DeleteAsync(successorId, successor.ETag, cancellationToken)) return successorId;
        // It changed meanwhile: activated (so the key is rotated) or retired by another rotation.
        return await store.GetAsync(successorId, cancellationToken) is null ? successorId : throw AlreadyRotated(record);
    }

    /// <summary>
    /// The expiry a successor rotated in without a new lifetime gets: the predecessor's, except that an expiry the age
    /// policy gave (the predecessor's max-age date) is renewed from now, and none is later than the successor's own max-age date.
    /// </summary>
    private DateTimeOffset? InheritedExpiry(ApiKeyRecord current, DateTimeOffset now)
    {
        if (_agePolicy.MaxAgeFor(current.Scopes) is not { } age) return current.ExpiresAt;
        var limit = now + age;
        return current.ExpiresAt is not { } expires || expires == _agePolicy.MaxAgeDate(current) || expires > limit ? limit : expires;
    }

    /// <summary>True when both records give a key the same authority: what a successor copies from its predecessor.</summary>
    private static bool GrantsTheSame(ApiKeyRecord a, ApiKeyRecord b) =>
        a.Owner == b.Owner && a.Environment == b.Environment && a.Name == b.Name && a.ExpiresAt == b.ExpiresAt && a.SuspendedAt == b.SuspendedAt
        && Equals(a.RateLimit, b.RateLimit) && Equals(a.Quota, b.Quota) && a.LeakPolicy == b.LeakPolicy
        && a.Scopes.SequenceEqual(b.Scopes) && a.AllowedIps.SequenceEqual(b.AllowedIps) && a.LimitsAuthority.SequenceEqual(b.LimitsAuthority)
        && a.Metadata.Count == b.Metadata.Count && a.Metadata.All(m => b.Metadata.TryGetValue(m.Key, out var v) && v == m.Value);

    private static DomainException AlreadyRotated(ApiKeyRecord record) =>
        new(DomainErrorKind.Conflict, ErrorCodes.KeyAlreadyRotated, $"Key '{record.Id}' was already rotated to '{record.RotatedToId}'; rotate that key instead.");

    private static void EnsureChangeable(ApiKeyRecord record, DateTimeOffset now, bool allowExpired)
    {
        var status = record.StatusAt(now);
        if (status == KeyStatus.Revoked)
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.KeyRevoked, $"Key '{record.Id}' is revoked and cannot be changed.");
        if (status == KeyStatus.Expired && !allowExpired)
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.KeyExpired, $"Key '{record.Id}' has expired; create a new key instead.");
    }

    /// <summary>A suspended key is not rotated: its successor would be handed out working. Resume it first.</summary>
    private static void EnsureNotSuspended(ApiKeyRecord record)
    {
        if (record.SuspendedAt is not null)
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.KeySuspended, $"Key '{record.Id}' is suspended; resume it before rotating it.");
    }

    private async Task<StoredKey> GetVisibleAsync(string keyId, Caller caller, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsValidKeyId(keyId)) throw DomainException.KeyNotFound(Shorten(keyId));
        var stored = await store.GetAsync(keyId, cancellationToken);
        if (stored is null || stored.Record.IsPending || !KeyAuthority.CanSee(caller, stored.Record)) throw DomainException.KeyNotFound(keyId);
        return stored;
    }

    /// <summary>
    /// Read-modify-write with ETag retries, refused unless the caller may change the key as read; invalidates every
    /// cache level after a change.
    /// </summary>
    private async Task<ApiKeyRecord> ChangeAsync(
        string keyId, Caller caller, Func<ApiKeyRecord, DateTimeOffset, (ApiKeyRecord Updated, KeyEvent? Event)> change,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await GetVisibleAsync(keyId, caller, cancellationToken);
            KeyAuthority.EnsureMayChange(caller, stored.Record);
            var (updated, evt) = change(stored.Record, time.GetUtcNow());
            if (evt is null)
            {
                // Nothing to change, but invalidate again: this may be the retry of a change whose invalidation failed (503).
                await cache.InvalidateAsync(keyId, CancellationToken.None);
                return stored.Record;
            }
            try
            {
                await store.ReplaceAsync(updated, stored.ETag, evt, cancellationToken);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxConcurrencyRetries)
            {
                continue;
            }
            catch (ConcurrencyConflictException)
            {
                throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.ConcurrentUpdate, $"Key '{keyId}' is being changed by another request; try again.");
            }
            // The change is committed: its invalidation must not be cancelled with the request, or a revoked key would
            // stay valid in the caches.
            await cache.InvalidateAsync(keyId, CancellationToken.None);
            return updated;
        }
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
