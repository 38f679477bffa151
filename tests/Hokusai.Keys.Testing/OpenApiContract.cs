using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hokusai.Keys.Api;
using Json.Schema;

namespace Hokusai.Keys.Testing;

/// <summary>
/// docs/openapi.json as the contract every response of the HTTP tests is held to (<see cref="OpenApiCheckingHandler"/>):
/// its status must be documented for its operation, its Content-Type and body must match the documented media type and
/// schema, every documented header must be there when required and match its schema when present, and no other header
/// may appear than HTTP's own. The <c>default</c> response stands only for the statuses of the HTTP layer
/// (<see cref="DefaultStatuses"/>); every other status must be listed. A request no operation documents (an unknown
/// path, another method) may only be answered with a problem. Schemas are compiled once per response and cached.
/// </summary>
public sealed partial class OpenApiContract
{
    private static readonly Lazy<OpenApiContract> CommittedDocument =
        new(() => new OpenApiContract(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "openapi.json"))));

    /// <summary>Statuses an operation may answer through its <c>default</c> response: those of the HTTP layer, not of the operation.</summary>
    public static readonly IReadOnlySet<int> DefaultStatuses = new HashSet<int> { 405, 408, 413, 414, 431, 500 };

    /// <summary>Headers of HTTP itself, which the document does not list.</summary>
    private static readonly HashSet<string> FrameworkHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Length", "Date", "Server", "Transfer-Encoding", "Connection", "Keep-Alive",
    };

    private const string ProblemSchemaPointer = "/components/schemas/ProblemResponse";

    private readonly JsonElement _root;
    private readonly JsonObject _definitions;
    private readonly List<(Regex Pattern, string Template)> _paths;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly BuildOptions _buildOptions = new() { SchemaRegistry = new SchemaRegistry() };
    // The flag answers most responses (valid) cheaply; a failure is evaluated again for its details.
    private readonly EvaluationOptions _flag = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };
    private readonly EvaluationOptions _details = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    public OpenApiContract(string document)
    {
        _root = JsonDocument.Parse(document).RootElement.Clone();
        // Every schema is compiled standalone, with the components as its $defs.
        _definitions = JsonNode.Parse(Rebase(_root.GetProperty("components").GetProperty("schemas").GetRawText()))!.AsObject();
        // Literal segments before templates: /api/keys/verify is not /api/keys/{id}; routes match without regard to case.
        // A route's catch-all parameter ({*path}, documented as {path}) matches the rest of the path, slashes included.
        var catchAll = ApiEndpoints.All.Where(e => e.Route.Contains("{*", StringComparison.Ordinal)).Select(e => e.DocumentPath).ToHashSet(StringComparer.Ordinal);
        _paths = _root.GetProperty("paths").EnumerateObject()
            .OrderBy(p => p.Name.Count(c => c == '{'))
            .Select(p => (PathPattern(p.Name, catchAll.Contains(p.Name)), p.Name))
            .ToList();
    }

    private static Regex PathPattern(string template, bool endsInCatchAll)
    {
        const string Segment = "[^/]+";
        var pattern = Regex.Replace(Regex.Escape(template), @"\\\{[^}]+}", Segment);
        if (endsInCatchAll) pattern = pattern[..pattern.LastIndexOf(Segment, StringComparison.Ordinal)] + ".*";
        return new Regex("^" + pattern + "$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    }

    /// <summary>The committed docs/openapi.json.</summary>
    public static OpenApiContract Committed => CommittedDocument.Value;

    /// <summary>What the response does that the document does not describe (empty when it conforms).</summary>
    public IReadOnlyList<string> Check(HttpMethod method, string path, HttpResponseMessage response, byte[] body)
    {
        var violations = new List<string>();
        var status = (int)response.StatusCode;
        var statusKey = status.ToString(CultureInfo.InvariantCulture);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var operation = FindOperation(method, path, out var template);
        if (operation is not { } op)
        {
            // No operation: routing answers, and only with a problem.
            if (status < 400 || mediaType != "application/problem+json")
                violations.Add($"no operation documents {method} {path}, and the answer {status} {mediaType ?? "(no body)"} is not a problem");
            else
                CheckBody(ProblemSchemaPointer, body, violations);
            return violations;
        }

        var responses = op.GetProperty("responses");
        string pointer;
        if (responses.TryGetProperty(statusKey, out _)) pointer = $"/paths/{Escape(template!)}/{method.Method.ToLowerInvariant()}/responses/{statusKey}";
        else if (DefaultStatuses.Contains(status) && responses.TryGetProperty("default", out _))
            pointer = $"/paths/{Escape(template!)}/{method.Method.ToLowerInvariant()}/responses/default";
        else
        {
            violations.Add($"{method} {template} does not document status {status}");
            return violations;
        }
        var documented = Resolve(pointer);

        // Body and Content-Type.
        if (documented.TryGetProperty("content", out var content))
        {
            if (mediaType is null || !content.TryGetProperty(mediaType, out _))
                violations.Add($"{method} {template} {status}: Content-Type {mediaType ?? "(none)"} is not one of {string.Join(", ", content.EnumerateObject().Select(m => m.Name))}");
            else
            {
                CheckBody($"{pointer}/content/{Escape(mediaType)}/schema", body, violations);
                if (mediaType == "application/problem+json") CheckProblemStatus(body, status, violations);
            }
        }
        else if (body.Length > 0)
        {
            violations.Add($"{method} {template} {status}: a body ({mediaType}) where the document has none");
        }

        // Headers.
        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => h.Value.ToList(), StringComparer.OrdinalIgnoreCase);
        var documentedHeaders = documented.TryGetProperty("headers", out var h) ? h.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase) : [];
        foreach (var (name, header) in documentedHeaders)
        {
            if (!headers.TryGetValue(name, out var values))
            {
                if (header.TryGetProperty("required", out var required) && required.GetBoolean())
                    violations.Add($"{method} {template} {status}: required header {name} is missing");
                continue;
            }
            if (values.Count != 1)
            {
                violations.Add($"{method} {template} {status}: header {name} appears {values.Count} times");
                continue;
            }
            var headerPointer = $"{pointer}/headers/{Escape(documentedHeaders.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)))}/schema";
            var schemaElement = Resolve(headerPointer);
            var isInteger = schemaElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "integer";
            JsonElement instance;
            if (isInteger)
            {
                if (!long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    violations.Add($"{method} {template} {status}: header {name} is not an integer");
                    continue;
                }
                instance = JsonSerializer.SerializeToElement(number);
            }
            else
            {
                instance = JsonSerializer.SerializeToElement(values[0]);
            }
            foreach (var error in Evaluate(headerPointer, instance)) violations.Add($"{method} {template} {status}: header {name}: {error}");
        }
        foreach (var name in headers.Keys.Where(n => !FrameworkHeaders.Contains(n) && !documentedHeaders.ContainsKey(n)))
            violations.Add($"{method} {template} {status}: header {name} is not documented");
        return violations;
    }

    private JsonElement? FindOperation(HttpMethod method, string path, out string? template)
    {
        foreach (var (pattern, candidate) in _paths)
        {
            if (!pattern.IsMatch(path)) continue;
            template = candidate;
            return _root.GetProperty("paths").GetProperty(candidate).TryGetProperty(method.Method.ToLowerInvariant(), out var operation) ? operation : null;
        }
        template = null;
        return null;
    }

    private void CheckBody(string schemaPointer, byte[] body, List<string> violations)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            violations.Add($"the body is not JSON ({body.Length} bytes)");
            return;
        }
        using (document)
            foreach (var error in Evaluate(schemaPointer, document.RootElement)) violations.Add("body " + error);
    }

    private static void CheckProblemStatus(byte[] body, int status, List<string> violations)
    {
        using var problem = JsonDocument.Parse(body);
        if (problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("status", out var field)
            && field.ValueKind == JsonValueKind.Number && field.GetInt32() != status)
            violations.Add($"the problem's status {field.GetInt32()} is not the response's {status}");
    }

    private IEnumerable<string> Evaluate(string schemaPointer, JsonElement instance)
    {
        var schema = _schemas.GetOrAdd(schemaPointer, Compile);
        if (schema.Evaluate(instance, _flag).IsValid) return [];
        var results = schema.Evaluate(instance, _details);
        // Where and which rule; a message that quotes a plaintext key has it redacted.
        return (results.Details ?? [results])
            .Where(d => !d.IsValid && d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"at '{d.InstanceLocation}' ({d.EvaluationPath}): {e.Key}: {PlaintextKey().Replace(e.Value, "hk_…")}"))
            .DefaultIfEmpty("does not match its schema")
            .Distinct()
            .Take(10)
            .ToList();
    }

    private JsonSchema Compile(string schemaPointer)
    {
        var schema = JsonNode.Parse(Rebase(Resolve(schemaPointer).GetRawText()))!;
        var standalone = schema is JsonObject o ? o : new JsonObject { ["allOf"] = new JsonArray(schema) };
        standalone["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        standalone["$defs"] = _definitions.DeepClone();
        using var json = JsonDocument.Parse(standalone.ToJsonString());
        // Building registers the schema in the registry, which is not made for concurrent writers.
        lock (_buildOptions)
            return JsonSchema.Build(json.RootElement.Clone(), _buildOptions, new Uri($"https://contract.hokusai.test/{Guid.NewGuid():N}"));
    }

    private JsonElement Resolve(string pointer)
    {
        var element = _root;
        foreach (var segment in pointer.Split('/').Skip(1))
            element = element.GetProperty(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        return element;
    }

    [GeneratedRegex("hk_(live|test)_[0-9A-Za-z]+")]
    private static partial Regex PlaintextKey();

    private static string Rebase(string json) => json.Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
