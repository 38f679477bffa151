using System.Diagnostics;
using Hokusai.Keys.Azure;
using Hokusai.Keys.Keys;
using Hokusai.Keys.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// The Redis limiter alone, without HTTP: N concurrent callers over K keys for some seconds against a real Redis;
/// reports decisions per second and how many decisions each script call carried (from Redis's command stats).
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
        var policy = new RateLimitPolicy(1_000_000_000, 1);

        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        await server.ExecuteAsync("CONFIG", "RESETSTAT");

        long decisions = 0;
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var i = w;
            while (stop.Elapsed.TotalSeconds < seconds)
            {
                var key = "k" + (i++ % 1000);
                var decision = await limiter.AcquireAsync(new LimitRequest(key, policy, null, 1), default);
                if (decision.Outcome != LimitOutcome.Allowed) throw new InvalidOperationException(decision.Outcome.ToString());
                Interlocked.Increment(ref decisions);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed.TotalSeconds;
        var info = (string)(await server.ExecuteAsync("INFO", "commandstats"))!;
        long scripts = 0;
        foreach (var line in info.Split('\n'))
            if (line.StartsWith("cmdstat_eval", StringComparison.Ordinal))
                scripts += long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"concurrency={concurrency} decisions/s={decisions / elapsed:F0} script calls={scripts} decisions per call={(double)decisions / Math.Max(1, scripts):F1}");
        return 0;
    }
}
