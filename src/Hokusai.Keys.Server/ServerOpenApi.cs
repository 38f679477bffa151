using Microsoft.OpenApi;

namespace Hokusai.Keys.Server;

/// <summary>Generates the OpenAPI document from the route table (enabled by <c>Hokusai:OpenApi:Generate</c>; committed as docs/openapi.json).</summary>
public static class ServerOpenApi
{
    public static IServiceCollection AddHokusaiOpenApi(this IServiceCollection services) =>
        // The generator describes JSON as these options write it: the same options as the handlers use.
        services.ConfigureHttpJsonOptions(o => Hokusai.Keys.Api.Http.ApiJson.Configure(o.SerializerOptions)).AddOpenApi("v1", options =>
        {
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                var body = context.Description.ActionDescriptor.EndpointMetadata.OfType<JsonBodyMetadata>().FirstOrDefault();
                if (body is null) return;
                var schema = await context.GetOrCreateSchemaAsync(body.BodyType, null, cancellationToken);
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = body.Required,
                    Content = body.MediaTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = schema }),
                };
            });
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Hokusai Keys API",
                    Version = "1.0",
                    Description = "Issue, manage and validate API keys. Management routes take an API key in 'Authorization: Bearer' or 'X-API-Key' "
                        + "(scope admin: every owner; keys:write / keys:read: the caller's owner). Errors are RFC 9457 problem+json with a machine 'code'.",
                };
                document.Servers = [new OpenApiServer { Url = "http://localhost:7071" }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    ["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API key (hk_live_… or hk_test_…)." },
                    ["apiKeyHeader"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-API-Key" },
                };
                return Task.CompletedTask;
            });
        });
}
