namespace Hokusai.Keys.Api.Handlers;

public enum Access
{
    Read,
    Write,
    /// <summary>The change feed: <c>keys:watch</c> or <c>admin</c>.</summary>
    Watch,
}
