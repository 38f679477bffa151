using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hokusai.Keys.Api.Leaks;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// Leak reports → automatic revocation: GitHub's secret scanning partner endpoint (signed with a test ECDSA P-256 key
/// configured as a GitHub key, or published by a local stub of GitHub's key list) and our own report-leak route.
/// No assertion message ever carries a plaintext key.
/// </summary>
public sealed class LeakReportTests : IDisposable
{
    private const string TestIdentifier = "test-github-key-1";
    private const string GitHubPath = "/api/leaks/github";
    private readonly ECDsa _gitHub = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _gitHub.Dispose();
        _forger.Dispose();
    }

    private async Task<ServerGroup> GroupAsync() => (await ServerGroup.CreateAsync())
        .With("Hokusai:LeakReports:GitHub:PublicKeys:0:Identifier", TestIdentifier)
        .With("Hokusai:LeakReports:GitHub:PublicKeys:0:Pem", _gitHub.ExportSubjectPublicKeyInfoPem());

    private static byte[] Report(params (string Token, string Url)[] matches) => JsonSerializer.SerializeToUtf8Bytes(
        matches.Select(m => new { token = m.Token, type = "hokusai_api_key", url = m.Url, source = "content" }).ToArray());

    private static string Sign(ECDsa key, byte[] body) =>
        Convert.ToBase64String(key.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    private static async Task<(int Status, string Text, HttpResponseMessage Response)> PostSignedAsync(
        HttpClient client, byte[] body, string? identifier, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GitHubPath) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (identifier is not null) request.Headers.Add("GITHUB-PUBLIC-KEY-IDENTIFIER", identifier);
        if (signature is not null) request.Headers.Add("GITHUB-PUBLIC-KEY-SIGNATURE", signature);
        var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static string Sha256(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static async Task<List<JsonNode>> LeakEventsAsync(HttpClient admin, string id)
    {
        var (status, json, _) = await admin.GetJsonAsync($"/api/keys/{id}/events");
        Assert.Equal(200, status);
        return json!["items"]!.AsArray().Where(e => e!["type"]!.GetValue<string>() == "key.leaked").Select(e => e!).ToList();
    }

    [Fact]
    public async Task A_signed_report_revokes_the_key_on_every_instance_within_a_second_and_answers_without_the_token()
    {
        var group = await GroupAsync();
        using var a = group.StartServer();
        using var b = group.StartServer();
        var admin = a.Client(await a.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "leaks on github" });
        var notOurs = ApiKeyFormat.Generate(KeyEnvironment.Live).Plaintext;
        var clientB = b.Client();
        Assert.Equal("VALID", await clientB.VerifyCodeAsync(key)); // cached in B's L1 and in Redis
        Assert.Equal("VALID", await clientB.VerifyCodeAsync(key));

        var body = Report((key, "https://github.com/octo/repo/blob/abc/.env"), (notOurs, "https://github.com/octo/repo/blob/abc/b.txt"));
        var (status, text, _) = await PostSignedAsync(a.Client(), body, TestIdentifier, Sign(_gitHub, body));
        var revokedAt = Stopwatch.StartNew();
        Assert.True(status == 200, $"report answered {status}");
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(notOurs, text, StringComparison.Ordinal);
        var verdicts = JsonNode.Parse(text)!.AsArray();
        Assert.Equal(2, verdicts.Count);
        Assert.Equal(Sha256(key), verdicts[0]!["token_hash"]!.GetValue<string>());
        Assert.Equal("hokusai_api_key", verdicts[0]!["token_type"]!.GetValue<string>());
        Assert.Equal("true_positive", verdicts[0]!["label"]!.GetValue<string>());
        Assert.Equal(Sha256(notOurs), verdicts[1]!["token_hash"]!.GetValue<string>());
        Assert.Equal("false_positive", verdicts[1]!["label"]!.GetValue<string>());

        string code;
        do code = await clientB.VerifyCodeAsync(key);
        while (code == "VALID" && revokedAt.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal("REVOKED", code);
        Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(1), $"instance B saw the revocation after {revokedAt.ElapsedMilliseconds} ms");
        Assert.Equal("REVOKED", await a.Client().VerifyCodeAsync(key));

        var leaked = Assert.Single(await LeakEventsAsync(admin, id));
        Assert.Equal("leaked", leaked["data"]!["reason"]!.GetValue<string>());
        Assert.Equal("revoked", leaked["data"]!["action"]!.GetValue<string>());
        Assert.Equal("https://github.com/octo/repo/blob/abc/.env", leaked["data"]!["url"]!.GetValue<string>());
        Assert.Equal("content", leaked["data"]!["source"]!.GetValue<string>());
        Assert.Equal("github", leaked["actor"]!["owner"]!.GetValue<string>());
        Assert.DoesNotContain(key, leaked.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_forged_unknown_or_tampered_reports_are_401_and_change_nothing()
    {
        var group = await GroupAsync();
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "target" });
        var body = Report((key, "https://github.com/octo/repo/blob/abc/.env"));
        var tampered = Report((key, "https://github.com/octo/repo/blob/abc/.env2"));
        var client = server.Client();

        (string Case, string? Identifier, string? Signature, byte[] Body)[] attempts =
        [
            ("no headers", null, null, body),
            ("no signature", TestIdentifier, null, body),
            ("no identifier", null, Sign(_gitHub, body), body),
            ("signed by another key", TestIdentifier, Sign(_forger, body), body),
            ("unknown identifier", "not-a-github-key", Sign(_gitHub, body), body),
            ("tampered body", TestIdentifier, Sign(_gitHub, body), tampered),
            ("signature not base64", TestIdentifier, "%%%not base64%%%", body),
        ];
        foreach (var attempt in attempts)
        {
            var (status, text, response) = await PostSignedAsync(client, attempt.Body, attempt.Identifier, attempt.Signature);
            Assert.True(status == 401, $"{attempt.Case}: answered {status}");
            await Http.AssertProblem(response, 401, "INVALID_SIGNATURE");
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        }

        Assert.Equal("VALID", await client.VerifyCodeAsync(key));
        Assert.Empty(await LeakEventsAsync(admin, id));
        var (_, got, _) = await admin.GetJsonAsync($"/api/keys/{id}");
        Assert.Equal("active", got!["status"]!.GetValue<string>());
        Assert.Null(got["leakedAt"]);
    }

    [Fact]
    public async Task A_replayed_report_revokes_once()
    {
        var group = await GroupAsync();
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "replayed" });
        var body = Report((key, "https://github.com/octo/repo/blob/abc/.env"));
        var signature = Sign(_gitHub, body);

        var first = await PostSignedAsync(server.Client(), body, TestIdentifier, signature);
        var second = await PostSignedAsync(server.Client(), body, TestIdentifier, signature);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal("true_positive", JsonNode.Parse(first.Text)![0]!["label"]!.GetValue<string>());
        Assert.Equal("false_positive", JsonNode.Parse(second.Text)![0]!["label"]!.GetValue<string>()); // already revoked
        Assert.Single(await LeakEventsAsync(admin, id));
        var (_, events, _) = await admin.GetJsonAsync($"/api/keys/{id}/events");
        Assert.Equal(1, events!["items"]!.AsArray().Count(e => e!["type"]!.GetValue<string>() is "key.leaked" or "key.revoked"));
    }

    [Fact]
    public async Task Oversized_or_malformed_signed_bodies_are_400_and_change_nothing()
    {
        var group = await GroupAsync();
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "untouched" });
        var client = server.Client();

        var huge = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("{\"token\":\"" + new string('x', 1000) + "\"}", 1100)) + "]");
        var (status, _, response) = await PostSignedAsync(client, huge, TestIdentifier, Sign(_gitHub, huge));
        Assert.Equal(400, status);
        await Http.AssertProblem(response, 400, "BODY_TOO_LARGE");

        foreach (var malformed in new[] { "{not json", "{\"token\":\"x\"}", "[{\"type\":\"no token\"}]", "[null]", "" })
        {
            var bytes = Encoding.UTF8.GetBytes(malformed);
            (status, _, response) = await PostSignedAsync(client, bytes, TestIdentifier, Sign(_gitHub, bytes));
            Assert.True(status == 400, $"'{malformed}' answered {status}");
            await Http.AssertProblem(response, 400, "INVALID_JSON");
        }
        Assert.Equal("VALID", await client.VerifyCodeAsync(key));
        Assert.Empty(await LeakEventsAsync(admin, id));
    }

    [Fact]
    public async Task A_key_with_leak_policy_notify_is_flagged_once_and_keeps_working()
    {
        var group = await GroupAsync();
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "critical, rotate by hand" });
        var (patched, json, _) = await admin.PatchJsonAsync($"/api/keys/{id}", new { leakPolicy = "notify" });
        Assert.Equal(200, patched);
        Assert.Equal("notify", json!["leakPolicy"]!.GetValue<string>());
        Assert.Null(json["leakedAt"]);

        var body = Report((key, "https://github.com/octo/repo/blob/abc/.env"));
        for (var i = 0; i < 2; i++)
        {
            var (status, text, _) = await PostSignedAsync(server.Client(), body, TestIdentifier, Sign(_gitHub, body));
            Assert.Equal(200, status);
            Assert.Equal("true_positive", JsonNode.Parse(text)![0]!["label"]!.GetValue<string>());
        }

        var (_, verify, _) = await server.Client().PostJsonAsync("/api/keys/verify", new { key });
        Assert.Equal("VALID", verify!["code"]!.GetValue<string>());
        Assert.NotNull(verify["key"]!["leakedAt"]);
        var (_, got, _) = await admin.GetJsonAsync($"/api/keys/{id}");
        Assert.Equal("active", got!["status"]!.GetValue<string>());
        Assert.NotNull(got["leakedAt"]);
        var (_, listed, _) = await admin.GetJsonAsync("/api/keys");
        Assert.NotNull(listed!["items"]!.AsArray().Single(k => k!["id"]!.GetValue<string>() == id)!["leakedAt"]);
        var leaked = Assert.Single(await LeakEventsAsync(admin, id));
        Assert.Equal("flagged", leaked["data"]!["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task Setting_leak_policy_notify_is_a_loosening_only_callers_with_the_limits_authority_may_make()
    {
        var group = await GroupAsync();
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (writerId, writerKey) = await admin.CreateKeyAsync(new { name = "writer", owner = "team-a", scopes = new[] { "keys:write" } });
        var writer = server.Client(writerKey);
        var (byAdmin, _) = await admin.CreateKeyAsync(new { name = "set by admin", owner = "team-a" });
        var (byWriter, _) = await writer.CreateKeyAsync(new { name = "set by writer" });

        // Limits set by an admin: a keys:write key may not loosen them.
        var (_, _, refused) = await writer.PatchJsonAsync($"/api/keys/{byAdmin}", new { leakPolicy = "notify" });
        await Http.AssertProblem(refused, 403, "INSUFFICIENT_SCOPE");
        // Nor give a key a policy looser than its own (revoke).
        (_, _, refused) = await writer.PatchJsonAsync($"/api/keys/{byWriter}", new { leakPolicy = "notify" });
        await Http.AssertProblem(refused, 403, "INSUFFICIENT_SCOPE");
        // Tightening (or keeping) is always allowed; a bad value is a validation error.
        Assert.Equal(200, (await writer.PatchJsonAsync($"/api/keys/{byAdmin}", new { leakPolicy = "revoke" })).Status);
        (_, _, refused) = await writer.PatchJsonAsync($"/api/keys/{byAdmin}", new { leakPolicy = "ignore" });
        await Http.AssertProblem(refused, 400, "VALIDATION_FAILED");

        // A writer whose own policy is notify may give it to keys whose limits it set; an admin may anywhere.
        Assert.Equal(200, (await admin.PatchJsonAsync($"/api/keys/{writerId}", new { leakPolicy = "notify" })).Status);
        Assert.Equal(200, (await writer.PatchJsonAsync($"/api/keys/{byWriter}", new { leakPolicy = "notify" })).Status);
        (_, _, refused) = await writer.PatchJsonAsync($"/api/keys/{byAdmin}", new { leakPolicy = "notify" });
        await Http.AssertProblem(refused, 403, "INSUFFICIENT_SCOPE");
        Assert.Equal(200, (await admin.PatchJsonAsync($"/api/keys/{byAdmin}", new { leakPolicy = "notify" })).Status);
    }

    [Fact]
    public async Task Published_keys_are_fetched_once_and_an_unknown_identifier_refreshes_at_most_once_per_interval()
    {
        using var stub = new KeyListStub();
        using var rotated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        stub.Publish(("gh-current", _gitHub));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var group = (await ServerGroup.CreateAsync())
            .With("Hokusai:LeakReports:GitHub:KeysUrl", stub.Url)
            .With("Hokusai:LeakReports:GitHub:MinRefreshSeconds", "60");
        using var server = group.StartServer(services => services.AddSingleton(sp => new GitHubKeyRing(
            sp.GetRequiredService<IOptions<GitHubLeakReportOptions>>(), time, NullLogger<GitHubKeyRing>.Instance)));
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, first) = await admin.CreateKeyAsync(new { name = "first" });
        var (_, second) = await admin.CreateKeyAsync(new { name = "second" });
        var client = server.Client();

        var body = Report((first, "https://github.com/o/r/blob/a/x"));
        Assert.Equal(200, (await PostSignedAsync(client, body, "gh-current", Sign(_gitHub, body))).Status);
        Assert.Equal(1, stub.Requests);

        // GitHub rotates its key. Within the interval, unknown identifiers (the new one, or invented ones) fetch nothing more.
        stub.Publish(("gh-current", _gitHub), ("gh-next", rotated));
        body = Report((second, "https://github.com/o/r/blob/a/y"));
        Assert.Equal(401, (await PostSignedAsync(client, body, "gh-next", Sign(rotated, body))).Status);
        for (var i = 0; i < 10; i++)
            Assert.Equal(401, (await PostSignedAsync(client, body, "invented-" + i, Sign(rotated, body))).Status);
        Assert.Equal(1, stub.Requests);
        Assert.Equal("VALID", await client.VerifyCodeAsync(second));

        // After the interval, the unknown identifier triggers one refresh and verifies.
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(200, (await PostSignedAsync(client, body, "gh-next", Sign(rotated, body))).Status);
        Assert.Equal(2, stub.Requests);
        Assert.Equal("REVOKED", await client.VerifyCodeAsync(second));
        Assert.Equal(401, (await PostSignedAsync(client, body, "invented-again", Sign(rotated, body))).Status);
        Assert.Equal(2, stub.Requests);
    }

    [Fact]
    public async Task Presenting_a_key_to_report_leak_revokes_it_and_keys_that_are_not_ours_count_as_failed_verifications()
    {
        var group = (await GroupAsync()).With("Hokusai:RateLimiting:FailuresPerIpPerMinute", "5");
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "pasted in a chat" });
        var reporter = server.Client(peer: "203.0.113.7");

        var (status, json, response) = await reporter.PostJsonAsync("/api/keys/report-leak", new { key, url = "https://chat.example/msg/1" });
        Assert.Equal(200, status);
        Assert.DoesNotContain(key, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(Sha256(key), json!["tokenHash"]!.GetValue<string>());
        Assert.Equal("true_positive", json["label"]!.GetValue<string>());
        Assert.Equal("revoked", json["action"]!.GetValue<string>());
        Assert.Equal("REVOKED", await server.Client().VerifyCodeAsync(key));
        var leaked = Assert.Single(await LeakEventsAsync(admin, id));
        Assert.Equal("self", leaked["actor"]!["owner"]!.GetValue<string>());
        Assert.Equal("https://chat.example/msg/1", leaked["data"]!["url"]!.GetValue<string>());

        (status, json, _) = await reporter.PostJsonAsync("/api/keys/report-leak", new { key });
        Assert.Equal(200, status);
        Assert.Equal("false_positive", json!["label"]!.GetValue<string>());
        Assert.Single(await LeakEventsAsync(admin, id));

        // The revoked key above was the first failure; guesses exhaust the caller's budget of 5 a minute.
        var answers = new List<int>();
        for (var i = 0; i < 6; i++)
            answers.Add((await reporter.PostJsonAsync("/api/keys/report-leak", new { key = "hk_live_guess" + i })).Status);
        Assert.Equal(429, answers[^1]);
        Assert.Contains(200, answers);
        var (_, _, throttled) = await reporter.PostJsonAsync("/api/keys/report-leak", new { key = "hk_live_more" });
        await Http.AssertProblem(throttled, 429, "TOO_MANY_FAILURES");
        Assert.Equal(400, (await reporter.PostJsonAsync("/api/keys/report-leak", new { url = "x" })).Status);
    }

    /// <summary>A local stand-in for https://api.github.com/meta/public_keys/secret_scanning that counts its requests.</summary>
    private sealed class KeyListStub : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly CancellationTokenSource _stop = new();
        private volatile string _json = "{\"public_keys\":[]}";
        private int _requests;

        public KeyListStub()
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/meta/public_keys/secret_scanning";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public void Publish(params (string Identifier, ECDsa Key)[] keys) => _json = new JsonObject
        {
            ["public_keys"] = new JsonArray(keys.Select(k => (JsonNode)new JsonObject
            {
                ["key_identifier"] = k.Identifier,
                ["key"] = k.Key.ExportSubjectPublicKeyInfoPem(),
                ["is_current"] = true,
            }).ToArray()),
        }.ToJsonString();

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) when (_stop.IsCancellationRequested) { return; }
                Interlocked.Increment(ref _requests);
                var bytes = Encoding.UTF8.GetBytes(_json);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Close();
            _stop.Dispose();
        }
    }
}
