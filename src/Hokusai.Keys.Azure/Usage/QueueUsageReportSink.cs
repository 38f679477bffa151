using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using Hokusai.Keys.Usage;
using Hokusai.Keys.Validation;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// <see cref="IUsageReportSink"/> over the usage queue: a report's uses become events of a usage message
/// (<see cref="UsageMessage"/>, version 2) whose batch id is the report's, one key part per entry with one-value columns
/// (code VALID, the entry's address, cost 1) and a timestamp column of zero differences, so a report of 100,000 uses is
/// a few hundred bytes on the queue. Each key's uses go in one message: the <see cref="UsageIngestor"/>'s marker row per
/// key and batch then applies a retried report once, whichever message its other keys land in.
/// </summary>
internal sealed class QueueUsageReportSink(UsageQueues queues) : IUsageReportSink
{
    private static readonly string ValidCode = ValidationCode.Valid.ToWire();

    public async Task AcceptAsync(string batchId, DateTimeOffset at, IReadOnlyList<ReportedUse> uses, CancellationToken cancellationToken)
    {
        var byKey = uses.GroupBy(u => u.KeyId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        var messages = new List<byte[]>();
        Split(batchId, at.ToUnixTimeMilliseconds(), byKey, messages);
        try
        {
            await queues.EnsureCreatedAsync(cancellationToken);
            foreach (var message in messages) await queues.Usage.SendMessageAsync(new BinaryData(message), cancellationToken: cancellationToken);
        }
        catch (global::Azure.RequestFailedException ex)
        {
            // The reporter retries with the same id; keys already queued are then applied once.
            throw new StorageUnavailableException("The usage queue is unavailable; retry the report with the same id.", ex);
        }
    }

    /// <summary>Keys in as few messages as fit the queue's limit, halving the list of keys until each part fits (a key is never cut).</summary>
    private static void Split(string batchId, long at, List<List<ReportedUse>> keys, List<byte[]> messages)
    {
        var payload = Compose(batchId, at, keys);
        if (payload.Length <= UsageMessage.MaxPayloadBytes || keys.Count == 1)
        {
            messages.Add(payload);
            return;
        }
        Split(batchId, at, keys[..(keys.Count / 2)], messages);
        Split(batchId, at, keys[(keys.Count / 2)..], messages);
    }

    private static byte[] Compose(string batchId, long at, List<List<ReportedUse>> keys)
    {
        var json = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", UsageMessage.Version);
            writer.WriteString("batchId", batchId);
            writer.WriteStartArray("keys");
            foreach (var use in keys.SelectMany(k => k))
            {
                writer.WriteStartObject();
                writer.WriteString("k", use.KeyId);
                if (use.Owner.Length > 0) writer.WriteString("o", use.Owner);
                writer.WriteStartArray("t");
                writer.WriteNumberValue(at);
                for (var i = 1; i < use.Count; i++) writer.WriteNumberValue(0);
                writer.WriteEndArray();
                writer.WriteString("c", ValidCode);
                if (use.ClientIp is not null) writer.WriteString("ip", use.ClientIp.ToString());
                writer.WriteNumber("n", 1);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(json.WrittenSpan);
        return compressed.ToArray();
    }
}
