// A service's own typed client that calls an API protected by Hokusai keys, given its key by registration rather than
// by code: AddHokusaiAuthenticatedHttpClient<TClient>() adds the key to every request, found as the SDK finds it
// (HokusaiKeys.Setup → HOKUSAI_API_KEY → the config file's profile; docs/sdk.md). Here the API called is Hokusai
// Keys itself (its URL from HOKUSAI_API_URL or the config file); point BaseAddress at your own service instead.
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hokusai.Keys.Client;
using Microsoft.Extensions.DependencyInjection;

var settings = new HokusaiSettingsResolver().Resolve();
var services = new ServiceCollection();
services.AddHokusaiAuthenticatedHttpClient<KeyInventory>()
    .ConfigureHttpClient(http => http.BaseAddress = settings.ApiUrl);
await using var provider = services.BuildServiceProvider();
Console.WriteLine($"calling {settings.ApiUrl} with the key from {settings.KeySource}");

try
{
    var listed = await provider.GetRequiredService<KeyInventory>().CountKeysAsync(limit: 5);
    Console.WriteLine($"listed {listed} keys");
    return 0;
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"the API answered {(int?)ex.StatusCode}");
    return 1;
}

/// <summary>The typed client: it says what it calls; the key comes from the registration.</summary>
public sealed class KeyInventory(HttpClient http)
{
    public async Task<int> CountKeysAsync(int limit)
    {
        var page = await http.GetFromJsonAsync<JsonObject>($"api/keys?limit={limit}");
        return page?["items"]?.AsArray().Count ?? 0;
    }
}
