using Hokusai.Keys.Api;
using Hokusai.Keys.Api.OpenApi;
using Hokusai.Keys.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Hokusai.Keys.Server;

/// <summary>
/// Generates the OpenAPI document from the route table (enabled by <c>Hokusai:OpenApi:Generate</c>; committed as
/// docs/openapi.json): each route's own description (<see cref="ApiEndpoints"/>), what every route of a kind shares
/// (<see cref="ApiOperationDocs.ApplyConventions"/>) and the field rules (<see cref="ApiSchemaRules"/>).
/// </summary>
public static class ServerOpenApi
{
    public static IServiceCollection AddHokusaiOpenApi(this IServiceCollection services) =>
        // The generator describes JSON as these options write it: the same options as the handlers use.
        services.ConfigureHttpJsonOptions(o => Hokusai.Keys.Api.Http.ApiJson.Configure(o.SerializerOptions)).AddOpenApi("v1", options =>
        {
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                var document = context.Document ?? throw new InvalidOperationException("No document to describe the operation in.");
                var body = context.Description.ActionDescriptor.EndpointMetadata.OfType<JsonBodyMetadata>().FirstOrDefault();
                if (body is not null)
                {
                    // A component per body type (clients name their request types after it), referenced from the operation.
                    var schema = await context.GetOrCreateSchemaAsync(body.BodyType, null, cancellationToken);
                    document.Components ??= new OpenApiComponents();
                    document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
                    var name = ComponentName(body.BodyType);
                    document.Components.Schemas.TryAdd(name, schema);
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = body.Required,
                        Content = body.MediaTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = new OpenApiSchemaReference(name, document) }),
                    };
                }
                var endpoint = ApiEndpoints.All.Single(e => e.Name == operation.OperationId);
                // A route of several methods is an operation per method, each with an id of its own.
                if (endpoint.Methods.Count > 1)
                    operation.OperationId = endpoint.Name + System.Globalization.CultureInfo.InvariantCulture.TextInfo.ToTitleCase(context.Description.HttpMethod!.ToLowerInvariant());
                ApiOperationDocs.ApplyConventions(operation, endpoint, document);
            });
            options.AddDocumentTransformer((document, context, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Hokusai Keys API",
                    Version = "1.0",
                    Description = "Issue, manage and validate API keys. Management routes take an API key in 'Authorization: Bearer' or 'X-API-Key' "
                        + "(scope admin: every owner; keys:write / keys:read: the caller's owner). Errors are RFC 9457 problem+json with a machine 'code'.",
                };
                document.Servers = [new OpenApiServer { Url = "http://localhost:7071", Description = "./run.sh" }];
                document.Tags = new HashSet<OpenApiTag>
                {
                    new() { Name = "Keys", Description = "Key management: needs a key with scope admin, keys:write or keys:read." },
                    new() { Name = "Validation", Description = "Checking keys: verify answers as data, authorize as a status (for gateways)." },
                    new() { Name = "Usage", Description = "Uses counted outside the platform: needs a key with scope usage:report, keys:watch or admin." },
                    new() { Name = "System", Description = "Health and this document." },
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [ApiOperationDocs.BearerScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API key (hk_live_… or hk_test_…) as 'Authorization: Bearer <key>'.",
                    },
                    [ApiOperationDocs.ApiKeyHeaderScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-API-Key", Description = "An API key in the X-API-Key header.",
                    },
                    [ApiOperationDocs.ApiKeyQueryScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Query, Name = "api_key",
                        Description = "An API key as ?api_key= (authorize only, for clients that cannot set headers; redacted before anything logs the URL).",
                    },
                };
                ApiSchemaRules.Apply(document, context.ApplicationServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value.MaxCost);
                return Task.CompletedTask;
            });
        });

    /// <summary>A body's component name: its type's, or for a list its element type's plus "List" (clients name types after it).</summary>
    public static string ComponentName(Type bodyType) =>
        bodyType.IsGenericType && bodyType.GetGenericTypeDefinition() == typeof(List<>) ? bodyType.GetGenericArguments()[0].Name + "List" : bodyType.Name;
}
