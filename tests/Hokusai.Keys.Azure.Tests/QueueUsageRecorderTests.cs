using System.Diagnostics.Metrics;
using System.Net;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>The usage producer alone, over a real Azurite queue: bound, drop accounting, shutdown drain, thread priority.</summary>
public sealed class QueueUsageRecorderTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");

    private sealed class Producer : IDisposable
    {
        private readonly ServiceProvider _services;
        private readonly MeterListener _listener = new();
        private long _dropped;

        public Producer(string connectionString, int capacity)
        {
            var prefix = "rec" + Guid.NewGuid().ToString("N")[..10];
            _services = new ServiceCollection().AddMetrics().AddSingleton<KeyMetrics>().BuildServiceProvider();
            Queues = new UsageQueues(
                Options.Create(new StorageOptions { ConnectionString = connectionString, TablePrefix = prefix }),
                Options.Create(new UsageOptions()));
            Recorder = new QueueUsageRecorder(Queues, Options.Create(new UsageOptions { BufferCapacity = capacity, FlushIntervalMilliseconds = 50 }),
                _services.GetRequiredService<KeyMetrics>(), NullLogger<QueueUsageRecorder>.Instance);
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "hokusai.usage.events_dropped") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _dropped, value));
            _listener.Start();
        }

        public UsageQueues Queues { get; }

        public QueueUsageRecorder Recorder { get; }

        public long Dropped => Interlocked.Read(ref _dropped);

        public async Task<long> EventsOnQueueAsync()
        {
            long total = 0;
            while (true)
            {
                var received = (await Queues.Usage.ReceiveMessagesAsync(32)).Value;
                if (received.Length == 0) return total;
                foreach (var message in received)
                {
                    total += UsageMessage.Parse(message.Body).Events.Count;
                    await Queues.Usage.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            Recorder.Dispose();
            _services.Dispose();
        }
    }

    private static async Task<Producer> ProducerAsync(int capacity) => new((await SharedInfrastructure.AzuriteAsync()).ConnectionString, capacity);

    private static UsageEvent Event(int i) => new("key" + (i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture), "owner", DateTimeOffset.UtcNow, "VALID", Client, 1);

    [Fact]
    public async Task A_full_buffer_drops_and_counts_the_excess_and_sends_the_rest()
    {
        using var producer = await ProducerAsync(capacity: 100);
        for (var i = 0; i < 150; i++) producer.Recorder.Record(Event(i)); // not started: nothing leaves the buffer
        Assert.Equal(50, producer.Dropped);

        await producer.Recorder.StartAsync(CancellationToken.None);
        await producer.Recorder.StopAsync(CancellationToken.None);
        Assert.Equal(100, producer.Recorder.SentEvents);
        Assert.Equal(100, await producer.EventsOnQueueAsync());
    }

    [Fact]
    public async Task Events_recorded_while_the_host_stops_are_sent_or_counted_never_lost()
    {
        using var producer = await ProducerAsync(capacity: 1_000_000);
        await producer.Recorder.StartAsync(CancellationToken.None);
        long recorded = 0;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                producer.Recorder.Record(Event(i++));
                Interlocked.Increment(ref recorded);
            }
        })).ToArray();
        await Task.Delay(300);
        await producer.Recorder.StopAsync(CancellationToken.None); // writers keep recording through the drain
        await Task.Delay(50);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(producer.Recorder.SentEvents > 0);
        Assert.True(producer.Dropped > 0, "no event was recorded after the buffer closed: the race was not exercised");
        Assert.Equal(Interlocked.Read(ref recorded), producer.Recorder.SentEvents + producer.Dropped);
        Assert.Equal(producer.Recorder.SentEvents, await producer.EventsOnQueueAsync());
    }

    [Fact]
    public async Task An_event_that_cannot_be_encoded_is_counted_and_the_producer_goes_on()
    {
        using var producer = await ProducerAsync(capacity: 1000);
        await producer.Recorder.StartAsync(CancellationToken.None);
        // An event without a key id (a bug upstream) makes the encoder throw on the producer thread.
        producer.Recorder.Record(new UsageEvent(null!, "owner", DateTimeOffset.UtcNow, "VALID", Client, 1));
        Assert.True(await Http.EventuallyAsync(() => Task.FromResult(producer.Dropped == 1), TimeSpan.FromSeconds(5)), "the fault was not counted");

        for (var i = 0; i < 10; i++) producer.Recorder.Record(Event(i));
        await producer.Recorder.StopAsync(CancellationToken.None);
        Assert.Equal(10, producer.Recorder.SentEvents);
        Assert.Equal(10, await producer.EventsOnQueueAsync());
    }

    [LinuxFact]
    public async Task The_producer_thread_runs_at_a_lower_priority_than_request_threads()
    {
        using var producer = await ProducerAsync(capacity: 10);
        await producer.Recorder.StartAsync(CancellationToken.None);
        try
        {
            // /proc/self/task/<tid>/stat: "tid (comm) state ..."; nice is the 19th field, the 17th after the comm.
            int? nice = null;
            for (var attempt = 0; attempt < 50 && nice is null; attempt++)
            {
                foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
                {
                    string stat;
                    try
                    {
                        stat = await File.ReadAllTextAsync(Path.Combine(task, "stat"));
                    }
                    catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException)
                    {
                        continue; // a thread that ended while we listed them
                    }
                    var open = stat.IndexOf('(', StringComparison.Ordinal);
                    var close = stat.LastIndexOf(')');
                    if (stat[(open + 1)..close] != "hokusai-usage-p") continue; // comm holds 15 characters
                    nice = int.Parse(stat[(close + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
                }
                if (nice is null) await Task.Delay(20);
            }
            Assert.Equal(ThreadScheduling.BackgroundNice, nice);
        }
        finally
        {
            await producer.Recorder.StopAsync(CancellationToken.None);
        }
    }
}

/// <summary>A test of Linux behaviour (thread nice values in /proc); skipped, and said so, elsewhere.</summary>
internal sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Linux only: thread nice values are read from /proc.";
    }
}
