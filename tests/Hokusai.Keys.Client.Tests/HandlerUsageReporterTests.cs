using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Hokusai.Keys.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// The handler's reporting when the platform does not take a report: the counts are kept and sent again under the same
/// id; the backlog and the counter are bounded, and what they drop is counted, never lost unseen. No server: a stand-in platform.
/// </summary>
public sealed class HandlerUsageReporterTests
{
    private const string Scheme = "test";

    [Fact]
    public async Task A_report_the_platform_did_not_take_is_sent_again_with_the_same_id_and_the_same_entries()
    {
        var platform = new StandInPlatform { FailuresLeft = 2 };
        using var setup = new ReporterSetup(platform);
        for (var i = 0; i < 7; i++) setup.Counter.Record(Scheme, "aaaaaaaaaaaaaaaa", "203.0.113.7");

        await setup.Reporter.FlushAsync(CancellationToken.None); // 503
        setup.Counter.Record(Scheme, "aaaaaaaaaaaaaaaa", "203.0.113.7"); // counted meanwhile: a report of its own
        await setup.Reporter.FlushAsync(CancellationToken.None); // 503
        await setup.Reporter.FlushAsync(CancellationToken.None); // taken, then the next

        Assert.Equal(4, platform.Bodies.Count);
        var ids = platform.Bodies.Select(b => b["id"]!.GetValue<string>()).ToList();
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(ids[0], ids[2]);
        Assert.NotEqual(ids[0], ids[3]);
        Assert.Equal(platform.Bodies[0].ToJsonString(), platform.Bodies[2].ToJsonString());
        Assert.Equal(7, platform.Bodies[2]["uses"]![0]!["count"]!.GetValue<long>());
        Assert.Equal(1, platform.Bodies[3]["uses"]![0]!["count"]!.GetValue<long>());
        Assert.Equal((8L, 0L), (setup.Measured("hokusai.handler.cached_uses_reported"), setup.Measured("hokusai.handler.cached_uses_dropped")));
    }

    [Fact]
    public async Task A_full_backlog_drops_the_oldest_report_and_counts_it()
    {
        var platform = new StandInPlatform { FailuresLeft = int.MaxValue };
        using var setup = new ReporterSetup(platform);
        for (var round = 0; round <= HokusaiUsageReporter.MaxPendingReports; round++)
        {
            setup.Counter.Record(Scheme, "aaaaaaaaaaaaaaaa", null);
            await setup.Reporter.FlushAsync(CancellationToken.None);
        }
        Assert.Equal(1, setup.Measured("hokusai.handler.cached_uses_dropped"));
        Assert.Equal(0, setup.Measured("hokusai.handler.cached_uses_reported"));
    }

    [Fact]
    public void A_full_counter_drops_new_entries_and_counts_them()
    {
        using var setup = new ReporterSetup(new StandInPlatform());
        for (var i = 0; i < HokusaiCachedUseCounter.MaxEntries; i++) setup.Counter.Record(Scheme, "aaaaaaaaaaaaaaaa", "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
        setup.Counter.Record(Scheme, "bbbbbbbbbbbbbbbb", null); // a new entry: dropped
        setup.Counter.Record(Scheme, "aaaaaaaaaaaaaaaa", "10.0.0.0"); // an entry already counted: kept
        var (counts, dropped) = setup.Counter.Take();
        Assert.Equal((HokusaiCachedUseCounter.MaxEntries, 1L), (counts.Count, dropped));
        Assert.Equal(2, counts[new HokusaiCachedUseCounter.Use(Scheme, "aaaaaaaaaaaaaaaa", "10.0.0.0")]);
        Assert.Equal(1, setup.Measured("hokusai.handler.cached_uses_dropped"));
    }

    private sealed class ReporterSetup : IDisposable
    {
        private readonly ServiceProvider _services;
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _measured = [];

        public ReporterSetup(StandInPlatform platform)
        {
            var services = new ServiceCollection();
            services.AddMetrics();
            services.AddOptions<HokusaiApiKeyOptions>(Scheme).Configure(o =>
            {
                o.ServiceKey = "service-key-label";
                o.Client.Endpoint = new Uri("http://hokusai.example");
                o.Client.HttpMessageHandler = platform;
                o.Client.UseGlobalSetup = false;
                o.Client.EnvironmentVariables = _ => null;
            });
            _services = services.BuildServiceProvider();
            var factory = _services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                lock (_measured) _measured[instrument.Name] = _measured.GetValueOrDefault(instrument.Name) + value;
            });
            _listener.Start();
            var metrics = new HokusaiHandlerMetrics(factory);
            Counter = new HokusaiCachedUseCounter(metrics);
            Reporter = new HokusaiUsageReporter(Counter, _services.GetRequiredService<IOptionsMonitor<HokusaiApiKeyOptions>>(), metrics,
                NullLogger<HokusaiUsageReporter>.Instance);
        }

        public HokusaiCachedUseCounter Counter { get; }

        public HokusaiUsageReporter Reporter { get; }

        public long Measured(string name)
        {
            lock (_measured) return _measured.GetValueOrDefault(name);
        }

        public void Dispose()
        {
            Reporter.Dispose();
            _listener.Dispose();
            _services.Dispose();
        }
    }

    /// <summary>Answers usage reports: 503 while <see cref="FailuresLeft"/> lasts, then 202; keeps every body it was sent.</summary>
    private sealed class StandInPlatform : HttpMessageHandler
    {
        public int FailuresLeft { get; set; }

        public List<JsonNode> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
            Bodies.Add(body);
            if (FailuresLeft-- > 0)
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                {
                    Content = new StringContent(new JsonObject { ["status"] = 503, ["code"] = ErrorCodes.Unavailable, ["detail"] = "down" }.ToJsonString(),
                        System.Text.Encoding.UTF8, "application/problem+json"),
                };
            var uses = body["uses"]!.AsArray().Sum(u => u!["count"]!.GetValue<long>());
            return new HttpResponseMessage(HttpStatusCode.Accepted)
            {
                Content = new StringContent(new JsonObject { ["id"] = body["id"]!.DeepClone(), ["keys"] = 1, ["uses"] = uses }.ToJsonString(),
                    System.Text.Encoding.UTF8, "application/json"),
            };
        }
    }
}
