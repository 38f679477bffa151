namespace Hokusai.Keys.Api.Http;

/// <summary>The <c>api_key</c> query value of this request, taken out of the query by <see cref="QueryKeyRedaction"/>.</summary>
public sealed class PresentedQueryKey(string value)
{
    public string Value { get; } = value;
}
