using System.Globalization;
using Azure.Data.Tables;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>
/// Expiry index (table <c>{prefix}keyexpiry</c>): PartitionKey = UTC date of <c>ExpiresAt</c> (<c>yyyyMMdd</c>), RowKey =
/// key id. Upserted before every key write that has an expiry; a row left behind by a changed expiry is stale and
/// ignored, because the sweeper re-reads the key.
/// </summary>
internal static class ExpiryIndex
{
    public static string Partition(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static Task UpsertAsync(StorageTables tables, ApiKeyRecord record, CancellationToken cancellationToken) =>
        record.ExpiresAt is { } expires && record.RevokedAt is null
            ? tables.Expiry.UpsertEntityAsync(new TableEntity(Partition(expires), record.Id), TableUpdateMode.Replace, cancellationToken)
            : Task.CompletedTask;
}
