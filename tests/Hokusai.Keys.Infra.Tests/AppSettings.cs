using System.Text.Json.Nodes;

namespace Hokusai.Keys.Infra.Tests;

internal sealed record AppSetting(string Name, string Value, string Source);

internal static class AppSettings
{
    /// <summary>
    /// The function app's settings: <c>siteConfig.appSettings</c> of every functionapp site plus every
    /// <c>Microsoft.Web/sites/config</c> named <c>appsettings</c>. Names must be literals (so they can be checked);
    /// values are the ARM expressions as written.
    /// </summary>
    public static IReadOnlyList<AppSetting> Read(CompiledTemplate template)
    {
        var settings = new List<AppSetting>();
        foreach (var site in template.OfType("Microsoft.Web/sites"))
        {
            if (site.Properties?["siteConfig"]?["appSettings"] is JsonNode list)
            {
                var array = list as JsonArray
                    ?? throw new Xunit.Sdk.XunitException($"siteConfig.appSettings of {site.Name} must be a literal array, not {list.ToJsonString()}.");
                foreach (var item in array)
                {
                    var name = (string?)item?["name"] ?? throw new Xunit.Sdk.XunitException($"App setting without a literal name in {site.Name}: {item?.ToJsonString()}");
                    settings.Add(new AppSetting(name, Text(item?["value"]), $"{site.Name} siteConfig.appSettings"));
                }
            }
        }

        foreach (var config in template.OfType("Microsoft.Web/sites/config"))
        {
            if (!config.Name.Contains("appsettings", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var properties = config.Json["properties"] as JsonObject
                ?? throw new Xunit.Sdk.XunitException($"The appsettings resource {config.Name} must have a literal properties object, not {config.Json["properties"]?.ToJsonString()}.");
            settings.AddRange(properties.Select(pair => new AppSetting(pair.Key, Text(pair.Value), config.Name)));
        }

        return settings;
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => node.ToJsonString(),
    };
}
