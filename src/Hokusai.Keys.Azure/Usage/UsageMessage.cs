using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// The queue message of a batch of usage events, version 2: the events of each key (and owner) as columns,
/// <c>{"v":2,"batchId":"…","keys":[{"k":"keyId","o":"owner","t":[unixMs,+ms,…],"c":"VALID"|[…],"ip":"…"|[…],"n":1|[…]},…]}</c>.
/// <c>t</c> holds the first event's time and then each event's difference to the one before; <c>c</c> (code),
/// <c>ip</c> (address, null or absent for none) and <c>n</c> (cost) are one value when every event of the part shares
/// it, else an array as long as <c>t</c>; <c>o</c> is absent for no owner. Events of a message are numbered in order
/// (keys in order, then their events), and an event's id is <c>{batchId}-{index}</c>: unique, and the same on every
/// redelivery of the message. Only key ids, never a key. On the queue the document is gzip-compressed (under a byte an
/// event at a steady rate: fewer queue operations for the producer, the queue and the ingester).
/// <see cref="Parse"/> also reads version 1 (<c>"events":[{"k","o","t","c","ip","n"},…]</c>, one object an event;
/// an <c>"id"</c> of earlier producers is ignored), so messages queued before an upgrade are still ingested.
/// </summary>
public static class UsageMessage
{
    /// <summary>The version this code writes.</summary>
    public const int Version = 2;

    /// <summary>The longest <c>t</c> column a message may hold (a bound for the parser, far above what any producer writes).</summary>
    private const int MaxEventsPerMessage = 1_000_000;

    /// <summary>Largest JSON payload: base64 makes 4 bytes of 3, and the 64 KiB limit applies after it (with margin).</summary>
    public const int MaxPayloadBytes = UsageQueues.MaxMessageBytes / 4 * 3 - 1024;

