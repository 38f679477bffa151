using System.Buffers;
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

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The id of event <paramref name="index"/> of batch <paramref name="batchId"/>.</summary>
    public static string EventId(string batchId, int index) => batchId + "-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Builds messages from a copy of <paramref name="events"/>; see <see cref="PackInPlace"/>.</summary>
    public static List<(string BatchId, BinaryData Payload, int Count)> Pack(IReadOnlyList<UsageEvent> events, int maxPayloadBytes = MaxPayloadBytes) =>
        PackInPlace(events.ToArray(), maxPayloadBytes);

    /// <summary>
    /// Builds messages from <paramref name="events"/>, each within <see cref="MaxPayloadBytes"/>, after ordering the events
    /// by key in place (no copy of a large flush). A message then covers few keys: fewer table transactions per message,
    /// better compression, and concurrent ingesters mostly touch different partitions (fewer ETag conflicts).
    /// </summary>
    public static List<(string BatchId, BinaryData Payload, int Count)> PackInPlace(Span<UsageEvent> events, int maxPayloadBytes = MaxPayloadBytes)
    {
        events.Sort(static (a, b) => string.CompareOrdinal(a.KeyId, b.KeyId));
        var buffers = t_buffers ??= new PackBuffers();
        var messages = new List<(string, BinaryData, int)>();
        ReadOnlySpan<UsageEvent> rest = events;
        while (!rest.IsEmpty)
        {
            // Fill a message up to an uncompressed budget that the last messages' compression says will fit, with margin;
            // if it does not fit, halve the budget. Up to maxPayloadBytes uncompressed always fits.
            var rawBudget = (int)Math.Clamp(maxPayloadBytes * buffers.CompressionRatio * 0.85, maxPayloadBytes, MaxDecompressedBytes / 2);
            while (true)
            {
                var (batchId, payload, count, rawBytes) = PackOne(rest, rawBudget, buffers);
                if (payload.Length <= maxPayloadBytes || rawBudget <= maxPayloadBytes)
                {
                    messages.Add((batchId, new BinaryData(payload), count));
                    if (count < rest.Length) buffers.CompressionRatio = Math.Clamp((double)rawBytes / payload.Length, 1, 50);
                    rest = rest[count..];
                    break;
                }
                rawBudget = Math.Max(maxPayloadBytes, rawBudget / 2);
            }
        }
        return messages;
    }

    /// <summary>
    /// Buffers reused across packs on a thread (the recorder packs on one loop): a pack would otherwise allocate
    /// several large-object-heap buffers per flush, and those cost gen-2 collections on the answering instance.
    /// </summary>
    private sealed class PackBuffers
    {
        public readonly ArrayBufferWriter<byte> Event = new(512);
        public readonly ArrayBufferWriter<byte> Whole = new(64 * 1024);
        public readonly MemoryStream Compressed = new(64 * 1024);

        /// <summary>Uncompressed bytes per compressed byte of the last full message: sizes the next one.</summary>
        public double CompressionRatio = 8;
    }

    [ThreadStatic] private static PackBuffers? t_buffers;

    private static byte[] Compress(ReadOnlySpan<byte> json, MemoryStream output)
    {
        output.SetLength(0);
        // Optimal rather than Fastest: a third fewer bytes (4.3 instead of 6.4 an event), so fewer sends, each of which
        // costs more than the extra compression does on the producer's low-priority thread.
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(json);
        return output.GetBuffer().AsSpan(0, (int)output.Length).ToArray();
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
            if (output.Length > MaxDecompressedBytes) throw new InvalidUsageMessageException("decompresses to more than allowed");
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            throw new InvalidUsageMessageException("gzip data is corrupt");
        }
    }

    /// <summary>A compressed message may not inflate beyond this (a guard against decompression bombs).</summary>
    private const int MaxDecompressedBytes = 8 * 1024 * 1024;

    /// <summary>One message: as many of <paramref name="events"/> (at least one) as fit <paramref name="rawBudget"/> uncompressed.</summary>
    private static (string BatchId, byte[] Payload, int Count, int RawBytes) PackOne(ReadOnlySpan<UsageEvent> events, int rawBudget, PackBuffers buffers)
    {
        var batchId = NewBatchId();
        var whole = buffers.Whole;
        whole.ResetWrittenCount();
        using (var header = new Utf8JsonWriter(whole, WriterOptions))
        {
            header.WriteStartObject();
            header.WriteNumber("v", Version);
            header.WriteString("batchId", batchId);
            header.WritePropertyName("events");
            header.Flush();
        }
        whole.Write("["u8);

        // One writer, reset per event: packing runs on the answering instances, so it should cost little.
        var eventBuffer = buffers.Event;
        using var w = new Utf8JsonWriter(eventBuffer, WriterOptions);
        Span<char> ip = stackalloc char[64];
        var count = 0;
        foreach (ref readonly var e in events)
        {
            eventBuffer.ResetWrittenCount();
            w.Reset(eventBuffer);
            w.WriteStartObject();
            w.WriteString("k", e.KeyId);
            w.WriteString("o", e.Owner);
            w.WriteNumber("t", e.Timestamp.ToUnixTimeMilliseconds());
            w.WriteString("c", e.Code);
            if (e.ClientIp is not null && e.ClientIp.TryFormat(ip, out var ipLength)) w.WriteString("ip", ip[..ipLength]);
            w.WriteNumber("n", e.Cost);
            w.WriteEndObject();
            w.Flush();
            if (count > 0 && whole.WrittenCount + 1 + eventBuffer.WrittenCount + 2 > rawBudget) break;
            if (count > 0) whole.Write(","u8);
            whole.Write(eventBuffer.WrittenSpan);
            count++;
        }
        whole.Write("]}"u8);
        return (batchId, Compress(whole.WrittenSpan, buffers.Compressed), count, whole.WrittenCount);
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

    private static string NewBatchId() => Guid.CreateVersion7().ToString("N");

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
