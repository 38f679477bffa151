using System.Text.Json.Nodes;

namespace Hokusai.Keys.Infra.Tests.Alerts;

/// <summary>The compiled template deploys the action group and one scheduled query rule per file of infra/alerts/.</summary>
[Collection(CompiledTemplateCollection.Name)]
public sealed class AlertRuleTemplateTests(CompiledTemplate template)
{
    private const string RuleType = "Microsoft.Insights/scheduledQueryRules";

    private ArmResource Rules => Assert.Single(template.OfType(RuleType));

    /// <summary>The rules' definitions (a copy loop over the module's variable <c>alerts</c>).</summary>
    private JsonArray Definitions => Assert.IsType<JsonArray>(Rules.Variables?["alerts"]);

    private string LoadedText(string expression)
    {
        var match = System.Text.RegularExpressions.Regex.Match(expression, @"^\[variables\('(\$fxv#\d+)'\)\]$");
        return match.Success ? (string?)Rules.Variables?[match.Groups[1].Value] ?? expression : expression;
    }

    [Fact]
    public void Action_group_is_global_enabled_and_mails_the_optional_address()
    {
        var group = Assert.Single(template.OfType("Microsoft.Insights/actionGroups"));
        Assert.Equal("global", (string?)group.Json["location"]);
        Assert.Equal("2023-01-01", (string?)group.Json["apiVersion"]);
        Assert.True((bool?)group.Properties?["enabled"]);
        var shortName = (string?)group.Properties?["groupShortName"] ?? "";
        Assert.InRange(shortName.Length, 1, 12);
        // No receiver when the parameter is empty: the receiver list is conditional on it.
        var receivers = group.Properties?["emailReceivers"]?.ToString() ?? "";
        Assert.Contains("empty(parameters('alertEmail'))", receivers, StringComparison.Ordinal);
        Assert.Contains("parameters('alertEmail')", receivers.Replace("empty(parameters('alertEmail'))", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("", (string?)template.Template?["parameters"]?["alertEmail"]?["defaultValue"]);
        Assert.Equal("[parameters('alertEmail')]", (string?)group.Deployment?["properties"]?["parameters"]?["alertEmail"]?["value"]);
    }

    [Fact]
    public void One_rule_per_alert_file_with_the_file_as_its_query()
    {
        // loadTextContent compiles to a variable of its own ($fxv#n) holding the file's text.
        var byName = Definitions.OfType<JsonObject>().ToDictionary(d => (string)d["name"]!, d => LoadedText((string)d["query"]!), StringComparer.Ordinal);
        Assert.Equal(AlertFiles.All.Keys.Order(StringComparer.Ordinal), byName.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, text) in AlertFiles.All) Assert.Equal(text, byName[name]);
        Assert.Equal($"[length(variables('alerts'))]", (string?)Rules.Json["copy"]?["count"]);
        Assert.Equal("[variables('alerts')[copyIndex()].query]", (string?)Rules.Properties?["criteria"]?["allOf"]?[0]?["query"]);
    }

    [Fact]
    public void Rules_are_ga_log_alerts_on_the_workspace_that_fire_on_any_row_and_notify_the_action_group()
    {
        var rules = Rules;
        Assert.Equal("2023-12-01", (string?)rules.Json["apiVersion"]);
        Assert.Equal("LogAlert", (string?)rules.Json["kind"]);
        var properties = rules.Properties!;
        Assert.True((bool?)properties["enabled"]);
        Assert.Equal("[parameters('workspaceId')]", (string?)properties["scopes"]?[0]);
        var workspace = (string?)rules.Deployment?["properties"]?["parameters"]?["workspaceId"]?["value"] ?? "";
        Assert.Contains("'monitoring'", workspace, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.logAnalyticsId.value]", workspace, StringComparison.Ordinal);
        var criterion = properties["criteria"]?["allOf"]?[0]!;
        Assert.Equal("Count", (string?)criterion["timeAggregation"]);
        Assert.Equal("GreaterThan", (string?)criterion["operator"]);
        Assert.Equal(0, (int?)criterion["threshold"]);
        Assert.Contains("Microsoft.Insights/actionGroups", properties["actions"]?["actionGroups"]?[0]?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void Each_rule_has_a_description_severity_and_a_window_its_query_fits_in()
    {
        foreach (var definition in Definitions.OfType<JsonObject>())
        {
            var name = (string)definition["name"]!;
            Assert.False(string.IsNullOrWhiteSpace((string?)definition["description"]), name);
            Assert.InRange((int)definition["severity"]!, 0, 4);
            var window = System.Xml.XmlConvert.ToTimeSpan((string)definition["windowSize"]!);
            var frequency = System.Xml.XmlConvert.ToTimeSpan((string)definition["evaluationFrequency"]!);
            Assert.True(frequency <= window, $"{name}: evaluated every {frequency}, window {window}");
            Assert.True(window <= TimeSpan.FromDays(2), $"{name}: a log alert's window is at most 2 days");
            // The query's own look-back (the largest ago()) must fit in the window the rule runs it over.
            var lookBacks = System.Text.RegularExpressions.Regex.Matches(AlertFiles.All[name], @"ago\((\d+)([dhm])\)")
                .Select(m => m.Groups[2].Value switch
                {
                    "d" => TimeSpan.FromDays(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)),
                    "h" => TimeSpan.FromHours(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)),
                    _ => TimeSpan.FromMinutes(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)),
                }).ToList();
            Assert.NotEmpty(lookBacks);
            Assert.True(lookBacks.Max() <= window, $"{name}: looks back {lookBacks.Max()}, but the rule's window is {window}");
        }
    }
}
