// A YARP reverse proxy that lets a request through only with a valid Hokusai API key, and tells the application behind
// it who called (X-Hokusai-Key-Id, X-Hokusai-Owner, X-Hokusai-Scopes) instead of passing the key on.
using System.Security.Claims;
using Hokusai.Keys.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Yarp.ReverseProxy.Transforms;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddAuthentication(HokusaiApiKeyDefaults.AuthenticationScheme)
    .AddHokusaiApiKey(options =>
    {
        options.Client.Endpoint = new Uri(builder.Configuration["Hokusai:Endpoint"] ?? "http://localhost:7071");
        // Each gateway instance reuses a valid answer this long: a revoked key can pass until then.
        options.ValidCacheDuration = TimeSpan.FromSeconds(5);
    });
builder.Services.AddAuthorizationBuilder()
    // A route without an AuthorizationPolicy still needs a valid key ("anonymous" opts a route out).
    .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
    .AddPolicy("models.read", policy => policy.RequireScope("models:read"));

builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddTransforms(transforms =>
    {
        // The application gets who called, never the key, nor X-Hokusai-* headers the client made up.
        transforms.AddRequestHeaderRemove("Authorization");
        transforms.AddRequestHeaderRemove("X-API-Key");
        transforms.AddQueryRemoveKey("api_key");
        transforms.AddRequestTransform(context =>
        {
            var caller = context.HttpContext.User;
            SetHeader(context, "X-Hokusai-Key-Id", caller.FindFirstValue(HokusaiClaimTypes.KeyId));
            SetHeader(context, "X-Hokusai-Owner", caller.FindFirstValue(HokusaiClaimTypes.Owner));
            SetHeader(context, "X-Hokusai-Scopes", string.Join(' ', caller.FindAll(HokusaiClaimTypes.Scope).Select(scope => scope.Value)));
            return ValueTask.CompletedTask;
        });
    });

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapReverseProxy();
app.Run();

static void SetHeader(RequestTransformContext context, string name, string? value)
{
    RequestTransform.RemoveHeader(context, name);
    if (!string.IsNullOrEmpty(value)) RequestTransform.AddHeader(context, name, value);
}
