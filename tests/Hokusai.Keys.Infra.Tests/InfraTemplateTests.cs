using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hokusai.Keys.Infra.Tests;

[Collection(CompiledTemplateCollection.Name)]
public sealed partial class InfraTemplateTests(CompiledTemplate template)
{
    /// <summary>The only roles the app's identity may hold (least privilege).</summary>
    private static readonly Dictionary<string, string> ExpectedRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"] = "Azure Service Bus Data Sender",
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
    };

    private static readonly string[] ForbiddenInSettings = ["AccountKey=", "SharedAccessKey=", "password", "listKeys("];

    [Fact]
    public void Bicep_build_succeeds_without_warnings()
    {
        Assert.True(template.Build.ExitCode == 0, $"bicep build failed ({template.Build.ExitCode}):\n{template.Build.Output}");
        Assert.True(template.Build.Output.Length == 0, $"bicep build reported diagnostics:\n{template.Build.Output}");
        Assert.NotNull(template.Template);
    }

    [Fact]
    public void Bicep_lint_reports_no_findings()
    {
        Assert.True(template.Lint.Output.Length == 0, $"bicep lint reported findings (exit code {template.Lint.ExitCode}):\n{template.Lint.Output}");
        Assert.Equal(0, template.Lint.ExitCode);
    }

    [Theory]
    [InlineData("Microsoft.Web/sites")]
    [InlineData("Microsoft.Web/serverfarms")]
    [InlineData("Microsoft.Storage/storageAccounts")]
    [InlineData("Microsoft.ServiceBus/namespaces")]
    [InlineData("Microsoft.ServiceBus/namespaces/topics")]
    [InlineData("Microsoft.KeyVault/vaults")]
    [InlineData("Microsoft.KeyVault/vaults/secrets")]
    [InlineData("Microsoft.OperationalInsights/workspaces")]
    [InlineData("Microsoft.Insights/components")]
    [InlineData("Microsoft.ManagedIdentity/userAssignedIdentities")]
    [InlineData("Microsoft.Authorization/roleAssignments")]
    public void Template_deploys_resource_type(string type)
    {
        Assert.True(template.OfType(type).Any(), $"No {type} in the compiled template. Types present: {string.Join(", ", template.Resources.Select(r => r.Type).Distinct())}");
    }

    [Fact]
    public void Template_deploys_azure_managed_redis_and_not_the_retiring_azure_cache_for_redis()
    {
        Assert.Empty(template.OfType("Microsoft.Cache/redis"));
        Assert.Single(template.OfType("Microsoft.Cache/redisEnterprise"));
        Assert.Single(template.OfType("Microsoft.Cache/redisEnterprise/databases"));
    }

    [Fact]
    public void Managed_redis_accepts_only_entra_id_over_tls()
    {
        var cluster = Assert.Single(template.OfType("Microsoft.Cache/redisEnterprise"));
        Assert.Equal("1.2", (string?)cluster.Properties?["minimumTlsVersion"]);
        var database = Assert.Single(template.OfType("Microsoft.Cache/redisEnterprise/databases"));
        Assert.Equal("Encrypted", (string?)database.Properties?["clientProtocol"]);
        Assert.Equal(10000, (int?)database.Properties?["port"]);
        Assert.Equal("Disabled", (string?)database.Properties?["accessKeysAuthentication"]);
        Assert.False(string.IsNullOrEmpty((string?)database.Properties?["clusteringPolicy"]), "clusteringPolicy must be set explicitly");
        Assert.False(string.IsNullOrEmpty((string?)database.Properties?["evictionPolicy"]), "evictionPolicy must be set explicitly");
    }

    [Fact]
    public void The_app_identity_holds_the_default_redis_access_policy()
    {
        var assignment = Assert.Single(template.OfType("Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments"));
        Assert.Equal("default", (string?)assignment.Properties?["accessPolicyName"]);
        var objectId = (string?)assignment.Properties?["user"]?["objectId"] ?? "";
        Assert.Contains("principalId", objectId, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_settings_name_host_port_and_identity_and_no_secret_holds_a_redis_password()
    {
        var settings = AppSettings.Read(template).ToDictionary(s => s.Name, s => s.Value, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("Hokusai__Redis__ConnectionString", settings.Keys);
        Assert.Contains("hostName", settings.GetValueOrDefault("Hokusai__Redis__HostName") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Contains("port", settings.GetValueOrDefault("Hokusai__Redis__Port") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Contains("identityClientId", settings.GetValueOrDefault("Hokusai__Redis__ManagedIdentityClientId") ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(template.OfType("Microsoft.KeyVault/vaults/secrets"), s => s.Name.Contains("redis", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("listKeys", template.Template!.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_10_on_flex_consumption()
    {
        var sites = template.OfType("Microsoft.Web/sites").ToList();
        var site = Assert.Single(sites);
        Assert.Contains("functionapp", (string?)site.Json["kind"] ?? "", StringComparison.OrdinalIgnoreCase);

        var runtime = site.Properties?["functionAppConfig"]?["runtime"];
        Assert.Equal("dotnet-isolated", (string?)runtime?["name"]);
        Assert.Equal("10.0", (string?)runtime?["version"]);
        Assert.NotNull(site.Properties?["functionAppConfig"]?["scaleAndConcurrency"]);
        Assert.Equal("UserAssignedIdentity", (string?)site.Properties?["functionAppConfig"]?["deployment"]?["storage"]?["authentication"]?["type"]);
        Assert.NotNull(site.Properties?["keyVaultReferenceIdentity"]);
        Assert.Equal(true, (bool?)site.Properties?["httpsOnly"]);

        var plan = Assert.Single(template.OfType("Microsoft.Web/serverfarms"));
        Assert.Equal("FC1", (string?)plan.Json["sku"]?["name"]);
        Assert.Equal("FlexConsumption", (string?)plan.Json["sku"]?["tier"]);
    }

    [Fact]
    public void Storage_accepts_only_entra_id_over_tls_1_2_without_public_blobs()
    {
        foreach (var storage in template.OfType("Microsoft.Storage/storageAccounts"))
        {
            Assert.Equal(false, (bool?)storage.Properties?["allowSharedKeyAccess"]);
            Assert.Equal("TLS1_2", (string?)storage.Properties?["minimumTlsVersion"]);
            Assert.Equal(false, (bool?)storage.Properties?["allowBlobPublicAccess"]);
        }
    }

    [Fact]
    public void Key_vault_uses_rbac_and_holds_the_pepper()
    {
        foreach (var vault in template.OfType("Microsoft.KeyVault/vaults"))
        {
            Assert.Equal(true, (bool?)vault.Properties?["enableRbacAuthorization"]);
        }

        Assert.Contains(template.OfType("Microsoft.KeyVault/vaults/secrets"), s => s.Name.Contains("cache-pepper", StringComparison.Ordinal));
    }

    /// <summary>
    /// A pepper generated per deployment would differ from one deployment to the next: each rollout would leave instances
    /// with different peppers side by side. The pepper is a required parameter, given (not made up) on every deployment.
    /// </summary>
    [Fact]
    public void The_pepper_is_a_required_parameter_never_generated_per_deployment()
    {
        Assert.NotNull(template.Template);
        var parameters = template.Template["parameters"]!.AsObject();
        var pepper = parameters["cachePepper"]!.AsObject();
        Assert.Equal("securestring", (string?)pepper["type"]);
        Assert.False(pepper.ContainsKey("defaultValue"), "cachePepper has a default value");
        Assert.True((int?)pepper["minLength"] >= 32, "cachePepper accepts fewer than 32 characters");
        foreach (var parameter in parameters.Select(p => p.Value))
            Assert.DoesNotContain("newGuid", parameter?["defaultValue"]?.ToJsonString() ?? "", StringComparison.OrdinalIgnoreCase);
        var vaultModule = template.OfType("Microsoft.Resources/deployments").Single(d => d.Name == "keyvault");
        Assert.Equal("[parameters('cachePepper')]", (string?)vaultModule.Properties!["parameters"]!["cachePepper"]!["value"]);

        // azd fills it from the environment, where it is set once (docs/deploy.md).
        var azdParameters = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "main.parameters.json")))!;
        Assert.Equal("${HOKUSAI_CACHE_PEPPER}", (string?)azdParameters["parameters"]!["cachePepper"]!["value"]);
    }

    [Fact]
    public void Service_bus_topic_detects_duplicates()
    {
        foreach (var topic in template.OfType("Microsoft.ServiceBus/namespaces/topics"))
        {
            Assert.Equal(true, (bool?)topic.Properties?["requiresDuplicateDetection"]);
        }
    }

    [Fact]
    public void Application_insights_accepts_only_entra_id()
    {
        foreach (var component in template.OfType("Microsoft.Insights/components"))
        {
            Assert.Equal(true, (bool?)component.Properties?["DisableLocalAuth"]);
        }
    }

    [Fact]
    public void App_settings_contain_no_secrets()
    {
        var settings = AppSettings.Read(template);
        Assert.NotEmpty(settings);
        var offending = settings
            .Where(s => ForbiddenInSettings.Any(f => s.Value.Contains(f, StringComparison.OrdinalIgnoreCase)))
            .Select(s => $"{s.Name} = {s.Value} ({s.Source})")
            .ToList();

        // Values passed into the module that declares the site could smuggle a key in through a parameter.
        foreach (var site in template.OfType("Microsoft.Web/sites"))
        {
            if (site.Deployment?["properties"]?["parameters"] is JsonObject parameters)
            {
                offending.AddRange(parameters
                    .Where(p => ForbiddenInSettings.Any(f => (p.Value?.ToJsonString() ?? "").Contains(f, StringComparison.OrdinalIgnoreCase)))
                    .Select(p => $"module parameter {p.Key} = {p.Value?.ToJsonString()}"));
            }
        }

        Assert.True(offending.Count == 0, "Secrets in app settings:\n" + string.Join("\n", offending));
    }

    [Theory]
    [InlineData("Hokusai__Security__CachePepper")]
    public void Secret_settings_are_key_vault_references(string name)
    {
        var setting = Assert.Single(AppSettings.Read(template), s => s.Name == name);
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", setting.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_storage_and_telemetry_use_the_managed_identity()
    {
        var names = AppSettings.Read(template).ToDictionary(s => s.Name, s => s.Value, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("managedidentity", names.GetValueOrDefault("AzureWebJobsStorage__credential"));
        foreach (var name in new[] { "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri", "APPLICATIONINSIGHTS_CONNECTION_STRING" })
        {
            Assert.True(names.ContainsKey(name), $"Missing app setting {name}.");
        }

        Assert.Contains("Authorization=AAD", names.GetValueOrDefault("APPLICATIONINSIGHTS_AUTHENTICATION_STRING") ?? "", StringComparison.Ordinal);

        // Flex Consumption takes the runtime from functionAppConfig and rejects these.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", names.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", names.Keys);
        Assert.DoesNotContain("AzureWebJobsStorage", names.Keys);
    }

    [Fact]
    public void Role_assignments_grant_only_the_expected_roles_to_the_service_principal()
    {
        var assignments = template.OfType("Microsoft.Authorization/roleAssignments").ToList();
        var problems = new List<string>();
        var granted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assignment in assignments)
        {
            var roleExpression = assignment.ResolveVariables((string?)assignment.Properties?["roleDefinitionId"] ?? "");
            var match = TrailingGuid().Match(roleExpression);
            if (!match.Success || !ExpectedRoles.ContainsKey(match.Groups[1].Value))
            {
                problems.Add($"{assignment.Name}: unexpected roleDefinitionId {roleExpression}");
                continue;
            }

            var roleId = match.Groups[1].Value;
            granted.Add(roleId);
            if (!string.Equals((string?)assignment.Properties?["principalType"], "ServicePrincipal", StringComparison.Ordinal))
            {
                problems.Add($"{assignment.Name}: principalType must be ServicePrincipal");
            }

            var name = assignment.ResolveVariables(assignment.Name);
            if (!name.StartsWith("[guid(", StringComparison.Ordinal) || !name.Contains(roleId, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{assignment.Name}: name must be guid(scope, principalId, roleId)");
            }
        }

        problems.AddRange(ExpectedRoles.Where(r => !granted.Contains(r.Key)).Select(r => $"missing role assignment: {r.Value} ({r.Key})"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The role GUID at the end of e.g. <c>[subscriptionResourceId('…/roleDefinitions', '&lt;guid&gt;')]</c> or a plain id.</summary>
    [GeneratedRegex(@"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})'?\)*\]?$")]
    private static partial Regex TrailingGuid();
}
