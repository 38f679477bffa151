using System.Diagnostics;
using Hokusai.Keys.Azure;
using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// The Redis limiter alone, without HTTP: N concurrent callers over K keys for some seconds against a real Redis (a
/// single node, or a cluster given as <c>host:port,host:port,…</c>); reports decisions per second and how many decisions
/// each script call carried (from the command stats of every primary). An optional fourth argument <c>limit/seconds</c>
/// sets a realistic per-key limit (decisions then include refusals); the default is so large that leases serve it.
/// </summary>
public static class LimiterThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var redis = args[0];
        var concurrency = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hokusai:Redis:ConnectionString"] = redis,
            ["Hokusai:Redis:KeyPrefix"] = "bench" + Environment.ProcessId,
        }).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddHokusaiCore(configuration).AddHokusaiRedisRateLimiting(configuration);
        await using var provider = services.BuildServiceProvider();
        var limiter = provider.GetRequiredService<IRateLimiter>();
        var policy = args.Length > 3 && args[3].Split('/') is [var limit, var window]
            ? new RateLimitPolicy(int.Parse(limit, System.Globalization.CultureInfo.InvariantCulture), int.Parse(window, System.Globalization.CultureInfo.InvariantCulture))
            : new RateLimitPolicy(1_000_000_000, 1);

        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
        var primaries = admin.GetEndPoints().Select(e => admin.GetServer(e)).Where(s => !s.IsReplica).ToList();
        foreach (var server in primaries) await server.ExecuteAsync("CONFIG", "RESETSTAT");

        // Decisions made without Redis (a timeout opened the breaker) would flatter the numbers: counted and reported.
        long fallbacks = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Name == "hokusai.ratelimit.fallbacks") l.EnableMeasurementEvents(instrument); },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref fallbacks, value));
        listener.Start();

        long decisions = 0;
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            // Random keys: workers walking the keys in order fall into step and send one key many times per batch.
            while (stop.Elapsed.TotalSeconds < seconds)
            {
                var key = "k" + Random.Shared.Next(1000);
                var decision = await limiter.AcquireAsync(new LimitRequest(key, policy, null, 1), default);
                if (decision.Outcome is not (LimitOutcome.Allowed or LimitOutcome.RateLimited)) throw new InvalidOperationException(decision.Outcome.ToString());
                Interlocked.Increment(ref decisions);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed.TotalSeconds;
        long scripts = 0;
        foreach (var server in primaries)
        {
            var info = (string)(await server.ExecuteAsync("INFO", "commandstats"))!;
            foreach (var line in info.Split('\n'))
                if (line.StartsWith("cmdstat_eval", StringComparison.Ordinal))
                    scripts += long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        Console.WriteLine($"concurrency={concurrency} decisions/s={decisions / elapsed:F0} script calls={scripts} decisions per call={(double)(decisions - fallbacks) / Math.Max(1, scripts):F1} decided without Redis={fallbacks}");
        return 0;
    }
}
