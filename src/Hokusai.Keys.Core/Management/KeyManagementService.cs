using Hokusai.Keys.Keys;
using Hokusai.Keys.Security;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Validation;

namespace Hokusai.Keys.Management;

public sealed record CreatedKey(ApiKeyRecord Record, GeneratedApiKey Key);

public sealed record RotatedKey(ApiKeyRecord Record, GeneratedApiKey Key, ApiKeyRecord Previous);

public sealed record KeyListResult(IReadOnlyList<ApiKeyRecord> Items, string? NextCursor);

/// <summary>Create, read, list, update, revoke and rotate keys, with ownership rules and audit events.</summary>
public sealed class KeyManagementService(IKeyStore store, IKeySnapshotCache cache, ISecretHasher hasher, TimeProvider time)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;
    private const int MaxConcurrencyRetries = 5;

    public async Task<CreatedKey> CreateAsync(CreateKeyRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new KeyRules.Errors();
        var name = KeyRules.CheckName(request.Name, errors);
        var owner = request.Owner ?? caller.Owner;
        if (owner != caller.Owner && !caller.IsAdmin)
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.Forbidden, "Only admin keys may create keys for another owner.");
        KeyRules.CheckOwner(owner, errors);
        var environment = KeyEnvironment.Live;
        if (request.Environment is not null && !KeyEnvironmentNames.TryParse(request.Environment, out environment))
            errors.Add("environment", "must be 'live' or 'test'");
        var scopes = KeyRules.CheckScopes(request.Scopes, errors);
        if (scopes.Contains(Caller.AdminScope) && !caller.IsAdmin)
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.Forbidden, "Only admin keys may grant the 'admin' scope.");
        var rateLimit = KeyRules.CheckRateLimit(request.RateLimit, errors);
        var quota = KeyRules.CheckQuota(request.Quota, errors);
        var allowedIps = KeyRules.CheckAllowedIps(request.AllowedIps, errors);
        var metadata = KeyRules.CheckMetadata(request.Metadata, errors);
        var expiresAt = KeyRules.CheckExpiry(request.ExpiresAt, request.ExpiresInSeconds, now, errors);
        errors.ThrowIfAny();

        var generated = ApiKeyFormat.Generate(environment);
        var record = new ApiKeyRecord
        {
            Id = generated.KeyId,
            Name = name!,
            Owner = owner,
            Environment = environment,
            Scopes = scopes,
            RateLimit = rateLimit,
            Quota = quota,
            QuotaId = generated.KeyId,
            AllowedIps = allowedIps,
            Metadata = metadata,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            SecretHash = hasher.Hash(generated.Secret),
            HashScheme = hasher.Scheme,
        };
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
            else errors.Add("status", "must be active, revoked or expired");
        }
        if (owner is not null) KeyRules.CheckOwner(owner, errors);
        if (cursor is not null && !KeyListCursor.TryDecode(cursor, out _)) errors.Add("cursor", "is not a cursor this API returned");
        errors.ThrowIfAny();

        if (owner is not null && !caller.CanSee(owner))
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
                if (statusFilter is null || listed.Record.StatusAt(now) == statusFilter) items.Add(listed);
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

    public Task<ApiKeyRecord> UpdateAsync(string keyId, UpdateKeyRequest request, Caller caller, CancellationToken cancellationToken) =>
        ChangeAsync(keyId, caller, (record, now) =>
        {
            EnsureChangeable(record, now, allowExpired: true);
            var errors = new KeyRules.Errors();
            var changed = new List<string>();
            var updated = record;
            if (request.HasName) { updated = updated with { Name = KeyRules.CheckName(request.Name, errors) ?? record.Name }; changed.Add("name"); }
            if (request.HasScopes)
            {
                var scopes = KeyRules.CheckScopes(request.Scopes, errors);
                if (scopes.Contains(Caller.AdminScope) && !record.Scopes.Contains(Caller.AdminScope) && !caller.IsAdmin)
                    throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.Forbidden, "Only admin keys may grant the 'admin' scope.");
                updated = updated with { Scopes = scopes };
                changed.Add("scopes");
            }
            if (request.HasRateLimit) { updated = updated with { RateLimit = KeyRules.CheckRateLimit(request.RateLimit, errors) }; changed.Add("rateLimit"); }
            if (request.HasQuota) { updated = updated with { Quota = KeyRules.CheckQuota(request.Quota, errors) }; changed.Add("quota"); }
            if (request.HasAllowedIps) { updated = updated with { AllowedIps = KeyRules.CheckAllowedIps(request.AllowedIps, errors) }; changed.Add("allowedIps"); }
            if (request.HasExpiresAt)
            {
                updated = updated with { ExpiresAt = request.ExpiresAt is null ? null : KeyRules.CheckExpiry(request.ExpiresAt, null, now, errors) };
                changed.Add("expiresAt");
            }
            if (request.HasMetadata) { updated = updated with { Metadata = KeyRules.CheckMetadata(request.Metadata, errors) }; changed.Add("metadata"); }
            errors.ThrowIfAny();
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

    public async Task<RotatedKey> RotateAsync(string keyId, RotateKeyRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var errors = new KeyRules.Errors();
        var grace = KeyRules.CheckGracePeriod(request.GracePeriodSeconds, errors);
        errors.ThrowIfAny();

        var current = await GetVisibleAsync(keyId, caller, cancellationToken);
        var now = time.GetUtcNow();
        EnsureChangeable(current.Record, now, allowExpired: false);
        await EnsureNotRotatedAsync(current.Record, cancellationToken);

        // 1. The successor is written first but stays invisible (pending) until its predecessor points at it.
        var generated = ApiKeyFormat.Generate(current.Record.Environment);
        var successor = current.Record with
        {
            Id = generated.KeyId,
            CreatedAt = now,
            RevokedAt = null,
            LastUsedAt = null,
            RotatedFromId = current.Record.Id,
            // The successor draws on the same quota counter: a rotation must not reset a customer's quota.
            QuotaId = current.Record.QuotaId ?? current.Record.Id,
            RotatedToId = null,
            SecretHash = hasher.Hash(generated.Secret),
            HashScheme = hasher.Scheme,
            IsPending = true,
        };
        var successorEtag = await store.CreateAsync(successor,
            KeyEvent.Create(KeyEventTypes.Created, successor.Id, caller, now, new Dictionary<string, string> { ["rotatedFromId"] = current.Record.Id }),
            cancellationToken);

        // 2. Link the predecessor (ETag-guarded); if that loses to a concurrent change, the successor is removed.
        ApiKeyRecord previous;
        try
        {
            previous = await ChangeAsync(keyId, caller, (record, at) =>
            {
                EnsureChangeable(record, at, allowExpired: false);
                if (record.RotatedToId is not null && record.RotatedToId != successor.Id)
                    throw AlreadyRotated(record);
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
            }, cancellationToken);
        }
        catch
        {
            await store.DeleteAsync(successor.Id, CancellationToken.None);
            throw;
        }

        // 3. Make the successor visible.
        var active = successor with { IsPending = false };
        await store.ReplaceAsync(active, successorEtag, null, cancellationToken);
        await cache.InvalidateAsync(active.Id, cancellationToken);
        return new RotatedKey(active, generated, previous);
    }

    private async Task EnsureNotRotatedAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        if (record.RotatedToId is null) return;
        // A successor left pending by an interrupted rotation never reached its caller: it does not count.
        var successor = await store.GetAsync(record.RotatedToId, cancellationToken);
        if (successor is { Record.IsPending: false }) throw AlreadyRotated(record);
        if (successor is not null) await store.DeleteAsync(successor.Record.Id, cancellationToken);
    }

    private static DomainException AlreadyRotated(ApiKeyRecord record) =>
        new(DomainErrorKind.Conflict, "KEY_ALREADY_ROTATED", $"Key '{record.Id}' was already rotated to '{record.RotatedToId}'; rotate that key instead.");

    private static void EnsureChangeable(ApiKeyRecord record, DateTimeOffset now, bool allowExpired)
    {
        var status = record.StatusAt(now);
        if (status == KeyStatus.Revoked)
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.KeyRevoked, $"Key '{record.Id}' is revoked and cannot be changed.");
        if (status == KeyStatus.Expired && !allowExpired)
            throw new DomainException(DomainErrorKind.Conflict, "KEY_EXPIRED", $"Key '{record.Id}' has expired; create a new key instead.");
    }

    private async Task<StoredKey> GetVisibleAsync(string keyId, Caller caller, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsValidKeyId(keyId)) throw DomainException.KeyNotFound(Shorten(keyId));
        var stored = await store.GetAsync(keyId, cancellationToken);
        if (stored is null || stored.Record.IsPending || !caller.CanSee(stored.Record.Owner)) throw DomainException.KeyNotFound(keyId);
        return stored;
    }

    /// <summary>Read-modify-write with ETag retries; invalidates every cache level after a change.</summary>
    private async Task<ApiKeyRecord> ChangeAsync(
        string keyId, Caller caller, Func<ApiKeyRecord, DateTimeOffset, (ApiKeyRecord Updated, KeyEvent? Event)> change,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await GetVisibleAsync(keyId, caller, cancellationToken);
            var (updated, evt) = change(stored.Record, time.GetUtcNow());
            if (evt is null) return stored.Record;
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
            await cache.InvalidateAsync(keyId, cancellationToken);
            return updated;
        }
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
