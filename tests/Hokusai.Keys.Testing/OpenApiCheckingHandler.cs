namespace Hokusai.Keys.Testing;

/// <summary>
/// Holds every response to an <c>/api/</c> request to docs/openapi.json (<see cref="OpenApiContract"/>): a response the
/// document does not describe throws <see cref="OpenApiContractException"/> from the request, so the test that received
/// it fails, naming the rule it broke (never a value: a body may hold a plaintext key). Every client the test servers
/// hand out sends through it.
/// </summary>
public sealed class OpenApiCheckingHandler : DelegatingHandler
{
    public OpenApiCheckingHandler()
    {
    }

    public OpenApiCheckingHandler(HttpMessageHandler inner) : base(inner)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : request.RequestUri.OriginalString.Split('?')[0];
        if (!path.StartsWith("/api/", StringComparison.Ordinal)) return response;
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var violations = OpenApiContract.Committed.Check(request.Method, path, response, body);
        if (violations.Count > 0)
        {
            response.Dispose();
            throw new OpenApiContractException($"{request.Method} {path} answered {(int)response.StatusCode}, which docs/openapi.json does not describe:\n  "
                + string.Join("\n  ", violations));
        }
        return response;
    }
}
