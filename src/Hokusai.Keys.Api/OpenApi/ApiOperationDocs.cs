using System.Text.Json;
using System.Text.Json.Nodes;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.OpenApi;

namespace Hokusai.Keys.Api.OpenApi;

/// <summary>
/// What the route table says about an operation beyond its bodies and statuses: parameters, response headers,
/// examples, security. <see cref="ApplyConventions"/> adds what every operation of a kind shares (the server registers it
/// as an operation transformer), so a route states only what is its own.
/// </summary>
public static class ApiOperationDocs
{
    public const string BearerScheme = "bearer";
    public const string ApiKeyHeaderScheme = "apiKeyHeader";
    public const string ApiKeyQueryScheme = "apiKeyQuery";
    public const string ProblemJson = "application/problem+json";

    /// <summary>Describes the operation further (runs when the document is generated).</summary>
    public static RouteHandlerBuilder Document(this RouteHandlerBuilder builder, Action<OpenApiOperation, OpenApiDocument> describe) =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            describe(operation, context.Document ?? throw new InvalidOperationException("No document to describe the operation in."));
            return Task.CompletedTask;
        });

    /// <summary>
    /// Shared by every operation: its security, the <c>default</c> problem (405, 408, 500 and any other status of the
    /// HTTP layer), 415 for a JSON body, <c>WWW-Authenticate</c> on 401 and <c>Retry-After</c> on 429 and 503.
    /// </summary>
    public static void ApplyConventions(OpenApiOperation operation, ApiEndpoint endpoint, OpenApiDocument document)
    {
        if (endpoint.Auth is not null)
            operation.Security = [Requirement(document, BearerScheme), Requirement(document, ApiKeyHeaderScheme)];
        else if (operation.Security is not { Count: > 0 })
            operation.Security = [new OpenApiSecurityRequirement()]; // public: no credential

        var responses = operation.Responses ??= new OpenApiResponses();
        if (endpoint.Body is not null && !responses.ContainsKey("415"))
            responses["415"] = Problem(document, "Unsupported Media Type: the body must be application/json.");
        responses["default"] = Problem(document,
            "Any other error, as a problem: e.g. 405 METHOD_NOT_ALLOWED, 408 REQUEST_TIMEOUT, 500 INTERNAL_ERROR (a trace id, no details).");

        foreach (var (status, response) in responses)
        {
            if (response is not OpenApiResponse concrete) continue;
            switch (status)
            {
                case "401":
                    AddHeader(concrete, "WWW-Authenticate", true, ApiSchemaRules.Enum(["Bearer"]), "The credential this operation takes.");
                    break;
                case "429":
                case "503":
                    AddHeader(concrete, "Retry-After", true, Seconds(), "Seconds to wait before trying again.");
                    break;
            }
        }
    }

    public static OpenApiOperation Parameters(this OpenApiOperation operation, params OpenApiParameter[] parameters)
    {
        operation.Parameters ??= [];
        foreach (var parameter in parameters) operation.Parameters.Add(parameter);
        return operation;
    }

    /// <summary>Describes the <c>{id}</c> path parameter the generator found.</summary>
    public static OpenApiOperation KeyIdPath(this OpenApiOperation operation)
    {
        var id = operation.Parameters?.OfType<OpenApiParameter>().SingleOrDefault(p => p.In == ParameterLocation.Path && p.Name == "id")
            ?? throw new InvalidOperationException("The operation has no {id} path parameter.");
        id.Description = "The key's id.";
        id.Schema = ApiSchemaRules.KeyId();
        return operation;
    }

    public static OpenApiOperation Header(this OpenApiOperation operation, int status, string name, bool required, IOpenApiSchema schema, string description)
    {
        AddHeader(Response(operation, status), name, required, schema, description);
        return operation;
    }

    /// <summary>The IETF RateLimit fields of a key with limits (docs/rate-limits.md).</summary>
    public static OpenApiOperation RateLimitHeaders(this OpenApiOperation operation, int status) => operation
        .Header(status, "RateLimit-Policy", false, new OpenApiSchema { Type = JsonSchemaType.String, Pattern = LimitListPattern("q", "w") },
            "The key's limits: \"rate\";q=<limit>;w=<window seconds> and/or \"quota\";q=<limit>;w=<period seconds>.")
        .Header(status, "RateLimit", false, new OpenApiSchema { Type = JsonSchemaType.String, Pattern = LimitListPattern("r", "t") },
            "Where the limits stand: \"rate\";r=<remaining>;t=<seconds to full> and/or \"quota\";r=<remaining>;t=<seconds to reset>.");

    /// <summary><c>Location</c> of the new key and <c>Cache-Control: no-store</c> (the body holds a plaintext key).</summary>
    public static OpenApiOperation CreatedKeyHeaders(this OpenApiOperation operation, int status) => operation
        .Header(status, "Location", true, new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^/api/keys/[0-9A-Za-z]{16}$" }, "The new key's URL.")
        .Header(status, "Cache-Control", true, ApiSchemaRules.Enum(["no-store"]), "The answer holds a plaintext key: never cached.");

    public static OpenApiOperation RequestExample(this OpenApiOperation operation, object example)
    {
        var body = operation.RequestBody as OpenApiRequestBody ?? throw new InvalidOperationException("The operation has no request body.");
        foreach (var media in body.Content?.Values ?? []) media.Example = Json(example);
        return operation;
    }

    public static OpenApiOperation Example(this OpenApiOperation operation, int status, object example)
    {
        var content = Response(operation, status).Content ?? throw new InvalidOperationException($"The {status} response has no content.");
        foreach (var media in content.Values) media.Example = Json(example);
        return operation;
    }

    public static OpenApiOperation HeaderExample(this OpenApiOperation operation, int status, string name, string example)
    {
        var header = Response(operation, status).Headers?[name] as OpenApiHeader ?? throw new InvalidOperationException($"No header {name} on {status}.");
        header.Example = JsonValue.Create(example);
        return operation;
    }

    /// <summary>
    /// Describes a catch-all path parameter (<c>{*name}</c>): the rest of the path, slashes included, which OpenAPI's
    /// path parameters cannot express exactly.
    /// </summary>
    public static OpenApiOperation RestOfPath(this OpenApiOperation operation, string name, string description)
    {
        var parameter = operation.Parameters?.OfType<OpenApiParameter>().SingleOrDefault(p => p.In == ParameterLocation.Path && p.Name == name);
        if (parameter is null)
        {
            parameter = new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true };
            operation.Parameters(parameter);
        }
        parameter.Description = description;
        parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
        return operation;
    }

    public static OpenApiParameter Query(string name, IOpenApiSchema schema, string description, JsonNode? example = null) =>
        new() { Name = name, In = ParameterLocation.Query, Schema = schema, Description = description, Example = example };

    public static OpenApiParameter RequestHeader(string name, IOpenApiSchema schema, string description, JsonNode? example = null) =>
        new() { Name = name, In = ParameterLocation.Header, Schema = schema, Description = description, Example = example };

    public static OpenApiParameter Limit(int max) => Query("limit",
        new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int32",
            Minimum = "1",
            Maximum = max.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Default = JsonValue.Create(KeyManagementService.DefaultPageSize),
        },
        "Items per page.");

    public static OpenApiParameter Cursor() => Query("cursor", new OpenApiSchema { Type = JsonSchemaType.String },
        "The `nextCursor` of the previous page (opaque); absent for the first page.");

    public static OpenApiSecurityRequirement Requirement(OpenApiDocument document, string scheme) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    public static OpenApiSchema Seconds() => new() { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1" };

    private static string LimitListPattern(string first, string second)
    {
        var item = $"\"(rate|quota)\";{first}=[0-9]+;{second}=[0-9]+";
        return $"^{item}(, {item})?$";
    }

    private static OpenApiResponse Problem(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ProblemJson] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemResponse), document) },
        },
    };

    private static OpenApiResponse Response(OpenApiOperation operation, int status) =>
        operation.Responses?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] as OpenApiResponse
        ?? throw new InvalidOperationException($"The operation has no {status} response.");

    private static void AddHeader(OpenApiResponse response, string name, bool required, IOpenApiSchema schema, string description)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Required = required, Schema = schema, Description = description };
    }

    private static JsonNode Json(object example) => example as JsonNode ?? JsonSerializer.SerializeToNode(example, example.GetType(), ApiJson.Options)!;
}
