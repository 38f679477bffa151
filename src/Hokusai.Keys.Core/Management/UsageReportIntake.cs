using System.Globalization;
using System.Net;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Management;

/// <summary>
/// <c>POST /api/usage/report</c>: a service's count of the requests it answered from its own cache of valid answers
/// (the ASP.NET Core handler), fed into the same usage pipeline as the platform's own validations. The rules:
/// <list type="bullet">
/// <item>Bounded: at most <see cref="MaxEntries"/> entries, each a count of 1–<see cref="MaxCountPerEntry"/>, at most
/// <see cref="MaxUsesPerReport"/> uses in all; anything else is refused whole (400).</item>
/// <item>Authority: the reporter may report only for keys it could see (<see cref="KeyAuthority.CanSee"/>). The uses of
/// any other key (another owner's, the other environment's, an admin key, or no key at all: the answer does not tell
/// them apart) are skipped, not counted, and the rest are taken: a weaker key cannot inflate another owner's usage,
/// and one caller of a service presenting another owner's key cannot make the service's whole report be refused.</item>
/// <item>Once: the report's id (a client-made GUID) becomes the batch id of its usage message; the ingestor records a
/// marker row per key and batch in Table Storage, so a retried report (same id) is applied once, durably.</item>
/// <item>The uses count at the time the platform accepts the report (a reporter's clock is not trusted).</item>
/// </list>
/// </summary>
public sealed class UsageReportIntake(KeyManagementService keys, IUsageReportSink sink, TimeProvider time)
{
    public const int MaxEntries = 500;
    public const int MaxCountPerEntry = 100_000;
    public const int MaxUsesPerReport = 100_000;

    /// <summary>The usage batch id of report <paramref name="reportId"/> (a GUID in its 32-digit form): a valid queue batch id and table RowKey part.</summary>
    public static string BatchIdOf(Guid reportId) => "report-" + reportId.ToString("N", CultureInfo.InvariantCulture);

    /// <summary>A GUID of 32 hex digits, with or without the four hyphens; never the empty one.</summary>
    private static bool TryParseId(string? id, out Guid reportId) =>
        (Guid.TryParseExact(id, "D", out reportId) || Guid.TryParseExact(id, "N", out reportId)) && reportId != Guid.Empty;

    public async Task<UsageReportReceipt> AcceptAsync(Caller caller, string? id, IReadOnlyList<UsageReportLine>? entries, CancellationToken cancellationToken)
    {
        var errors = new KeyRules.Errors();
        if (!TryParseId(id, out var reportId)) errors.Add("id", "must be a GUID, the same on every retry of the report");
        if (entries is null || entries.Count == 0) errors.Add("uses", "must hold at least one entry");
        else if (entries.Count > MaxEntries) errors.Add("uses", $"at most {MaxEntries} entries per report");
        errors.ThrowIfAny();

        var total = 0L;
        var addresses = new IPAddress?[entries!.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var at = "uses[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (string.IsNullOrEmpty(entry.KeyId)) errors.Add(at + ".keyId", "is required");
            if (entry.Count is not (>= 1 and <= MaxCountPerEntry)) errors.Add(at + ".count", $"must be 1–{MaxCountPerEntry}");
            else total += entry.Count.Value;
            if (entry.ClientIp is not null)
            {
                if (StrictIpAddress.TryParse(entry.ClientIp, out var address)) addresses[i] = address;
                else errors.Add(at + ".clientIp", "must be an IPv4 or IPv6 address");
            }
        }
        if (total > MaxUsesPerReport) errors.Add("uses", $"at most {MaxUsesPerReport} uses per report in all; send the rest in another report");
        errors.ThrowIfAny();

        // Every key is checked before anything is recorded; the uses of keys the caller could not see are skipped.
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipped = 0;
        foreach (var keyId in entries.Select(e => e.KeyId!).Distinct(StringComparer.Ordinal))
        {
            try
            {
                owners[keyId] = (await keys.GetAsync(keyId, caller, cancellationToken)).Owner;
            }
            catch (DomainException ex) when (ex.Kind == DomainErrorKind.NotFound)
            {
                skipped++;
            }
        }

        var uses = entries.Select((e, i) => (Entry: e, Address: addresses[i])).Where(x => owners.ContainsKey(x.Entry.KeyId!))
            .Select(x => new ReportedUse(x.Entry.KeyId!, owners[x.Entry.KeyId!], x.Address, (int)x.Entry.Count!.Value)).ToList();
        if (uses.Count > 0) await sink.AcceptAsync(BatchIdOf(reportId), time.GetUtcNow(), uses, cancellationToken);
        return new UsageReportReceipt(reportId, owners.Count, uses.Sum(u => (long)u.Count), skipped);
    }
}
