namespace Hokusai.Keys.Usage;

/// <summary>
/// One verify/authorize answer (any code but MALFORMED), as recorded for usage aggregates. Holds no secret. A struct of
/// references the answer already holds (the cached key's id and owner, the code's constant, the connection's address):
/// recording one allocates nothing, so buffered events cost the garbage collector nothing on busy instances. Its id is
/// its place on the queue: event <c>i</c> of batch <c>b</c> is <c>b-i</c> (see the usage message format).
/// </summary>
public readonly record struct UsageEvent(
    string KeyId,
    string Owner,
    DateTimeOffset Timestamp,
    string Code,
    System.Net.IPAddress? ClientIp,
    int Cost);
