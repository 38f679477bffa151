using System.Net;

namespace Hokusai.Keys.Usage;

/// <summary>
/// <see cref="Count"/> valid uses of a key from one client address that a service answered from its own cache and
/// reported (<see cref="Management.UsageReportIntake"/>); the owner is the stored key's, never the reporter's word.
/// </summary>
public sealed record ReportedUse(string KeyId, string Owner, IPAddress? ClientIp, int Count);
