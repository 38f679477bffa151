using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Validation;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using YamlDotNet.RepresentationModel;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// The recipes of docs/gateways.md that cannot run here (no API Management, no Envoy) are checked as far as this
/// machine can: they parse, they are shaped as their references say, and what they decide matches Hokusai Keys. The
/// YARP recipe is the sample's own code (SampleTests runs it).
/// </summary>
public sealed partial class GatewayRecipeTests
{
    private const string Doc = "docs/gateways.md";

    private static string Single(string language)
    {
        var blocks = MarkdownCodeBlocks.Of(Doc, language);
        Assert.True(blocks.Count == 1, $"{Doc} should show exactly one {language} block, not {blocks.Count}");
        return blocks[0];
    }

    /// <summary>The one <c>yaml</c> block of the doc whose first line names <paramref name="route"/>.</summary>
    private static YamlMappingNode EnvoyConfiguration(string route)
    {
        var blocks = MarkdownCodeBlocks.Of(Doc, "yaml").Where(b => b.Split('\n')[0].Contains(route, StringComparison.Ordinal)).ToList();
        Assert.True(blocks.Count == 1, $"{Doc} should show exactly one Envoy configuration for {route}, not {blocks.Count}");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(blocks[0]));
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode ConnectionManager(YamlMappingNode root) =>
        (YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)root["static_resources"])["listeners"])[0])["filter_chains"])[0])["filters"])[0])["typed_config"];

    private static HashSet<string> Clusters(YamlMappingNode root) =>
        ((YamlSequenceNode)((YamlMappingNode)root["static_resources"])["clusters"]).Cast<YamlMappingNode>().Select(c => ((YamlScalarNode)c["name"]).Value!).ToHashSet();

    private static string Scalar(YamlNode node, params string[] path) =>
        ((YamlScalarNode)path.Aggregate(node, (current, name) => ((YamlMappingNode)current)[name])).Value!;

    private static XDocument ApimPolicy() => XDocument.Parse(Single("xml"));

    [Fact]
    public void The_API_Management_policy_is_well_formed_and_ordered_as_the_policy_reference_requires()
    {
        var policies = ApimPolicy().Root!;
        Assert.Equal("policies", policies.Name.LocalName);
        Assert.Equal(new[] { "inbound", "backend", "outbound", "on-error" }, policies.Elements().Select(e => e.Name.LocalName));
        Assert.All(policies.Elements(), section => Assert.Equal("base", section.Elements().First().Name.LocalName));

        // Child elements in the order of each policy statement (the reference: "set the policy's elements in the order provided").
        string[] sendRequestOrder = ["set-url", "set-method", "set-header", "set-body"];
        string[] returnResponseOrder = ["set-status", "set-header", "set-body"];
        foreach (var element in policies.Descendants())
        {
            var order = element.Name.LocalName switch { "send-request" => sendRequestOrder, "return-response" => returnResponseOrder, _ => null };
            if (order is null) continue;
            var positions = element.Elements().Select(child => Array.IndexOf(order, child.Name.LocalName)).ToList();
            Assert.True(positions.All(p => p >= 0) && positions.SequenceEqual(positions.Order()),
                $"{element.Name.LocalName} children out of order: {string.Join(", ", element.Elements().Select(c => c.Name.LocalName))}");
        }

        var send = Assert.Single(policies.Descendants("send-request"));
        Assert.EndsWith("/api/keys/verify", send.Element("set-url")!.Value, StringComparison.Ordinal);
        Assert.Equal("POST", send.Element("set-method")!.Value);
        Assert.Equal("true", send.Attribute("ignore-error")!.Value);

        // The cache is looked up and filled under one key, for seconds, and that key is a digest, never the key.
        var lookup = Assert.Single(policies.Descendants("cache-lookup-value"));
        var store = Assert.Single(policies.Descendants("cache-store-value"));
        Assert.Equal(lookup.Attribute("key")!.Value, store.Attribute("key")!.Value);
        Assert.InRange(int.Parse(store.Attribute("duration")!.Value, System.Globalization.CultureInfo.InvariantCulture), 1, 30);
        var cacheKey = policies.Descendants("set-variable").Single(v => v.Attribute("name")!.Value == "hokusaiCacheKey").Attribute("value")!.Value;
        Assert.Contains("SHA256", cacheKey);
    }

    [Fact]
    public void The_API_Management_policy_answers_each_verify_code_with_the_status_authorize_gives_it()
    {
        var mapping = ApimPolicy().Root!.Descendants("set-variable").Single(v => v.Attribute("name")!.Value == "hokusaiStatus").Attribute("value")!.Value;
        var listed = new Dictionary<string, int>();
        foreach (Match arm in StatusArm().Matches(mapping))
            foreach (Match code in QuotedCode().Matches(arm.Groups["codes"].Value))
                listed.Add(code.Groups[1].Value, int.Parse(arm.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("default: return 403;", mapping);

        // Codes verify answers as data (200): every one but those it answers as an HTTP status of its own.
        ValidationCode[] answeredAsStatus = [ValidationCode.TooManyFailures, ValidationCode.Unavailable, ValidationCode.LimiterUnavailable, ValidationCode.VerificationBusy];
        foreach (var code in Enum.GetValues<ValidationCode>().Except(answeredAsStatus).Select(c => c.ToWire()))
        {
            var expected = ErrorCatalog.Get(code).Status;
            var actual = listed.TryGetValue(code, out var status) ? status : 403;
            Assert.True(expected == actual, $"the policy answers {code} with {actual}; Hokusai Keys' catalog says {expected}");
        }
        Assert.All(listed.Keys, code => Assert.True(ErrorCatalog.TryGet(code, out _), $"the policy names {code}, which is no Hokusai code"));
    }

    [Fact]
    public void Every_API_Management_policy_expression_compiles_against_the_documented_context()
    {
        var expressions = new List<string>();
        var policy = ApimPolicy();
        var values = policy.Descendants().SelectMany(e => e.Attributes().Select(a => a.Value))
            .Concat(policy.Descendants().Where(e => !e.HasElements).Select(e => e.Value));
        foreach (var raw in values.Select(v => v.Trim()))
        {
            if (raw.StartsWith("@(", StringComparison.Ordinal) && raw.EndsWith(')'))
                expressions.Add($"public static object E{expressions.Count}(IContext context) => ({raw[2..^1]});");
            else if (raw.StartsWith("@{", StringComparison.Ordinal) && raw.EndsWith('}'))
                expressions.Add($"public static object E{expressions.Count}(IContext context) {{ {raw[2..^1]} }}");
        }
        Assert.True(expressions.Count >= 10, $"only {expressions.Count} expressions found");

        var source = ApimContext + "public static class Expressions\n{\n" + string.Join("\n", expressions) + "\n}\n";
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(Newtonsoft.Json.Linq.JObject).Assembly.Location)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("ApimPolicyExpressions", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, "policy expressions that do not compile:\n" + string.Join("\n", errors));

        // And they use only the .NET types API Management allows in expressions.
        var tree = compilation.SyntaxTrees.Single();
        var model = compilation.GetSemanticModel(tree);
        var expressionsClass = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>().Single(c => c.Identifier.Text == "Expressions");
        var bodies = expressionsClass.Members.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>()
            .Select(method => (SyntaxNode?)method.ExpressionBody ?? method.Body!);
        var notAllowed = new SortedSet<string>();
        foreach (var node in bodies.SelectMany(body => body.DescendantNodes()).OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax>())
        {
            var type = model.GetSymbolInfo(node).Symbol switch
            {
                INamedTypeSymbol named => named,
                IMethodSymbol { ReducedFrom: { } extension } => extension.ContainingType,
                IMethodSymbol or IPropertySymbol or IFieldSymbol => model.GetSymbolInfo(node).Symbol!.ContainingType,
                _ => null,
            };
            if (type is null) continue;
            var definition = type.OriginalDefinition;
            var name = definition.ContainingNamespace.IsGlobalNamespace ? definition.Name : definition.ContainingNamespace + "." + definition.MetadataName;
            // The stand-in context's own types (global namespace) are API Management's, not .NET's.
            if (!definition.ContainingNamespace.IsGlobalNamespace && !ApimAllowedTypes.Contains(name)) notAllowed.Add($"{name} ({node})");
        }
        Assert.True(notAllowed.Count == 0, "types API Management does not allow in expressions: " + string.Join(", ", notAllowed));
    }

    /// <summary>The .NET types API Management allows in policy expressions that such a policy is likely to touch (its policy expression reference lists them all).</summary>
    private static readonly HashSet<string> ApimAllowedTypes =
    [
        "Newtonsoft.Json.JsonConvert", "Newtonsoft.Json.Linq.Extensions", "Newtonsoft.Json.Linq.JArray", "Newtonsoft.Json.Linq.JContainer",
        "Newtonsoft.Json.Linq.JObject", "Newtonsoft.Json.Linq.JProperty", "Newtonsoft.Json.Linq.JToken", "Newtonsoft.Json.Linq.JValue",
        "System.Array", "System.BitConverter", "System.Boolean", "System.Byte", "System.Char", "System.Convert", "System.DateTime",
        "System.DateTimeOffset", "System.Guid", "System.Int32", "System.Int64", "System.Linq.Enumerable", "System.Math", "System.Nullable`1",
        "System.Security.Cryptography.HashAlgorithm", "System.Security.Cryptography.SHA256", "System.String", "System.StringComparison",
        "System.StringSplitOptions", "System.Text.Encoding", "System.TimeSpan", "System.Uri",
        "System.Collections.Generic.IReadOnlyDictionary`2", "System.Collections.Generic.IEnumerable`1",
        "System.Object", // what every type has: ==, ToString()
    ];

    /// <summary>
    /// The members of API Management's <c>context</c> the policy may use, as its policy expression reference lists them
    /// (context.Request, .Variables, IResponse, IMessageBody, IUrl and the GetValueOrDefault helpers), and the namespaces
    /// its allowed types come from.
    /// </summary>
    private const string ApimContext = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Text;
        using System.Text.RegularExpressions;
        using System.Xml.Linq;
        using Newtonsoft.Json;
        using Newtonsoft.Json.Linq;

        public interface IMessageBody { T As<T>(bool preserveContent = false); }
        public interface IUrl
        {
            string Host { get; } string Path { get; } int Port { get; } string QueryString { get; } string Scheme { get; }
            IReadOnlyDictionary<string, string[]> Query { get; }
        }
        public interface IRequest
        {
            IMessageBody Body { get; } IReadOnlyDictionary<string, string[]> Headers { get; } string IpAddress { get; }
            IReadOnlyDictionary<string, string> MatchedParameters { get; } string Method { get; } IUrl OriginalUrl { get; } IUrl Url { get; }
        }
        public interface IResponse
        {
            IMessageBody Body { get; } IReadOnlyDictionary<string, string[]> Headers { get; } int StatusCode { get; } string StatusReason { get; }
        }
        public interface IContext
        {
            IRequest Request { get; } IResponse Response { get; } IReadOnlyDictionary<string, object> Variables { get; }
            Guid RequestId { get; } DateTime Timestamp { get; } TimeSpan Elapsed { get; } bool Tracing { get; } void Trace(string message);
        }
        public static class ContextExtensions
        {
            public static string GetValueOrDefault(this IReadOnlyDictionary<string, string[]> values, string name, string defaultValue) =>
                values.TryGetValue(name, out var value) ? string.Join(",", value) : defaultValue;
            public static T GetValueOrDefault<T>(this IReadOnlyDictionary<string, object> variables, string name, T defaultValue) =>
                variables.TryGetValue(name, out var value) ? (T)value : defaultValue;
        }

        """;

    [Fact]
    public void The_Envoy_Lua_configuration_parses_and_defines_every_cluster_it_uses()
    {
        var root = EnvoyConfiguration("/api/authorize");
        var manager = ConnectionManager(root);

        var filters = ((YamlSequenceNode)manager["http_filters"]).Cast<YamlMappingNode>().ToList();
        Assert.Equal(new[] { "envoy.filters.http.lua", "envoy.filters.http.router" }, filters.Select(f => ((YamlScalarNode)f["name"]).Value));
        Assert.Equal("type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua", Scalar(filters[0], "typed_config", "@type"));

        var routed = manager.AllNodes.OfType<YamlMappingNode>()
            .Where(n => n.Children.ContainsKey("cluster"))
            .Select(n => ((YamlScalarNode)n["cluster"]).Value!);
        var script = Scalar(filters[0], "typed_config", "default_source_code", "inline_string");
        var called = HttpCallCluster().Matches(script).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(called);
        Assert.All(routed.Concat(called), cluster => Assert.Contains(cluster, Clusters(root)));
        Assert.Contains("\"/api/authorize\"", script);
    }

    [Fact]
    public void The_Envoy_ext_authz_configuration_checks_at_the_ext_authz_route_and_fails_closed()
    {
        var root = EnvoyConfiguration("/api/ext-authz");
        var manager = ConnectionManager(root);
        var filters = ((YamlSequenceNode)manager["http_filters"]).Cast<YamlMappingNode>().ToList();
        Assert.Equal(
            new[] { "envoy.filters.http.header_mutation", "envoy.filters.http.ext_authz", "envoy.filters.http.header_mutation", "envoy.filters.http.router" },
            filters.Select(f => Scalar(f, "name")));

        // Before the check, every identity header the check can set is removed, so a client cannot supply its own.
        var removedFirst = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)filters[0]["typed_config"])["mutations"])["request_mutations"])
            .Cast<YamlMappingNode>().Select(m => Scalar(m, "remove")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var endpoint = ApiEndpoints.All.Single(e => e.Name == "ExtAuthz");
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "openapi.json")))!;
        var identityHeaders = document["paths"]![endpoint.DocumentPath]!["get"]!["responses"]!["200"]!["headers"]!.AsObject()
            .Select(h => h.Key).Where(h => h.StartsWith("X-Hokusai-", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(identityHeaders);
        Assert.All(identityHeaders, header => Assert.Contains(header, removedFirst));

        var extAuthz = (YamlMappingNode)filters[1]["typed_config"];
        Assert.Equal("false", Scalar(extAuthz, "failure_mode_allow"));
        Assert.Equal("ServiceUnavailable", Scalar(extAuthz, "status_on_error", "code"));
        var route = endpoint.Route;
        Assert.Equal("/" + ApiRoutes.Prefix + "/" + route[..route.IndexOf("/{*", StringComparison.Ordinal)], Scalar(extAuthz, "http_service", "path_prefix"));
        Assert.Contains(Scalar(extAuthz, "http_service", "server_uri", "cluster"), Clusters(root));
        var upstream = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)extAuthz["http_service"])["authorization_response"])["allowed_upstream_headers"])["patterns"];
        Assert.Contains(upstream.Cast<YamlMappingNode>(), p => p.Children.TryGetValue("prefix", out var prefix) && ((YamlScalarNode)prefix).Value == "x-hokusai-");

        // After the check, the key is removed on its way to the application.
        var removedAfter = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)filters[2]["typed_config"])["mutations"])["request_mutations"])
            .Cast<YamlMappingNode>().Select(m => Scalar(m, "remove"));
        Assert.Equal(new[] { "authorization", "x-api-key" }, removedAfter);

        var routed = manager.AllNodes.OfType<YamlMappingNode>().Where(n => n.Children.ContainsKey("cluster")).Select(n => ((YamlScalarNode)n["cluster"]).Value!);
        Assert.All(routed, cluster => Assert.Contains(cluster, Clusters(root)));
    }

    [Fact]
    public void The_YARP_recipe_is_the_sample_that_is_built_and_run()
    {
        string Sample(string file) => File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "Gateway.Yarp", file)).ReplaceLineEndings("\n").TrimEnd() + "\n";
        Assert.Equal(Sample("Program.cs"), Single("csharp"));
        Assert.Equal(Sample("appsettings.json"), Single("json"));
    }

    [GeneratedRegex("""(?<codes>(?:case "[A-Z_]+":\s*)+)return (?<status>\d{3});""")]
    private static partial Regex StatusArm();

    [GeneratedRegex("\"([A-Z_]+)\"")]
    private static partial Regex QuotedCode();

    [GeneratedRegex("httpCall\\(\\s*\"([^\"]+)\"")]
    private static partial Regex HttpCallCluster();
}
