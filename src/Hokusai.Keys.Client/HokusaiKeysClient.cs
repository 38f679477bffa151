using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client;

/// <summary>
/// Client of the Hokusai Keys API: management (<c>/api/keys…</c>), verify and usage. Thread-safe; create one and reuse it.
/// Problem answers throw <see cref="HokusaiApiException"/>.
/// </summary>
public class HokusaiKeysClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeSpan _timeout;
    private readonly string? _apiKey;

    /// <summary>Key and endpoint from <see cref="HokusaiKeys.Setup"/>, the environment or the config file.</summary>
    public HokusaiKeysClient() : this(new HokusaiKeysClientOptions()) { }

    /// <summary>With this management key; the endpoint resolves as usual.</summary>
    /// <param name="apiKey">The management API key.</param>
    public HokusaiKeysClient(string apiKey) : this(new HokusaiKeysClientOptions { ApiKey = apiKey }) { }

    /// <summary>With this endpoint and management key.</summary>
    /// <param name="endpoint">Base URL of the API.</param>
    /// <param name="apiKey">The management API key.</param>
    public HokusaiKeysClient(Uri endpoint, string apiKey) : this(new HokusaiKeysClientOptions { Endpoint = endpoint, ApiKey = apiKey }) { }

    /// <summary>With these options; unset key and endpoint resolve through <see cref="HokusaiSettingsResolver"/>.</summary>
    /// <param name="options">The client's options.</param>
    public HokusaiKeysClient(HokusaiKeysClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Resolve();
        Settings = settings;
        _apiKey = settings.ApiKey;
        Endpoint = settings.ApiUrl;
        _timeout = options.Timeout;
        if (options.HttpClient is not null)
        {
            _http = options.HttpClient;
        }
        else
        {
            _http = options.HttpMessageHandler is not null ? new HttpClient(options.HttpMessageHandler, disposeHandler: false) : new HttpClient();
            _http.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // per-call timeout below
            _ownsHttp = true;
        }
    }

    /// <summary>The API base URL in use.</summary>
    public Uri Endpoint { get; }

    /// <summary>What was resolved, and from where (never prints the key).</summary>
    public HokusaiResolvedSettings Settings { get; }

    /// <summary>Whether a management key was found.</summary>
    public bool HasApiKey => _apiKey is not null;

    // ---- management ----

    /// <summary>Creates a key. The answer is the only time its plaintext (<see cref="ApiKey.Key"/>) is seen: store it now.</summary>
    public virtual Task<ApiKey> CreateKeyAsync(CreateKeyOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SendAsync<ApiKey>(HttpMethod.Post, "api/keys", options.ToJson(), true, cancellationToken);
    }

    /// <summary>
    /// One page of keys, newest first, optionally of one <paramref name="owner"/> and <paramref name="status"/> (<c>active</c>, <c>revoked</c>, <c>expired</c>); pass the page's <see cref="ApiKeyPage.NextCursor"/> as <paramref name="cursor"/> for the next.
    /// </summary>
    public virtual Task<ApiKeyPage> ListKeysAsync(string? owner = null, string? status = null, int? limit = null, string? cursor = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<ApiKeyPage>(HttpMethod.Get, "api/keys" + Query(("owner", owner), ("status", status), ("limit", limit?.ToString()), ("cursor", cursor)),
            null, true, cancellationToken);

    /// <summary>Every key, following the cursors.</summary>
    public virtual async IAsyncEnumerable<ApiKey> ListAllKeysAsync(string? owner = null, string? status = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = await ListKeysAsync(owner, status, 100, cursor, cancellationToken).ConfigureAwait(false);
            foreach (var key in page.Items) yield return key;
            cursor = page.NextCursor;
        } while (cursor is not null);
    }

    /// <summary>The key with this id (never its plaintext).</summary>
    public virtual Task<ApiKey> GetKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKey>(HttpMethod.Get, KeyPath(id), null, true, cancellationToken);

    /// <summary>Changes the properties <paramref name="update"/> sets (a merge-patch) and returns the key as it is now.</summary>
    public virtual Task<ApiKey> UpdateKeyAsync(string id, UpdateKeyOptions update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return SendAsync<ApiKey>(HttpMethod.Patch, KeyPath(id), update.ToJson(), true, cancellationToken);
    }

    /// <summary>Revokes the key at once, for good, and returns it.</summary>
    public virtual Task<ApiKey> RevokeKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKey>(HttpMethod.Post, KeyPath(id) + "/revoke", new JsonObject(), true, cancellationToken);

    /// <summary>Suspends the key (it answers SUSPENDED until resumed; quota and history stay) and returns it. Idempotent.</summary>
    public virtual Task<ApiKey> SuspendKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKey>(HttpMethod.Post, KeyPath(id) + "/suspend", new JsonObject(), true, cancellationToken);

    /// <summary>Resumes a suspended key and returns it. Idempotent; a revoked key cannot be resumed (409 KEY_REVOKED).</summary>
    public virtual Task<ApiKey> ResumeKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKey>(HttpMethod.Post, KeyPath(id) + "/resume", new JsonObject(), true, cancellationToken);

    /// <summary>
    /// Replaces a key; the old one keeps working for <paramref name="gracePeriod"/> (server default one day; zero revokes
    /// it now). The new key expires <paramref name="expiresIn"/> from now, or, without it, when the old one would have.
    /// </summary>
    public virtual Task<RotatedApiKey> RotateKeyAsync(string id, TimeSpan? gracePeriod = null, TimeSpan? expiresIn = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject();
        if (gracePeriod is { } grace) body["gracePeriodSeconds"] = (long)grace.TotalSeconds;
        if (expiresIn is { } lifetime) body["expiresInSeconds"] = (long)lifetime.TotalSeconds;
        return SendAsync<RotatedApiKey>(HttpMethod.Post, KeyPath(id) + "/rotate", body, true, cancellationToken);
    }

    /// <summary>
    /// The key's audit and lifecycle events, newest first; pass the page's <see cref="ApiKeyEventPage.NextCursor"/> as <paramref name="cursor"/> for the next.
    /// </summary>
    public virtual Task<ApiKeyEventPage> ListKeyEventsAsync(string id, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKeyEventPage>(HttpMethod.Get, KeyPath(id) + "/events" + Query(("limit", limit?.ToString()), ("cursor", cursor)), null, true, cancellationToken);

    /// <summary>Verifications of a key per hour or day between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public virtual Task<ApiKeyUsage> GetUsageAsync(string id, DateTimeOffset? from = null, DateTimeOffset? to = null, string? granularity = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<ApiKeyUsage>(HttpMethod.Get, KeyPath(id) + "/usage" + Query(
            ("from", from?.ToUniversalTime().ToString("O")), ("to", to?.ToUniversalTime().ToString("O")), ("granularity", granularity)),
            null, true, cancellationToken);

    /// <summary>
    /// The change feed (needs <c>keys:watch</c> or <c>admin</c>): the keys whose validation outcome may have changed after
    /// <paramref name="cursor"/>, oldest first, and the cursor to ask with next. A long-poll: answers at the first change,
    /// else after <paramref name="wait"/> (default: the server's bound, 25 s unless configured) with none. Without a cursor:
    /// the current one and no changes. A cursor older than the feed's retention throws <see cref="HokusaiApiException"/>
    /// with status 410 and code <c>CURSOR_EXPIRED</c>: whatever was cached must go. This call's timeout is at least the wait plus the client's timeout.
    /// </summary>
    public virtual Task<ApiKeyChangePage> GetKeyChangesAsync(string? cursor = null, TimeSpan? wait = null, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKeyChangePage>(HttpMethod.Get, "api/keys/changes" + Query(("cursor", cursor), ("wait", wait is { } w ? ((int)Math.Ceiling(w.TotalSeconds)).ToString(CultureInfo.InvariantCulture) : null)),
            null, true, cancellationToken, (wait ?? TimeSpan.FromSeconds(LongPollBoundSeconds)) + _timeout);

    /// <summary>The longest long-poll a server answers by default (its <c>Hokusai:ChangeFeed:MaxWaitSeconds</c>).</summary>
    private const int LongPollBoundSeconds = 25;

    /// <summary>
    /// Reports uses a service answered from its own cache of valid answers (<c>POST /api/usage/report</c>; the client's
    /// key needs scope <c>usage:report</c> or <c>keys:watch</c>, and may report only keys it could see). Make
    /// <paramref name="reportId"/> once per report and send the same id and entries on every retry: the platform applies a
    /// report once. Bounds: <see cref="UsageReportEntry.MaxEntries"/> entries, <see cref="UsageReportEntry.MaxUsesPerReport"/> uses.
    /// </summary>
    public virtual Task<UsageReportResult> ReportUsageAsync(Guid reportId, IEnumerable<UsageReportEntry> uses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uses);
        var entries = new JsonArray();
        foreach (var use in uses)
        {
            var entry = new JsonObject { ["keyId"] = use.KeyId, ["count"] = use.Count };
            if (use.ClientIp is not null) entry["clientIp"] = use.ClientIp;
            entries.Add(entry);
        }
        var body = new JsonObject { ["id"] = reportId.ToString("D"), ["uses"] = entries };
        return SendAsync<UsageReportResult>(HttpMethod.Post, "api/usage/report", body, true, cancellationToken);
    }

    // ---- validation ----

    /// <summary>Checks <paramref name="key"/> (no management key needed). A refused key is an answer, not an exception.</summary>
    public virtual Task<VerifyResult> VerifyAsync(string key, string? ip = null, IEnumerable<string>? requiredScopes = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var body = new JsonObject { ["key"] = key };
        if (ip is not null) body["ip"] = ip;
        if (requiredScopes is not null) body["requiredScopes"] = HokusaiJson.ToNode(requiredScopes.ToList());
        return SendAsync<VerifyResult>(HttpMethod.Post, "api/keys/verify", body, false, cancellationToken);
    }

    /// <summary>
    /// Reports <paramref name="key"/> as leaked (no management key needed: presenting the key is the proof). An active
    /// key is revoked, or flagged when its leak policy is <c>notify</c>.
    /// </summary>
    public virtual Task<LeakReportResult> ReportLeakAsync(string key, string? url = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var body = new JsonObject { ["key"] = key };
        if (url is not null) body["url"] = url;
        return SendAsync<LeakReportResult>(HttpMethod.Post, "api/keys/report-leak", body, false, cancellationToken);
    }

    // ---- plumbing ----

    private static string KeyPath(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return "api/keys/" + Uri.EscapeDataString(id);
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).ToList();
        return present.Count == 0 ? "" : "?" + string.Join('&', present.Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)));
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, JsonNode? body, bool authenticate, CancellationToken cancellationToken, TimeSpan? callTimeout = null)
    {
        var limit = callTimeout ?? _timeout;
        using var request = new HttpRequestMessage(method, new Uri(WithSlash(Endpoint), path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (authenticate && _apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(HokusaiJson.Options), Encoding.UTF8, "application/json");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_timeout > TimeSpan.Zero && _timeout != System.Threading.Timeout.InfiniteTimeSpan) timeout.CancelAfter(limit);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HokusaiApiException(0, HokusaiApiException.TimeoutCode, $"No answer from {Endpoint} within {limit.TotalSeconds:0.#} s.", innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new HokusaiApiException(0, HokusaiApiException.UnreachableCode, $"Cannot reach {Endpoint}: {ex.Message}", innerException: ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode) throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
            try
            {
                var value = await response.Content.ReadFromJsonAsync<T>(HokusaiJson.Options, cancellationToken).ConfigureAwait(false);
                return value ?? throw new HokusaiApiException((int)response.StatusCode, HokusaiApiException.InvalidResponseCode, "The API answered with an empty body.");
            }
            catch (JsonException ex)
            {
                throw new HokusaiApiException((int)response.StatusCode, HokusaiApiException.InvalidResponseCode, "The API answered with JSON this client does not understand.", innerException: ex);
            }
        }
    }

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static async Task<HokusaiApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        TimeSpan? retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };
        string text;
        try { text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false); }
        catch (HttpRequestException) { text = ""; }
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
            {
                var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : response.ReasonPhrase ?? "Error";
                Dictionary<string, string[]>? errors = null;
                if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                {
                    errors = [];
                    foreach (var field in e.EnumerateObject())
                        errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                            ? field.Value.EnumerateArray().Select(v => v.ToString()).ToArray()
                            : [field.Value.ToString()];
                }
                return new HokusaiApiException(status, code.GetString()!, detail, errors, retryAfter);
            }
        }
        catch (JsonException)
        {
            // not a problem document
        }
        // An answer without a problem document did not come from our API (a proxy, a wrong URL): name its status only.
        var fallback = status switch
        {
            (int)HttpStatusCode.NotFound => ErrorCodes.RouteNotFound,
            (int)HttpStatusCode.Unauthorized => ErrorCodes.Unauthenticated,
            _ => HokusaiApiException.HttpStatusCodePrefix + status.ToString(CultureInfo.InvariantCulture),
        };
        return new HokusaiApiException(status, fallback, $"The API answered {status} {response.ReasonPhrase}.", retryAfter: retryAfter);
    }

    /// <summary>Disposes the HttpClient the client created (not one it was given).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the HttpClient the client created (not one it was given).</summary>
    /// <param name="disposing">False when called from a finalizer.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsHttp) _http.Dispose();
    }
}
