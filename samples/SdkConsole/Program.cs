// Issues, checks, rotates and revokes a key with the Hokusai Keys client SDK. The management key and the API's URL
// come from HOKUSAI_API_KEY and HOKUSAI_API_URL, or from the config file `hokusai auth login` writes (docs/sdk.md).
using Hokusai.Keys.Client;
using Hokusai.Keys.Client.Models;

using var client = new HokusaiKeysClient();
Console.WriteLine($"Hokusai Keys at {client.Endpoint} (management key from {client.Settings.KeySource})");

try
{
    var created = await client.CreateKeyAsync(new CreateKeyOptions
    {
        Name = "SDK sample",
        Owner = "sample-team",
        Scopes = ["models:read"],
        RateLimit = new ApiKeyRateLimit(Limit: 100, WindowSeconds: 60),
        ExpiresIn = TimeSpan.FromDays(90),
    });
    // created.Key is the plaintext: hand it to the key's holder now, the API never shows it again.
    var plaintext = created.Key!;
    Console.WriteLine($"created {created.Id}, expires {created.ExpiresAt:u}");

    var answer = await client.VerifyAsync(plaintext, requiredScopes: ["models:read"]);
    Console.WriteLine($"verify: {answer.Code}");

    var rotated = await client.RotateKeyAsync(created.Id, gracePeriod: TimeSpan.FromHours(1));
    Console.WriteLine($"rotated {rotated.Previous.Id} -> {rotated.Key.Id}; the old key works until {rotated.Previous.ExpiresAt:u}");

    await client.RevokeKeyAsync(rotated.Key.Id);
    await client.RevokeKeyAsync(rotated.Previous.Id);
    Console.WriteLine($"revoked both; verify of the first key: {(await client.VerifyAsync(plaintext)).Code}");
    return 0;
}
catch (HokusaiApiException ex)
{
    Console.Error.WriteLine($"Hokusai Keys answered {ex.Status} {ex.Code}: {ex.Detail}");
    return 1;
}
