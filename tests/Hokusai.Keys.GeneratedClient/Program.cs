using Hokusai.Keys.GeneratedClient.Api;
using Hokusai.Keys.GeneratedClient.Api.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

// Uses the generated client as an integrator would: create → verify → rotate → revoke, and one problem answer.
// Prints one line per step (ids and codes, never a plaintext key); exits 1 at the first step that goes wrong.
// Usage: Hokusai.Keys.GeneratedClient <base url>, with an admin key in HOKUSAI_API_KEY.
var baseUrl = new Uri(args[0]);
var adminKey = Environment.GetEnvironmentVariable("HOKUSAI_API_KEY") ?? throw new InvalidOperationException("HOKUSAI_API_KEY is not set.");
// Kiota's ApiKeyAuthenticationProvider sends a key over https only; the server here is a local http one, so the key
// rides as a default header of the HttpClient instead (the document's apiKeyHeader scheme either way).
using var http = new HttpClient();
http.DefaultRequestHeaders.Add("X-API-Key", adminKey);
var client = new HokusaiClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl.ToString().TrimEnd('/') });

var created = await client.Api.Keys.PostAsync(new CreateKeyRequest
{
    Name = "generated client",
    Environment = KeyEnvironment.Test,
    Scopes = ["orders:read"],
    RateLimit = new RateLimitPolicy { Limit = 100, WindowSeconds = 60 },
    Metadata = new CreateKeyRequest_metadata { AdditionalData = { ["team"] = "integrations" } },
}) ?? throw new InvalidOperationException("create answered no key");
Check(created.Key is { Length: > 0 } && created.Status == KeyStatus.Active && created.Environment == KeyEnvironment.Test, "create");
Console.WriteLine($"created {created.Id} {created.Status} {created.Environment}");

var verified = await Verify(created.Key!, "orders:read");
Check(verified.Valid == true && verified.Code == VerifyCode.VALID && verified.Key?.Id == created.Id && verified.RateLimit?.Limit == 100, "verify");
Console.WriteLine($"verified {verified.Code} {verified.Key!.Owner} remaining {verified.RateLimit!.Remaining}");

var rotated = await client.Api.Keys[created.Id].Rotate.PostAsync(new RotateKeyRequest { GracePeriodSeconds = 0 })
    ?? throw new InvalidOperationException("rotate answered nothing");
var successor = rotated.Key ?? throw new InvalidOperationException("rotate answered no key");
Check(successor.Key is { Length: > 0 } && successor.RotatedFromId == created.Id && rotated.Previous?.Status == KeyStatus.Revoked, "rotate");
Console.WriteLine($"rotated {created.Id} -> {successor.Id}, previous {rotated.Previous!.Status}");
Console.WriteLine($"verified old {(await Verify(created.Key!, null)).Code}, new {(await Verify(successor.Key!, null)).Code}");

var revoked = await client.Api.Keys[successor.Id].Revoke.PostAsync() ?? throw new InvalidOperationException("revoke answered nothing");
Check(revoked.Status == KeyStatus.Revoked && revoked.RevokedAt is not null, "revoke");
Console.WriteLine($"revoked {revoked.Id} {revoked.Status}, verified {(await Verify(successor.Key!, null)).Code}");

try
{
    await client.Api.Keys["Zz00000000000000"].GetAsync();
    Check(false, "a missing key");
}
catch (ProblemResponse problem)
{
    Console.WriteLine($"problem {problem.Status} {problem.Code}");
}
return 0;

async Task<VerifyResponse> Verify(string key, string? scope) =>
    await client.Api.Keys.Verify.PostAsync(new VerifyRequest { Key = key, RequiredScopes = scope is null ? null : [scope] })
    ?? throw new InvalidOperationException("verify answered nothing");

static void Check(bool ok, string step)
{
    if (!ok) throw new InvalidOperationException($"{step}: the answer is not what the document promises");
}
