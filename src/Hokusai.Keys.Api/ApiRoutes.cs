namespace Hokusai.Keys.Api;

/// <summary>Route templates below the <c>/api</c> prefix, shared by the Functions attributes and the server's route table.</summary>
public static class ApiRoutes
{
    public const string Prefix = "api";
    public const string Keys = "keys";
    public const string Key = "keys/{id}";
    public const string RevokeKey = "keys/{id}/revoke";
    public const string RotateKey = "keys/{id}/rotate";
    public const string SuspendKey = "keys/{id}/suspend";
    public const string ResumeKey = "keys/{id}/resume";
    public const string KeyEvents = "keys/{id}/events";
    public const string KeyUsage = "keys/{id}/usage";
    public const string Verify = "keys/verify";
    public const string KeyChanges = "keys/changes";
    public const string ReportLeak = "keys/report-leak";
    public const string GitHubLeaks = "leaks/github";
    public const string Authorize = "authorize";
    /// <summary>Envoy's <c>ext_authz</c> (HTTP service) appends the client's path to its <c>path_prefix</c>.</summary>
    public const string ExtAuthz = "ext-authz/{*path}";
    public const string UsageReport = "usage/report";
    public const string Health = "health";
    public const string OpenApi = "openapi.json";
}
