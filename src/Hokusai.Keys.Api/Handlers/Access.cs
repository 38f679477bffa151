namespace Hokusai.Keys.Api.Handlers;

public enum Access
{
    Read,
    Write,
    /// <summary>Scope <c>usage:report</c> (or <c>keys:watch</c>, or admin): a service reporting the uses it answered from its cache.</summary>
    ReportUsage,
    /// <summary>The change feed: <c>keys:watch</c> or <c>admin</c>.</summary>
    Watch,
}
