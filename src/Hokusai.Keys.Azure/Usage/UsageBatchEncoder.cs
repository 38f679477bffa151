using System.Buffers;
using System.IO.Compression;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// Builds usage queue messages (<see cref="UsageMessage"/> format, version 2) incrementally. <see cref="Add"/> files an
/// event under its key as a small struct without references (timestamp, cost, and indexes into the flush's tables of
/// codes and addresses), so buffered events cost the garbage collector nothing to trace. <see cref="Flush"/> orders the
/// keys and writes each key's events as columns: timestamps as differences, and a code, address or cost column as one
/// value when all its events share it. That makes a few bytes of JSON an event and under one byte compressed, so the
/// instance that answers requests sends far fewer and smaller queue messages. Not thread-safe: one producer thread.
/// </summary>
public sealed class UsageBatchEncoder
{
    /// <summary>A compressed message may not inflate beyond this (the parser's guard against decompression bombs).</summary>
    internal const int MaxDecompressedBytes = 8 * 1024 * 1024;

    /// <summary>
    /// The most JSON one event can add to a key's columns (a 20-digit timestamp difference, a 40-character code, a
    /// scoped IPv6 address, an int cost, quotes and commas): a part of a key small enough for any budget is cut with it.
    /// </summary>
    private const int MaxEventJsonBytes = 160;

    /// <summary>The most JSON a message's and a key part's headers take (batch id, a 64-character key id, an owner).</summary>
    private const int MaxHeaderJsonBytes = 2048;

    private const int MaxPooledGroups = 4096;

    /// <summary>
    /// zlib level 5: nearly the size of level 6 (Optimal) for clearly less CPU, and about half the bytes of level 1
    /// (Fastest), so a second's events fit one message instead of two (docs/performance.md, "What was tried").
    /// </summary>
    private static readonly ZLibCompressionOptions CompressionOptions = new() { CompressionLevel = 5 };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<(string KeyId, string Owner), KeyEvents> _byKey = new();
    private readonly Stack<KeyEvents> _freeGroups = new();
    private readonly List<string> _codes = [];
    private readonly Dictionary<IPAddress, int> _addressIndex = new();
    private readonly List<IPAddress> _addresses = [];
    private readonly ArrayBufferWriter<byte> _whole = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _part = new(16 * 1024);
    private readonly MemoryStream _compressed = new(64 * 1024);
    private readonly Utf8JsonWriter _writer;

    /// <summary>Uncompressed bytes per compressed byte of the last full message: sizes the next one.</summary>
    private double _compressionRatio = 8;

    public UsageBatchEncoder() => _writer = new Utf8JsonWriter(_part, WriterOptions);

    /// <summary>Events added since the last flush.</summary>
    public int Count { get; private set; }

    /// <summary>Files an event; one the message format cannot carry (no key id, an invalid code) throws and is not added.</summary>
    public void Add(in UsageEvent e)
    {
        if (!UsageMessage.IsValidKeyId(e.KeyId) || !UsageMessage.IsCode(e.Code))
            throw new ArgumentException("A usage event needs a key id of 1–64 characters and an upper-case code.", nameof(e));
        ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(_byKey, (e.KeyId, e.Owner ?? ""), out _);
        group ??= _freeGroups.TryPop(out var free) ? free : new KeyEvents();
        group.Events.Add(new Entry(e.Timestamp.ToUnixTimeMilliseconds(), e.Cost, group.CodeIndex(e.Code, this), group.AddressIndex(e.ClientIp, this)));
        Count++;
    }

