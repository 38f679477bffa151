using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Api.Leaks;

/// <summary>
/// GitHub's secret scanning signing keys by identifier: the configured ones, and — when <c>KeysUrl</c> is set — GitHub's
/// published list (<c>{"public_keys": [{"key_identifier", "key", "is_current"}]}</c>), fetched on demand and cached.
/// An identifier we do not know triggers one refresh, and refreshes are at most one per <c>MinRefreshSeconds</c> for
/// the whole instance, so unsigned requests with invented identifiers cannot make us hammer GitHub. Keys are kept as
/// SubjectPublicKeyInfo bytes; each verification imports its own <see cref="ECDsa"/> (instances are not thread-safe).
/// </summary>
public sealed partial class GitHubKeyRing(IOptions<GitHubLeakReportOptions> options, TimeProvider time, ILogger<GitHubKeyRing> logger) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Lazy<FrozenDictionary<string, byte[]>> _configured = new(() => Configured(options.Value, logger));
    private volatile FrozenDictionary<string, byte[]> _fetched = FrozenDictionary<string, byte[]>.Empty;
    private long _fetchedAtTicks = DateTimeOffset.MinValue.UtcTicks;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue; // read and written under _refresh only

    /// <summary>True when <paramref name="signature"/> (base64 DER ECDSA P-256/SHA-256) signs <paramref name="body"/> with the key named <paramref name="identifier"/>.</summary>
    public async Task<bool> VerifyAsync(string identifier, string signature, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var key = await FindAsync(identifier, cancellationToken);
        if (key is null) return false;
        var bytes = new byte[(signature.Length * 3 + 3) / 4];
        if (!Convert.TryFromBase64String(signature, bytes, out var length)) return false;
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key, out _);
        return ecdsa.VerifyData(body.Span, bytes.AsSpan(0, length), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    private async Task<byte[]?> FindAsync(string identifier, CancellationToken cancellationToken)
    {
        if (_configured.Value.TryGetValue(identifier, out var configured)) return configured;
        if (string.IsNullOrEmpty(options.Value.KeysUrl)) return null;
        var fresh = time.GetUtcNow().UtcTicks - Interlocked.Read(ref _fetchedAtTicks) < TimeSpan.FromSeconds(options.Value.CacheSeconds).Ticks;
        if (fresh && _fetched.TryGetValue(identifier, out var fetched)) return fetched;
        await RefreshAsync(cancellationToken);
        return _fetched.TryGetValue(identifier, out fetched) ? fetched : null;
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (now - _lastAttempt < TimeSpan.FromSeconds(Math.Max(1, options.Value.MinRefreshSeconds))) return;
            _lastAttempt = now;
            try
            {
                using var response = await _http.GetAsync(options.Value.KeysUrl, HttpCompletionOption.ResponseContentRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
                var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var entry in document.RootElement.GetProperty("public_keys").EnumerateArray())
                {
                    var identifier = entry.GetProperty("key_identifier").GetString();
                    var pem = entry.GetProperty("key").GetString();
                    if (identifier is not null && pem is not null && TryImport(pem, out var spki)) keys[identifier] = spki;
                }
                _fetched = keys.ToFrozenDictionary(StringComparer.Ordinal);
                Interlocked.Exchange(ref _fetchedAtTicks, now.UtcTicks);
                LogFetched(logger, keys.Count);
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                       or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The list we had stays in use; the next refresh may come after MinRefreshSeconds.
                LogFetchFailed(logger, ex);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static FrozenDictionary<string, byte[]> Configured(GitHubLeakReportOptions options, ILogger logger)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in options.PublicKeys)
        {
            if (!string.IsNullOrEmpty(key.Identifier) && TryImport(key.Pem, out var spki)) keys[key.Identifier] = spki;
            else LogBadConfiguredKey(logger, key.Identifier);
        }
        return keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>An ECDSA P-256 public key in PEM, as SubjectPublicKeyInfo bytes.</summary>
    private static bool TryImport(string pem, out byte[] spki)
    {
        spki = [];
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            if (ecdsa.KeySize != 256) return false;
            spki = ecdsa.ExportSubjectPublicKeyInfo();
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _refresh.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {Count} GitHub secret scanning public keys")]
    private static partial void LogFetched(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching GitHub's secret scanning public keys failed; the keys fetched before stay in use")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configured GitHub public key '{Identifier}' is not an ECDSA P-256 public key in PEM; it is ignored")]
    private static partial void LogBadConfiguredKey(ILogger logger, string identifier);
}
