using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// Builds usage queue messages (<see cref="UsageMessage"/> format) incrementally: <see cref="Add"/> encodes an event's
/// JSON at once into one reused byte arena and notes where under its key, so buffered events are bytes, not objects
/// the garbage collector has to trace at every collection, and the encoding work is spread over the flush interval.
/// <see cref="Flush"/> then only orders the keys, copies and compresses. Not thread-safe: one producer thread.
/// </summary>
public sealed class UsageBatchEncoder
{
    /// <summary>A compressed message may not inflate beyond this (the parser's guard against decompression bombs).</summary>
    internal const int MaxDecompressedBytes = 8 * 1024 * 1024;

    private const int MaxPooledLists = 4096;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Per key: each event's (offset, length) in the arena, packed in a long.</summary>
    private readonly Dictionary<string, List<long>> _byKey = new(StringComparer.Ordinal);
    private readonly Stack<List<long>> _freeLists = new();
    private readonly ArrayBufferWriter<byte> _arena = new(256 * 1024);
    private readonly ArrayBufferWriter<byte> _whole = new(64 * 1024);
    private readonly MemoryStream _compressed = new(64 * 1024);
    private readonly Utf8JsonWriter _writer;

    /// <summary>Uncompressed bytes per compressed byte of the last full message: sizes the next one.</summary>
    private double _compressionRatio = 8;

    public UsageBatchEncoder() => _writer = new Utf8JsonWriter(_arena, WriterOptions);

    /// <summary>Events added since the last flush.</summary>
    public int Count { get; private set; }

    public void Add(in UsageEvent e)
    {
        var offset = _arena.WrittenCount;
        _writer.Reset(_arena);
        _writer.WriteStartObject();
        _writer.WriteString("k", e.KeyId);
        _writer.WriteString("o", e.Owner);
        _writer.WriteNumber("t", e.Timestamp.ToUnixTimeMilliseconds());
        _writer.WriteString("c", e.Code);
        Span<char> ip = stackalloc char[64];
        if (e.ClientIp is not null && e.ClientIp.TryFormat(ip, out var ipLength)) _writer.WriteString("ip", ip[..ipLength]);
        _writer.WriteNumber("n", e.Cost);
        _writer.WriteEndObject();
        _writer.Flush();

        ref var events = ref CollectionsMarshal.GetValueRefOrAddDefault(_byKey, e.KeyId, out _);
        events ??= _freeLists.TryPop(out var list) ? list : [];
        events.Add(((long)offset << 32) | (uint)(_arena.WrittenCount - offset));
        Count++;
    }

    /// <summary>
    /// Messages of everything added since the last flush, each within <paramref name="maxPayloadBytes"/>, events ordered
    /// by key: a message then covers few keys (fewer table transactions, better compression, and concurrent ingesters
    /// mostly touch different partitions). The encoder is empty afterwards.
    /// </summary>
    public List<(string BatchId, BinaryData Payload, int Count)> Flush(int maxPayloadBytes = UsageMessage.MaxPayloadBytes)
    {
        var keys = _byKey.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        var ordered = new long[Count];
        var n = 0;
        foreach (var key in keys)
        {
            var events = _byKey[key];
            events.CopyTo(ordered, n);
            n += events.Count;
            events.Clear();
            if (_freeLists.Count < MaxPooledLists) _freeLists.Push(events);
        }

        var messages = new List<(string, BinaryData, int)>();
        var next = 0;
        while (next < ordered.Length)
        {
            // Fill a message up to an uncompressed budget that the last messages' compression says will fit, with margin;
            // if it does not fit, halve the budget. Up to maxPayloadBytes uncompressed always fits.
            var rawBudget = (int)Math.Clamp(maxPayloadBytes * _compressionRatio * 0.85, maxPayloadBytes, MaxDecompressedBytes / 2);
            while (true)
            {
                var (batchId, payload, count) = Compose(ordered.AsSpan(next), rawBudget);
                if (payload.Length <= maxPayloadBytes || rawBudget <= maxPayloadBytes)
                {
                    messages.Add((batchId, new BinaryData(payload), count));
                    if (next + count < ordered.Length) _compressionRatio = Math.Clamp((double)_whole.WrittenCount / payload.Length, 1, 50);
                    next += count;
                    break;
                }
                rawBudget = Math.Max(maxPayloadBytes, rawBudget / 2);
            }
        }

        Reset();
        return messages;
    }

    /// <summary>Drops everything added since the last flush (after a fault); returns how many events that was.</summary>
    public int Discard()
    {
        var count = Count;
        foreach (var events in _byKey.Values)
        {
            events.Clear();
            if (_freeLists.Count < MaxPooledLists) _freeLists.Push(events);
        }
        Reset();
        return count;
    }

    private void Reset()
    {
        _byKey.Clear();
        _arena.ResetWrittenCount();
        Count = 0;
    }

    /// <summary>One message of the first of <paramref name="events"/> (at least one) that fit <paramref name="rawBudget"/> uncompressed.</summary>
    private (string BatchId, byte[] Payload, int Count) Compose(ReadOnlySpan<long> events, int rawBudget)
    {
        var batchId = UsageMessage.NewBatchId();
        _whole.ResetWrittenCount();
        using (var header = new Utf8JsonWriter(_whole, WriterOptions))
        {
            header.WriteStartObject();
            header.WriteNumber("v", UsageMessage.Version);
            header.WriteString("batchId", batchId);
            header.WritePropertyName("events");
            header.Flush();
        }
        _whole.Write("["u8);
        var count = 0;
        var arena = _arena.WrittenSpan;
        foreach (var location in events)
        {
            var json = arena.Slice((int)(location >> 32), (int)(uint)location);
            if (count > 0 && _whole.WrittenCount + 1 + json.Length + 2 > rawBudget) break;
            if (count > 0) _whole.Write(","u8);
            _whole.Write(json);
            count++;
        }
        _whole.Write("]}"u8);
        return (batchId, Compress(_whole.WrittenSpan), count);
    }

    private byte[] Compress(ReadOnlySpan<byte> json)
    {
        _compressed.SetLength(0);
        // Fastest: Optimal makes a third fewer bytes (2.9 instead of 4.6 an event over 100 keys) but costs the answering
        // instance ~0.4 µs more CPU an event (encoding included), more than the sends it saves.
        using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(json);
        return _compressed.GetBuffer().AsSpan(0, (int)_compressed.Length).ToArray();
    }
}
