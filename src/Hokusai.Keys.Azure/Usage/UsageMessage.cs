using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// The queue message of a batch of usage events, version 1:
/// <c>{"v":1,"batchId":"…","events":[{"id":"…","k":"keyId","o":"owner","t":unixMs,"c":"VALID","ip":"…","n":cost},…]}</c>.
/// Short property names keep ~400 events in one uncompressed message. Only key ids, never a key.
/// On the queue the document is gzip-compressed (usage events repeat key ids, owners and codes, so ~5–8× more events fit
/// one message: fewer queue operations for the producer, the queue and the ingester); <see cref="Parse"/> reads both forms.
/// </summary>
public static class UsageMessage
{
    public const int Version = 1;

    /// <summary>Largest JSON payload: base64 makes 4 bytes of 3, and the 64 KiB limit applies after it (with margin).</summary>
    public const int MaxPayloadBytes = UsageQueues.MaxMessageBytes / 4 * 3 - 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Builds messages from <paramref name="events"/>, each within <see cref="MaxPayloadBytes"/>. Events are ordered by key
    /// first, so a message covers few keys: fewer table transactions per message, and concurrent ingesters mostly
    /// touch different partitions (fewer ETag conflicts).
    /// </summary>
    public static List<(string BatchId, BinaryData Payload, int Count)> Pack(IReadOnlyList<UsageEvent> events, int maxPayloadBytes = MaxPayloadBytes)
    {
        // Fill each message up to an uncompressed budget that usually compresses below the limit; if one does not, halve it.
        for (var rawBudget = maxPayloadBytes * 8; ; rawBudget /= 2)
        {
            var packed = PackCompressed(events, rawBudget);
            if (rawBudget <= maxPayloadBytes || packed.TrueForAll(m => m.Payload.ToMemory().Length <= maxPayloadBytes)) return packed;
        }
    }

    /// <summary>
    /// Buffers reused across packs on a thread (the recorder packs on one loop): a pack would otherwise allocate
    /// several large-object-heap buffers per flush, and those cost gen-2 collections on the answering instance.
    /// </summary>
    private sealed class PackBuffers
    {
        public readonly ArrayBufferWriter<byte> Event = new(512);
        public readonly ArrayBufferWriter<byte> Body = new(64 * 1024);
        public readonly ArrayBufferWriter<byte> Whole = new(64 * 1024);
        public readonly MemoryStream Compressed = new(64 * 1024);
    }

    [ThreadStatic] private static PackBuffers? t_buffers;

    private static byte[] Compress(ReadOnlySpan<byte> json, MemoryStream output)
    {
        output.SetLength(0);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(json);
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

    private static List<(string BatchId, BinaryData Payload, int Count)> PackCompressed(IReadOnlyList<UsageEvent> events, int maxPayloadBytes)
    {
        var messages = new List<(string, BinaryData, int)>();
        var buffers = t_buffers ??= new PackBuffers();
        var eventBuffer = buffers.Event;
        var body = buffers.Body;
        body.ResetWrittenCount();
        var count = 0;
        string batchId = NewBatchId();
        const int headerAndFooter = 80;

        void Finish()
        {
            if (count == 0) return;
            var whole = buffers.Whole;
            whole.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(whole, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteNumber("v", Version);
                w.WriteString("batchId", batchId);
                w.WritePropertyName("events");
                w.Flush();
            }
            whole.Write("["u8);
            whole.Write(body.WrittenSpan);
            whole.Write("]}"u8);
            var payload = Compress(whole.WrittenSpan, buffers.Compressed);
            messages.Add((batchId, new BinaryData(payload), count));
            body.ResetWrittenCount();
            count = 0;
            batchId = NewBatchId();
        }

        // One writer, reset per event: packing runs on the answering instances, so it should cost little.
        using var w = new Utf8JsonWriter(eventBuffer, WriterOptions);
        foreach (var e in events.OrderBy(e => e.KeyId, StringComparer.Ordinal))
        {
            eventBuffer.ResetWrittenCount();
            w.Reset(eventBuffer);
            w.WriteStartObject();
            w.WriteString("id", e.EventId);
            w.WriteString("k", e.KeyId);
            w.WriteString("o", e.Owner);
            w.WriteNumber("t", e.Timestamp.ToUnixTimeMilliseconds());
            w.WriteString("c", e.Code);
            if (e.ClientIp is not null) w.WriteString("ip", e.ClientIp);
            w.WriteNumber("n", e.Cost);
            w.WriteEndObject();
            w.Flush();
            var needed = eventBuffer.WrittenCount + (count > 0 ? 1 : 0);
            if (count > 0 && body.WrittenCount + needed + headerAndFooter > maxPayloadBytes) Finish();
            if (count > 0) body.Write(","u8);
            body.Write(eventBuffer.WrittenSpan);
            count++;
        }
        Finish();
        return messages;
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
                        e.TryGetProperty("id", out var eid) ? eid.GetString() ?? "" : "",
                        keyId,
                        e.TryGetProperty("o", out var o) ? o.GetString() ?? "" : "",
                        DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("t").GetInt64()),
                        code,
                        e.TryGetProperty("ip", out var ip) ? ip.GetString() : null,
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
