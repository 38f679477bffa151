namespace Hokusai.Keys.RateLimiting;

public static class RateLimitFailureModes
{
    public const string Local = "local";
    public const string FailOpen = "fail-open";
    public const string FailClosed = "fail-closed";

    public static bool IsValid(string mode) => mode is Local or FailOpen or FailClosed;
}
