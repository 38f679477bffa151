// A minimal API that accepts Hokusai API keys: each request's key is verified by the Hokusai Keys API
// (answers cached briefly), and endpoints require scopes through authorization policies.
using System.Security.Claims;
using Hokusai.Keys.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddAuthentication(HokusaiApiKeyDefaults.AuthenticationScheme)
    .AddHokusaiApiKey(options =>
        options.Client.Endpoint = new Uri(builder.Configuration["Hokusai:Endpoint"] ?? "http://localhost:7071"));
builder.Services.AddAuthorizationBuilder()
    .AddPolicy("models.read", policy => policy.RequireScope("models:read"))
    .AddPolicy("models.write", policy => policy.RequireScope("models:write"));

var app = builder.Build();

// Behind a reverse proxy, call app.UseForwardedHeaders() here first: IP allow-lists check the caller's address.
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/health", () => "ok");

app.MapGet("/models", (ClaimsPrincipal caller) => new
{
    keyId = caller.FindFirstValue(HokusaiClaimTypes.KeyId),
    owner = caller.FindFirstValue(HokusaiClaimTypes.Owner),
    models = new[] { "churn-v3", "forecast-v1" },
}).RequireAuthorization("models.read");

app.MapPost("/models/{name}/deploy", (string name, ClaimsPrincipal caller) =>
    Results.Accepted(value: new { model = name, requestedBy = caller.FindFirstValue(HokusaiClaimTypes.KeyId) }))
    .RequireAuthorization("models.write");

app.Run();
