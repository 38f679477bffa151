using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Hokusai.Keys.Functions.Tests;

/// <summary>The Functions app's host as the worker builds it (no Functions host process; nothing it reaches is started).</summary>
internal static class FunctionsTestHost
{
    public static IHost Build()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hokusai:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Hokusai:Redis:ConnectionString"] = "127.0.0.1:1",
            ["Hokusai:Security:CachePepper"] = "functions-host-test-pepper-0123456789",
        });
        builder.ConfigureHokusaiFunctions();
        return builder.Build();
    }
}
