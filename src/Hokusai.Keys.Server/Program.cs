using Hokusai.Keys.Api;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Azure;
using Hokusai.Keys.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;

if (args.Length > 0 && args[0] == BootstrapCommand.Name)
    return await BootstrapCommand.RunAsync(args[1..]);

// The content root is the app's own directory (its appsettings.json), whatever directory it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
// Kestrel hands requests over with ?api_key= already redacted, before the host logs or traces their URL.
builder.Services.AddHokusaiQueryKeyRedaction();
// Kestrel's I/O queues are one more hand-off between a socket and the request code. On the small instances this runs
// on, scheduling straight to the thread pool lowered /api/authorize's p99 (docs/performance.md); bigger machines may
// set Hokusai:Server:IOQueueCount back to Kestrel's default (one queue per core, at most 16).
builder.WebHost.UseSockets(sockets => sockets.IOQueueCount = builder.Configuration.GetValue("Hokusai:Server:IOQueueCount", 0));
// Requests Kestrel refuses before the application (a NUL in the path, a 10 KB request line) get problem bodies too.
// Kestrel logs such a request's raw request line, ?api_key= included, at Debug in this category, before anything could
// redact it; nothing else it logs there is below Information. Added after the configuration's rules, this one wins over
// any configured level but a provider-specific one (docs/operations.md).
builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Information);
builder.Services.AddSingleton<KestrelRejectionProblems>();
builder.Services.AddOptions<KestrelServerOptions>().Configure<KestrelRejectionProblems>((kestrel, rejections) =>
    kestrel.ConfigureEndpointDefaults(listen => listen.Use(rejections.Wrap)));
builder.Services.AddHokusaiKeysApi(builder.Configuration);
builder.Services.AddHokusaiBackgroundWorkers(builder.Configuration); // usage queue consumer and lifecycle timers (Functions: triggers)
builder.Services.AddHokusaiServerTelemetry(builder.Configuration);
var generateOpenApi = builder.Configuration.GetValue<bool>("Hokusai:OpenApi:Generate");
if (generateOpenApi) builder.Services.AddHokusaiOpenApi();

var app = builder.Build();
app.UseHokusaiProblemStatusPages();
app.MapHokusaiKeysApi();
if (generateOpenApi) app.MapOpenApi("/openapi/{documentName}.json");
if (builder.Configuration.GetValue<bool>("Hokusai:Benchmark:NoOpEndpoint"))
    app.MapGet("/bench/noop", () => Results.NoContent()).ExcludeFromDescription();
await app.RunAsync();
return 0;

/// <summary>Entry point for WebApplicationFactory in tests.</summary>
public partial class Program;
