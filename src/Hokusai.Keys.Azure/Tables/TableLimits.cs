using Azure.Data.Tables;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>
/// Azure Table Storage limits, enforced here because Azurite accepts what Azure rejects (cross-partition or
/// over-100-action transactions, entities over 1 MiB or 255 properties).
/// </summary>
internal static class TableLimits
{
    public const int MaxTransactionActions = 100;
    public const int MaxEntityBytes = 1024 * 1024;
    public const int MaxProperties = 255;
    public const int MaxStringChars = 32 * 1024;

    public static void EnsureTransaction(IReadOnlyList<TableTransactionAction> actions)
    {
        if (actions.Count is 0 or > MaxTransactionActions)
            throw new InvalidOperationException($"A table transaction holds 1–{MaxTransactionActions} actions, not {actions.Count}.");
        var partition = actions[0].Entity.PartitionKey;
        var rows = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            if (action.Entity.PartitionKey != partition)
                throw new InvalidOperationException("A table transaction must stay within one partition.");
            if (!rows.Add(action.Entity.RowKey))
                throw new InvalidOperationException("A table transaction may touch each entity once.");
            EnsureEntity((TableEntity)action.Entity);
        }
    }

    /// <summary>Size per the documented formula: 4 + key lengths + each property's name and value.</summary>
    public static void EnsureEntity(TableEntity entity)
    {
        if (entity.Count > MaxProperties)
            throw new EntityTooLargeException($"An entity may have at most {MaxProperties} properties.");
        long size = 4 + (entity.PartitionKey.Length + entity.RowKey.Length) * 2L;
        foreach (var (name, value) in entity)
        {
            if (name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag") continue;
            size += 8 + name.Length * 2L + value switch
            {
                null => 0,
                string s when s.Length > MaxStringChars => throw new EntityTooLargeException($"Property '{name}' exceeds {MaxStringChars} characters."),
                string s => 4 + s.Length * 2L,
                byte[] b => 4 + b.Length,
                bool => 1,
                int => 4,
                _ => 8,
            };
        }
        if (size > MaxEntityBytes) throw new EntityTooLargeException($"An entity may be at most {MaxEntityBytes} bytes.");
    }
}