    /// <summary>
    /// Messages of everything added since the last flush, each within <paramref name="maxPayloadBytes"/> compressed,
    /// keys in order: a message then covers few keys (fewer table transactions, and concurrent ingesters mostly touch
    /// different partitions). A key's events go in one message unless they alone overflow it. The encoder is empty afterwards.
    /// </summary>
    public List<(string BatchId, BinaryData Payload, int Count)> Flush(int maxPayloadBytes = UsageMessage.MaxPayloadBytes)
    {
        var groups = _byKey.Select(static pair => (pair.Key.KeyId, pair.Key.Owner, Events: pair.Value)).ToArray();
        Array.Sort(groups, static (a, b) =>
            string.CompareOrdinal(a.KeyId, b.KeyId) is var byId and not 0 ? byId : string.CompareOrdinal(a.Owner, b.Owner));

        var messages = new List<(string, BinaryData, int)>();
        var position = new Position(0, 0);
        while (position.Group < groups.Length)
        {
            // Fill a message up to an uncompressed budget that the last messages' compression says will fit, with margin;
            // if it does not fit, halve the budget. Up to maxPayloadBytes uncompressed always fits.
            var rawBudget = (int)Math.Clamp(maxPayloadBytes * _compressionRatio * 0.85, maxPayloadBytes, MaxDecompressedBytes / 2);
            while (true)
            {
                var (batchId, payload, count, next) = Compose(groups, position, rawBudget);
                if (payload.Length <= maxPayloadBytes || rawBudget <= maxPayloadBytes)
                {
                    messages.Add((batchId, new BinaryData(payload), count));
                    if (next.Group < groups.Length) _compressionRatio = Math.Clamp((double)_whole.WrittenCount / payload.Length, 1, 50);
                    position = next;
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
        Reset();
        return count;
    }

    private void Reset()
    {
        foreach (var group in _byKey.Values)
        {
            group.Clear();
            if (_freeGroups.Count < MaxPooledGroups) _freeGroups.Push(group);
        }
        _byKey.Clear();
        _codes.Clear();
        _addressIndex.Clear();
        _addresses.Clear();
        Count = 0;
    }

    private int CodeIndexOf(string code)
    {
        var index = _codes.IndexOf(code); // a handful of codes
        if (index < 0)
        {
            index = _codes.Count;
            _codes.Add(code);
        }
        return index;
    }

    private int AddressIndexOf(IPAddress address)
    {
        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_addressIndex, address, out var exists);
        if (!exists)
        {
            index = _addresses.Count;
            _addresses.Add(address);
        }
        return index;
    }

    /// <summary>Where the next message starts: an event of a key's list.</summary>
    private readonly record struct Position(int Group, int Event);

    /// <summary>One message of the events from <paramref name="start"/> on (at least one) that fit <paramref name="rawBudget"/> uncompressed.</summary>
    private (string BatchId, byte[] Payload, int Count, Position Next) Compose(
        (string KeyId, string Owner, KeyEvents Events)[] groups, Position start, int rawBudget)
    {
        var batchId = UsageMessage.NewBatchId();
        _whole.ResetWrittenCount();
        using (var header = new Utf8JsonWriter(_whole, WriterOptions))
        {
            header.WriteStartObject();
            header.WriteNumber("v", UsageMessage.Version);
            header.WriteString("batchId", batchId);
            header.WritePropertyName("keys");
            header.Flush();
        }
        _whole.Write("["u8);

        // Parts of at most this many events can always be written, however small the budget.
        var maxPartEvents = Math.Max(1, (rawBudget - MaxHeaderJsonBytes) / MaxEventJsonBytes);
        var count = 0;
        var position = start;
        while (position.Group < groups.Length)
        {
            var (keyId, owner, group) = groups[position.Group];
            var take = Math.Min(group.Events.Count - position.Event, maxPartEvents);
            WritePart(keyId, owner, group, position.Event, take);
            if (count > 0 && _whole.WrittenCount + 1 + _part.WrittenCount + 2 > rawBudget) break;
            if (count > 0) _whole.Write(","u8);
            _whole.Write(_part.WrittenSpan);
            count += take;
            position = position.Event + take == group.Events.Count ? new Position(position.Group + 1, 0) : position with { Event = position.Event + take };
        }
        _whole.Write("]}"u8);
        return (batchId, Compress(_whole.WrittenSpan), count, position);
    }

    /// <summary>Events [from, from + count) of one key as <c>{"k","o","t":[first, differences…],"c","ip","n"}</c> into <see cref="_part"/>.</summary>
    private void WritePart(string keyId, string owner, KeyEvents group, int from, int count)
    {
        var events = CollectionsMarshal.AsSpan(group.Events).Slice(from, count);
        _part.ResetWrittenCount();
        _writer.Reset(_part);
        _writer.WriteStartObject();
        _writer.WriteString("k", keyId);
        if (owner.Length > 0) _writer.WriteString("o", owner);

        _writer.WriteStartArray("t");
        var previous = 0L;
        foreach (ref readonly var e in events)
        {
            _writer.WriteNumberValue(e.Timestamp - previous);
            previous = e.Timestamp;
        }
        _writer.WriteEndArray();

        if (AllSame(events, static e => e.Code))
        {
            _writer.WriteString("c", _codes[events[0].Code]);
        }
        else
        {
            _writer.WriteStartArray("c");
            foreach (ref readonly var e in events) _writer.WriteStringValue(_codes[e.Code]);
            _writer.WriteEndArray();
        }

        Span<char> text = stackalloc char[64];
        if (AllSame(events, static e => e.Address))
        {
            if (events[0].Address >= 0 && _addresses[events[0].Address].TryFormat(text, out var length)) _writer.WriteString("ip", text[..length]);
        }
        else
        {
            _writer.WriteStartArray("ip");
            foreach (ref readonly var e in events)
            {
                if (e.Address >= 0 && _addresses[e.Address].TryFormat(text, out var length)) _writer.WriteStringValue(text[..length]);
                else _writer.WriteNullValue();
            }
            _writer.WriteEndArray();
        }

        if (AllSame(events, static e => e.Cost))
        {
            _writer.WriteNumber("n", events[0].Cost);
        }
        else
        {
            _writer.WriteStartArray("n");
            foreach (ref readonly var e in events) _writer.WriteNumberValue(e.Cost);
            _writer.WriteEndArray();
        }
        _writer.WriteEndObject();
        _writer.Flush();
    }

    private static bool AllSame(ReadOnlySpan<Entry> events, Func<Entry, int> field)
    {
        var first = field(events[0]);
        foreach (ref readonly var e in events)
            if (field(e) != first) return false;
        return true;
    }

    private byte[] Compress(ReadOnlySpan<byte> json)
    {
        _compressed.SetLength(0);
        using (var gzip = new GZipStream(_compressed, CompressionOptions, leaveOpen: true)) gzip.Write(json);
        return _compressed.GetBuffer().AsSpan(0, (int)_compressed.Length).ToArray();
    }

    /// <summary>An event without its key: no references, so a buffer of them is not traced by the garbage collector.</summary>
    private readonly record struct Entry(long Timestamp, int Cost, int Code, int Address);

    /// <summary>One key's (and owner's) events of the current flush, with the last code and address seen (events of a key mostly repeat them).</summary>
    private sealed class KeyEvents
    {
        public readonly List<Entry> Events = [];
        private string? _lastCode;
        private int _lastCodeIndex;
        private IPAddress? _lastAddress;
        private int _lastAddressIndex = -1;

        public int CodeIndex(string code, UsageBatchEncoder encoder)
        {
            if (ReferenceEquals(code, _lastCode)) return _lastCodeIndex;
            var index = encoder.CodeIndexOf(code);
            (_lastCode, _lastCodeIndex) = (code, index);
            return index;
        }

        public int AddressIndex(IPAddress? address, UsageBatchEncoder encoder)
        {
            if (address is null) return -1;
            if (ReferenceEquals(address, _lastAddress)) return _lastAddressIndex;
            var index = encoder.AddressIndexOf(address);
            (_lastAddress, _lastAddressIndex) = (address, index);
            return index;
        }

        public void Clear()
        {
            Events.Clear();
            (_lastCode, _lastAddress, _lastAddressIndex) = (null, null, -1);
        }
    }
}
