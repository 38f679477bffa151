using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// The queue message of a batch of usage events, version 1:
/// <c>{"v":1,"batchId":"…","events":[{"k":"keyId","o":"owner","t":unixMs,"c":"VALID","ip":"…","n":cost},…]}</c>.
/// An event's id is its place in its batch, <c>{batchId}-{index}</c>: unique, and the same on every redelivery of the
/// message (an explicit <c>"id"</c> of earlier producers is ignored). Short property names keep messages small; only
/// key ids, never a key. On the queue the document is gzip-compressed (events ordered by key repeat key ids, owners and
/// codes, so many more fit one message: fewer queue operations for the producer, the queue and the ingester);
/// <see cref="Parse"/> reads both forms.
/// </summary>
public static class UsageMessage
{
    public const int Version = 1;

    /// <summary>Largest JSON payload: base64 makes 4 bytes of 3, and the 64 KiB limit applies after it (with margin).</summary>
    public const int MaxPayloadBytes = UsageQueues.MaxMessageBytes / 4 * 3 - 1024;

    /// <summary>The id of event <paramref name="index"/> of batch <paramref name="batchId"/>.</summary>
    public static string EventId(string batchId, int index) => batchId + "-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Messages of <paramref name="events"/> (see <see cref="UsageBatchEncoder.Flush"/>); the recorder encodes as it goes instead.</summary>
    public static List<(string BatchId, BinaryData Payload, int Count)> Pack(IReadOnlyList<UsageEvent> events, int maxPayloadBytes = MaxPayloadBytes)
    {
        var encoder = new UsageBatchEncoder();
        foreach (var e in events) encoder.Add(e);
        return encoder.Flush(maxPayloadBytes);
    }

    private static ReadOnlyMemory<byte> Decompress(BinaryData payload)
    {
        var bytes = payload.ToMemory();
        if (bytes.Length < 2 || bytes.Span[0] != 0x1f || bytes.Span[1] != 0x8b) return bytes; // plain JSON
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes.ToArray()), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            if (output.Length > UsageBatchEncoder.MaxDecompressedBytes) throw new InvalidUsageMessageException("decompresses to more than allowed");
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            throw new InvalidUsageMessageException("gzip data is corrupt");
        }
    }

    /// <summary>Parses a message; <see cref="InvalidUsageMessageException"/> names what is wrong (never retried into success).</summary>
    public static (string BatchId, List<UsageEvent> Events) Parse(BinaryData payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(Decompress(payload));
        }
        catch (JsonException ex)
        {
            throw new InvalidUsageMessageException($"not JSON ({ex.GetType().Name} at byte {ex.BytePositionInLine})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidUsageMessageException("not a JSON object");
            if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version))
                throw new InvalidUsageMessageException("no version 'v'");
            if (version != Version) throw new InvalidUsageMessageException($"unknown version {version.ToString(CultureInfo.InvariantCulture)}");
            if (!root.TryGetProperty("batchId", out var id) || id.ValueKind != JsonValueKind.String || !IsValidBatchId(id.GetString()!))
                throw new InvalidUsageMessageException("missing or invalid 'batchId'");
            if (!root.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new InvalidUsageMessageException("no 'events' array");
            var events = new List<UsageEvent>(list.GetArrayLength());
            var index = 0;
            foreach (var e in list.EnumerateArray())
            {
                try
                {
                    var keyId = e.GetProperty("k").GetString();
                    var code = e.GetProperty("c").GetString();
                    if (string.IsNullOrEmpty(keyId) || keyId.Length > 64 || string.IsNullOrEmpty(code) || !IsCode(code))
                        throw new InvalidUsageMessageException($"event {index.ToString(CultureInfo.InvariantCulture)}: invalid key id or code");
                    events.Add(new UsageEvent(
                        keyId,
                        e.TryGetProperty("o", out var o) ? o.GetString() ?? "" : "",
                        DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("t").GetInt64()),
                        code,
                        e.TryGetProperty("ip", out var ip) && IPAddress.TryParse(ip.GetString(), out var address) ? address : null,
                        e.TryGetProperty("n", out var n) ? n.GetInt32() : 1));
                }
                catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
                {
                    throw new InvalidUsageMessageException($"event {index.ToString(CultureInfo.InvariantCulture)}: {ex.GetType().Name}");
                }
                index++;
            }
            return (id.GetString()!, events);
        }
    }

    internal static string NewBatchId() => Guid.CreateVersion7().ToString("N");

    /// <summary>Batch ids become RowKeys: letters, digits, '-' and '_' only.</summary>
    private static bool IsValidBatchId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Codes become property names (<c>D_{code}</c>): upper-case letters and '_' only.</summary>
    private static bool IsCode(string code) => code.Length <= 40 && code.All(c => c is (>= 'A' and <= 'Z') or '_');
}

/// <summary>A usage message that can never be processed (bad JSON, unknown version): it goes to the poison queue.</summary>
public sealed class InvalidUsageMessageException(string reason) : Exception("Invalid usage message: " + reason)
{
    public string Reason { get; } = reason;
}
