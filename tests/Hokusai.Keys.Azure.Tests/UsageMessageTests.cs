using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>The usage message format (version 2, columns per key) and its encoder: round trips, splitting, size, old messages, bad input.</summary>
public sealed class UsageMessageTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_764_121_398_123);

    private static (string, string, string, string?, int, long) Fields(UsageEvent e) =>
        (e.KeyId, e.Owner, e.Code, e.ClientIp?.ToString(), e.Cost, e.Timestamp.ToUnixTimeMilliseconds());

    private static List<UsageEvent> ParseAll(IEnumerable<(string BatchId, BinaryData Payload, int Count)> messages) =>
        messages.SelectMany(m => UsageMessage.Parse(m.Payload).Events).ToList();

    [Fact]
    public void Events_of_mixed_codes_addresses_owners_costs_and_times_round_trip_in_key_order()
    {
        IPAddress?[] addresses = [null, IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::1"), IPAddress.Parse("::ffff:198.51.100.2")];
        string[] codes = ["VALID", "NOT_FOUND", "RATE_LIMITED", "IP_NOT_ALLOWED"];
        var random = new Random(7);
        var events = Enumerable.Range(0, 5_000).Select(i => new UsageEvent(
            "key" + (i % 37).ToString("D4", CultureInfo.InvariantCulture),
            i % 37 == 5 ? (i % 2 == 0 ? "" : "owner-b") : "owner-a", // one key id seen both found and not found
            Start.AddMilliseconds(random.Next(-50, 5_000)),            // out of order: negative differences
            i % 37 < 30 ? "VALID" : codes[random.Next(codes.Length)],  // most keys one code, some mixed
            i % 37 < 20 ? addresses[1] : addresses[random.Next(addresses.Length)],
            i % 37 == 3 ? random.Next(0, 100) : 1)).ToList();

        var messages = UsageMessage.Pack(events);
        var parsed = ParseAll(messages);

        // Every event comes back exactly; keys in order, and a key's events in the order they were recorded.
        var expected = events.OrderBy(e => e.KeyId, StringComparer.Ordinal).ThenBy(e => e.Owner, StringComparer.Ordinal).Select(Fields);
        Assert.Equal(expected, parsed.Select(Fields));
        Assert.Equal(5_000, messages.Sum(m => m.Count));
    }

    [Fact]
    public void A_key_with_more_events_than_a_message_holds_is_split_and_nothing_is_lost()
    {
        // Unique IPv6 addresses and costs: the columns barely compress, so one key's events need several messages.
        var events = Enumerable.Range(0, 30_000).Select(i => new UsageEvent(
            "busykey000000001", "owner", Start.AddMilliseconds(i * 7 % 1000),
            i % 5 == 0 ? "NOT_FOUND" : "VALID", IPAddress.Parse("2001:db8::" + i.ToString("x", CultureInfo.InvariantCulture)), i % 9)).ToList();

        var messages = UsageMessage.Pack(events, maxPayloadBytes: 16 * 1024);

        Assert.True(messages.Count > 2, $"{messages.Count} messages");
        Assert.All(messages, m => Assert.True(m.Payload.ToMemory().Length <= 16 * 1024, $"{m.Payload.ToMemory().Length} bytes"));
        Assert.Equal(events.Select(Fields), ParseAll(messages).Select(Fields));
        Assert.All(messages, m => Assert.Equal(m.Count, UsageMessage.Parse(m.Payload).Events.Count));
        // Event ids (place in batch) are unique across the messages of the flush.
        var ids = messages.SelectMany(m => Enumerable.Range(0, m.Count).Select(i => UsageMessage.EventId(m.BatchId, i))).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void A_second_of_steady_traffic_over_1000_keys_is_one_small_message()
    {
        // The load test's shape: 28,000 events a second over 1,000 keys from one address. Version 1 (one JSON object an
        // event) took about 6 bytes an event compressed, four messages; the columns take under one.
        var address = IPAddress.Parse("127.0.0.1");
        var random = new Random(3);
        var events = Enumerable.Range(0, 28_000).Select(i => new UsageEvent(
            "k" + (i % 1000).ToString("D15", CultureInfo.InvariantCulture), "owner-" + (i % 1000 / 10).ToString(CultureInfo.InvariantCulture),
            Start.AddMilliseconds(i / 28.0 + random.Next(0, 3)), "VALID", address, 1)).ToList();

        var encoder = new UsageBatchEncoder();
        foreach (var e in events) encoder.Add(e);
        var message = Assert.Single(encoder.Flush());

        var bytesPerEvent = (double)message.Payload.ToMemory().Length / events.Count;
        Assert.True(bytesPerEvent < 1, $"{bytesPerEvent:F2} bytes an event");
        Assert.Equal(28_000, UsageMessage.Parse(message.Payload).Events.Count);
        Assert.Equal(0, encoder.Count);

        // The encoder is reused flush after flush (the recorder's thread keeps one): nothing of the last flush stays.
        encoder.Add(new UsageEvent("other0000000001", "", Start, "NOT_FOUND", null, 1));
        var next = Assert.Single(encoder.Flush());
        Assert.Equal([("other0000000001", "", "NOT_FOUND", (string?)null, 1, Start.ToUnixTimeMilliseconds())], UsageMessage.Parse(next.Payload).Events.Select(Fields));
    }

    [Fact]
    public void Version_1_messages_queued_before_an_upgrade_are_still_read()
    {
        const string json = """
            {"v":1,"batchId":"0193a1b2c3d4e5f6a7b8c9d0e1f2a3b4","events":[
              {"k":"key1","o":"owner","t":1764121398123,"c":"VALID","ip":"203.0.113.7","n":2},
              {"id":"legacy-id","k":"key2","t":1764121398124,"c":"NOT_FOUND"}]}
            """;
        foreach (var payload in new[] { BinaryData.FromString(json), Gzip(json) })
        {
            var (batchId, events) = UsageMessage.Parse(payload);
            Assert.Equal("0193a1b2c3d4e5f6a7b8c9d0e1f2a3b4", batchId);
            Assert.Equal(
                [("key1", "owner", "VALID", "203.0.113.7", 2, 1764121398123L), ("key2", "", "NOT_FOUND", (string?)null, 1, 1764121398124L)],
                events.Select(Fields));
        }
    }

    [Theory]
    [InlineData("""[]""", "not a JSON object")]
    [InlineData("""{"v":3,"batchId":"b1","keys":[]}""", "unknown version 3")]
    [InlineData("""{"v":2,"batchId":"b 1","keys":[]}""", "batchId")]
    [InlineData("""{"v":2,"batchId":"b1","events":[]}""", "no 'keys' array")]
    [InlineData("""{"v":2,"batchId":"b1","keys":[{"k":"key1","t":[],"c":"VALID"}]}""", "no events")]
    [InlineData("""{"v":2,"batchId":"b1","keys":[{"k":"key1","t":[1,2],"c":["VALID"]}]}""", "'c' has 1 values for 2 events")]
    [InlineData("""{"v":2,"batchId":"b1","keys":[{"k":"key1","t":[1,2],"c":"VALID","n":[1,2,3]}]}""", "'n' has 3 values")]
    [InlineData("""{"v":2,"batchId":"b1","keys":[{"k":"key1","t":[1,2],"c":["VALID","bad code"]}]}""", "invalid code")]
    [InlineData("""{"v":2,"batchId":"b1","keys":[{"k":"","t":[1],"c":"VALID"}]}""", "invalid key id")]
    [InlineData("""{"v":2,"batchId":"b1","keys":[{"k":"key1","t":"1","c":"VALID"}]}""", "InvalidOperationException")]
    [InlineData("""{"v":2,"batchId":"b1","keys":[{"k":"key1","t":[1,{}],"c":["VALID",{}]}]}""", "InvalidOperationException")]
    [InlineData("""{"v":2,"batchId":"b1","keys":[{"k":"key1","t":[9223372036854775807,1],"c":"VALID"}]}""", "key part 0")]
    [InlineData("""{"v":2,"batchId":"b1","keys":[{"k":"key1","t":[1],"c":"VALID","n":"x"}]}""", "InvalidOperationException")]
    public void Malformed_messages_are_refused_with_the_reason(string json, string reason)
    {
        foreach (var payload in new[] { BinaryData.FromString(json), Gzip(json) })
        {
            var ex = Assert.Throws<InvalidUsageMessageException>(() => UsageMessage.Parse(payload));
            Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Columns_without_values_default_to_no_address_and_cost_1()
    {
        var (_, events) = UsageMessage.Parse(BinaryData.FromString("""{"v":2,"batchId":"b1","keys":[{"k":"key1","t":[1000,5,-2],"c":"VALID","ip":[null,"::1","not an address"]}]}"""));
        Assert.Equal(
            [("key1", "", "VALID", (string?)null, 1, 1000L), ("key1", "", "VALID", "::1", 1, 1005L), ("key1", "", "VALID", (string?)null, 1, 1003L)],
            events.Select(Fields));
    }

    private static BinaryData Gzip(string json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(Encoding.UTF8.GetBytes(json));
        return BinaryData.FromBytes(output.ToArray());
    }
}