    /// <summary>The id of event <paramref name="index"/> of batch <paramref name="batchId"/>.</summary>
    public static string EventId(string batchId, int index) => batchId + "-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Messages of <paramref name="events"/> (see <see cref="UsageBatchEncoder.Flush"/>); the recorder keeps one encoder and adds events as it takes them.</summary>
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
            if (version is not (1 or 2)) throw new InvalidUsageMessageException($"unknown version {version.ToString(CultureInfo.InvariantCulture)}");
            if (!root.TryGetProperty("batchId", out var id) || id.ValueKind != JsonValueKind.String || !IsValidBatchId(id.GetString()!))
                throw new InvalidUsageMessageException("missing or invalid 'batchId'");
            var events = version == 1 ? ParseEvents(root) : ParseKeys(root);
            return (id.GetString()!, events);
        }
    }

    /// <summary>Version 1: one object an event.</summary>
    private static List<UsageEvent> ParseEvents(JsonElement root)
    {
        if (!root.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new InvalidUsageMessageException("no 'events' array");
        var events = new List<UsageEvent>(list.GetArrayLength());
        var index = 0;
        foreach (var e in list.EnumerateArray())
        {
            try
            {
                events.Add(new UsageEvent(
                    CheckedKeyId(e.GetProperty("k").GetString(), index),
                    e.TryGetProperty("o", out var o) ? o.GetString() ?? "" : "",
                    DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("t").GetInt64()),
                    CheckedCode(e.GetProperty("c").GetString(), index),
                    e.TryGetProperty("ip", out var ip) ? Address(ip) : null,
                    e.TryGetProperty("n", out var n) ? n.GetInt32() : 1));
            }
            catch (Exception ex) when (IsShapeError(ex))
            {
                throw new InvalidUsageMessageException($"event {index.ToString(CultureInfo.InvariantCulture)}: {ex.GetType().Name}");
            }
            index++;
        }
        return events;
    }

    /// <summary>Version 2: each key's events as columns.</summary>
    private static List<UsageEvent> ParseKeys(JsonElement root)
    {
        if (!root.TryGetProperty("keys", out var parts) || parts.ValueKind != JsonValueKind.Array)
            throw new InvalidUsageMessageException("no 'keys' array");
        var events = new List<UsageEvent>();
        var part = 0;
        foreach (var p in parts.EnumerateArray())
        {
            try
            {
                var times = p.GetProperty("t");
                var count = times.GetArrayLength();
                if (count == 0 || events.Count + count > MaxEventsPerMessage) throw new InvalidUsageMessageException($"key part {Invariant(part)}: no events or too many");
                var keyId = CheckedKeyId(p.GetProperty("k").GetString(), events.Count);
                var owner = p.TryGetProperty("o", out var o) ? o.GetString() ?? "" : "";
                var codes = Column(p, "c", count, part);
                var addresses = Column(p, "ip", count, part);
                var costs = Column(p, "n", count, part);
                // Values of one-value columns are converted once, not per event.
                var code = codes.ValueKind == JsonValueKind.Array ? null : CheckedCode(codes.GetString(), events.Count);
                var address = addresses.ValueKind == JsonValueKind.Array ? null : Address(addresses);
                var cost = costs.ValueKind switch { JsonValueKind.Array => 0, JsonValueKind.Undefined => 1, _ => costs.GetInt32() };
                // Columns are walked in step (an indexer would walk arrays of non-scalar values from the start each time).
                var codeValues = codes.ValueKind == JsonValueKind.Array ? codes.EnumerateArray() : default;
                var addressValues = addresses.ValueKind == JsonValueKind.Array ? addresses.EnumerateArray() : default;
                var costValues = costs.ValueKind == JsonValueKind.Array ? costs.EnumerateArray() : default;
                var at = 0L;
                foreach (var t in times.EnumerateArray())
                {
                    at = checked(at + t.GetInt64());
                    events.Add(new UsageEvent(
                        keyId,
                        owner,
                        DateTimeOffset.FromUnixTimeMilliseconds(at),
                        code ?? CheckedCode(Next(ref codeValues).GetString(), events.Count),
                        addresses.ValueKind == JsonValueKind.Array ? Address(Next(ref addressValues)) : address,
                        costs.ValueKind == JsonValueKind.Array ? Next(ref costValues).GetInt32() : cost));
                }
            }
            catch (Exception ex) when (IsShapeError(ex) || ex is OverflowException)
            {
                throw new InvalidUsageMessageException($"key part {Invariant(part)}: {ex.GetType().Name}");
            }
            part++;
        }
        return events;
    }

    /// <summary>A column of a key part: Undefined when absent, else one value or an array of exactly <paramref name="count"/>.</summary>
    private static JsonElement Column(JsonElement part, string name, int count, int partIndex)
    {
        if (!part.TryGetProperty(name, out var column)) return default;
        if (column.ValueKind == JsonValueKind.Array && column.GetArrayLength() != count)
            throw new InvalidUsageMessageException($"key part {Invariant(partIndex)}: '{name}' has {Invariant(column.GetArrayLength())} values for {Invariant(count)} events");
        return column;
    }

    private static string CheckedKeyId(string? keyId, int index) =>
        IsValidKeyId(keyId) ? keyId : throw new InvalidUsageMessageException($"event {Invariant(index)}: invalid key id");

    private static string CheckedCode(string? code, int index) =>
        IsCode(code) ? code : throw new InvalidUsageMessageException($"event {Invariant(index)}: invalid code");

    /// <summary>Key ids become PartitionKeys: 1–64 characters (the encoder refuses others, so one bad event cannot spoil a message).</summary>
    internal static bool IsValidKeyId([NotNullWhen(true)] string? keyId) => keyId is { Length: > 0 and <= 64 };

    private static JsonElement Next(ref JsonElement.ArrayEnumerator values)
    {
        values.MoveNext(); // the column's length was checked against the events'
        return values.Current;
    }

    /// <summary>An address, or null for none or one that does not parse (usage is still counted).</summary>
    private static IPAddress? Address(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && IPAddress.TryParse(value.GetString(), out var address) ? address : null;

    private static bool IsShapeError(Exception ex) =>
        ex is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException;

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string NewBatchId() => Guid.CreateVersion7().ToString("N");

    /// <summary>Batch ids become RowKeys: letters, digits, '-' and '_' only.</summary>
    private static bool IsValidBatchId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Codes become property names (<c>D_{code}</c>): upper-case letters and '_' only.</summary>
    internal static bool IsCode([NotNullWhen(true)] string? code) => code is { Length: > 0 and <= 40 } && !code.AsSpan().ContainsAnyExcept(CodeCharacters);

    private static readonly SearchValues<char> CodeCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
}
