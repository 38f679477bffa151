using System.Reflection;
using System.Text.Json.Nodes;
using Hokusai.Keys.Api;
using Hokusai.Keys.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Functions.Tests;

/// <summary>Both hosts expose the same API: the Functions build's metadata and the server's endpoints name the same (method, route) set.</summary>
public class HostParityTests
{
    private static string MetadataPath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
        var path = Path.Combine(RepoPaths.Root, "src", "Hokusai.Keys.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: the Functions build writes it");
        return path;
    }

    private static HashSet<string> FunctionRoutes(out Dictionary<string, string> triggerTypes)
    {
        var routes = new HashSet<string>();
        triggerTypes = [];
        foreach (var function in JsonNode.Parse(File.ReadAllText(MetadataPath()))!.AsArray())
        {
            var name = function!["name"]!.GetValue<string>();
            var trigger = function["bindings"]!.AsArray().First(b => b!["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))!;
            triggerTypes[name] = trigger["type"]!.GetValue<string>();
            if (!string.Equals(triggerTypes[name], "httpTrigger", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var method in trigger["methods"]!.AsArray())
                routes.Add($"{method!.GetValue<string>().ToUpperInvariant()} /api/{trigger["route"]!.GetValue<string>()}");
        }
        return routes;
    }

    [Fact]
    public async Task The_server_exposes_exactly_the_routes_of_the_functions_app()
    {
        var functionRoutes = FunctionRoutes(out _);
        using var server = (await ServerGroup.CreateAsync()).StartServer();
        var serverRoutes = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet();

        Assert.NotEmpty(functionRoutes);
        Assert.Equal(functionRoutes.Order(), serverRoutes.Order());
    }

    [Fact]
    public void Function_names_match_the_route_table()
    {
        FunctionRoutes(out var triggers);
        var httpFunctions = triggers.Where(t => string.Equals(t.Value, "httpTrigger", StringComparison.OrdinalIgnoreCase)).Select(t => t.Key);
        Assert.Equal(ApiEndpoints.All.Select(e => e.Name).Order(), httpFunctions.Order());
    }

    [Fact]
    public void The_functions_worker_hands_requests_to_its_host_with_the_query_key_redacted()
    {
        using var host = FunctionsTestHost.Build();
        // The worker's own Kestrel (behind the Functions host) is wrapped like the standalone server's.
        var server = host.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
        Assert.Equal(typeof(Hokusai.Keys.Api.Http.QueryKeyRedaction), server.GetType().DeclaringType);
    }

    [Fact]
    public void Each_function_declares_the_method_and_route_of_its_table_entry()
    {
        foreach (var function in JsonNode.Parse(File.ReadAllText(MetadataPath()))!.AsArray())
        {
            var trigger = function!["bindings"]!.AsArray().First(b => b!["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))!;
            if (!string.Equals(trigger["type"]!.GetValue<string>(), "httpTrigger", StringComparison.OrdinalIgnoreCase)) continue;
            var name = function["name"]!.GetValue<string>();
            var endpoint = ApiEndpoints.All.Single(e => e.Name == name);
            Assert.Equal(endpoint.Route, trigger["route"]!.GetValue<string>());
            Assert.Equal(endpoint.Methods, trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()));
        }
    }

    [Fact]
    public async Task Each_function_of_an_authenticated_route_refuses_an_unauthenticated_request()
    {
        using var host = FunctionsTestHost.Build();
        var authenticated = ApiEndpoints.All.Where(e => e.Auth is not null).Select(e => e.Name).ToHashSet();
        var checkedNames = new List<string>();
        foreach (var type in FunctionClasses())
        {
            var instance = ActivatorUtilities.CreateInstance(host.Services, type);
            foreach (var method in type.GetMethods())
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function || !authenticated.Contains(function.Name)) continue;
                var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = host.Services };
                var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(Microsoft.AspNetCore.Http.HttpRequest) ? context.Request : (object)"AAAAAAAAAAAAAAAA").ToArray();
                var result = await (Task<Microsoft.AspNetCore.Mvc.IActionResult>)method.Invoke(instance, arguments)!;
                await result.ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext { HttpContext = context });
                Assert.True(context.Response.StatusCode == 401, $"{function.Name} answered {context.Response.StatusCode} without a key");
                checkedNames.Add(function.Name);
            }
        }
        Assert.Equal(authenticated.Order(), checkedNames.Order());
    }

    /// <summary>
    /// Request-format errors come from the shared route table and body reader, so the worker answers them as the
    /// server does: a literal route's path with another method (the Functions runtime would hand GET /api/keys/verify
    /// to GetKey), a body of another media type, duplicate JSON properties. (Unmatched routes and methods, and requests
    /// the runtime's own HTTP server refuses, never reach the worker: docs/api.md.)
    /// </summary>
    [Theory]
    [InlineData("GetKey", "GET", "verify", null, null)]
    [InlineData("UpdateKey", "PATCH", "verify", "application/json", """{"name":"x"}""")]
    [InlineData("VerifyKey", "POST", null, "text/plain", """{"key":"hk_live_x"}""")]
    [InlineData("VerifyKey", "POST", null, "application/x-www-form-urlencoded", "key=hk_live_x")]
    [InlineData("VerifyKey", "POST", null, null, """{"key":"hk_live_x"}""")]
    [InlineData("VerifyKey", "POST", null, "application/json", """{"key":"hk_live_a","key":"hk_live_b"}""")]
    public async Task The_functions_worker_answers_request_format_errors_as_the_server_does(string function, string method, string? id, string? contentType, string? body)
    {
        var endpoint = ApiEndpoints.All.Single(e => e.Name == function);
        var path = "/api/" + endpoint.Route.Replace("{id}", id, StringComparison.Ordinal);

        using var server = (await ServerGroup.CreateAsync(withRedis: false)).StartServer();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
            if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        using var served = await server.Client().SendAsync(request);
        var expected = ((int)served.StatusCode, ProblemCode(await served.Content.ReadAsStringAsync()), string.Join(", ", served.Content.Headers.Allow));

        using var host = FunctionsTestHost.Build();
        var (type, functionMethod) = FunctionClasses().SelectMany(t => t.GetMethods().Select(m => (Type: t, Method: m)))
            .Single(f => f.Method.GetCustomAttribute<FunctionAttribute>()?.Name == function);
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = host.Services };
        context.Request.Method = method;
        context.Request.Path = path;
        if (body is not null)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = contentType;
        }
        context.Response.Body = new MemoryStream();
        var arguments = functionMethod.GetParameters().Select(p => p.ParameterType == typeof(Microsoft.AspNetCore.Http.HttpRequest) ? context.Request : (object?)id).ToArray();
        var result = await (Task<Microsoft.AspNetCore.Mvc.IActionResult>)functionMethod.Invoke(ActivatorUtilities.CreateInstance(host.Services, type), arguments)!;
        await result.ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext { HttpContext = context });
        context.Response.Body.Position = 0;
        var answered = (context.Response.StatusCode, ProblemCode(await new StreamReader(context.Response.Body).ReadToEndAsync()), context.Response.Headers.Allow.ToString());

        Assert.True(expected.Item1 is 400 or 405 or 415, $"the server answered {expected}");
        Assert.Equal(expected, answered);
    }

    private static string? ProblemCode(string body) => body.Length == 0 ? null : JsonNode.Parse(body)?["code"]?.GetValue<string>();

    [Fact]
    public void The_functions_host_builds_and_resolves_every_function_class()
    {
        using var host = FunctionsTestHost.Build();
        var functionClasses = FunctionClasses();
        Assert.NotEmpty(functionClasses);
        foreach (var type in functionClasses)
            Assert.NotNull(ActivatorUtilities.CreateInstance(host.Services, type));
    }

    private static List<Type> FunctionClasses() => typeof(FunctionsHostSetup).Assembly.GetTypes()
        .Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null)).ToList();

    /// <summary>
    /// A deployed app must share one usable pepper across instances: without one (or with the literal text of a Key Vault
    /// reference App Service could not resolve) the host does not start, rather than fail requests later.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/cache-pepper)")]
    [InlineData("too-short")]
    public void The_functions_host_refuses_to_start_without_a_usable_cache_pepper(string pepper)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hokusai:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Hokusai:Security:CachePepper"] = pepper,
        });
        var refused = Assert.Throws<InvalidOperationException>(() => builder.ConfigureHokusaiFunctions());
        Assert.Contains("CachePepper", refused.Message, StringComparison.Ordinal);
    }
}
