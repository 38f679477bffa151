// An existing service moving onto Hokusai keys without breaking anyone (docs/migration.md): until the setting
// Hokusai:EnforceKeys is true, a request without a key is served as before; a request with a key is always checked.
using System.Security.Claims;
using Hokusai.Keys.AspNetCore;
using Microsoft.AspNetCore.Authorization;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddAuthentication(HokusaiApiKeyDefaults.AuthenticationScheme)
    .AddHokusaiApiKey(options =>
        options.Client.Endpoint = new Uri(builder.Configuration["Hokusai:Endpoint"] ?? "http://localhost:7071"));

// Read per request, so switching enforcement on (or back off) is a configuration change, not a deployment.
builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder()
    .RequireAssertion(context =>
        context.User.Identity?.IsAuthenticated == true
        || (context.Resource is HttpContext http
            && !http.RequestServices.GetRequiredService<IConfiguration>().GetValue<bool>("Hokusai:EnforceKeys")
            && !PresentsKey(http.Request)))
    .Build());

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/models", (ClaimsPrincipal caller) => new
{
    caller = caller.FindFirstValue(HokusaiClaimTypes.KeyId) ?? "anonymous",
    models = new[] { "churn-v3", "forecast-v1" },
});

app.Run();

// Where the Hokusai handler looks for a key: a request that sends one is never served anonymously.
static bool PresentsKey(HttpRequest request) =>
    request.Headers.Authorization.Count > 0 || request.Headers.ContainsKey("X-API-Key") || request.Query.ContainsKey("api_key");
