using System.Diagnostics;
using System.Net.Http.Headers;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// Open-loop load: starts requests at a fixed rate whatever the latency (so queueing shows up in the percentiles,
/// unlike a closed-loop tool at saturation). Each request presents the next key of the keys file as a Bearer token.
/// </summary>
public static class FixedRateLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: rate <url> <requests-per-second> <seconds> <keys-file>");
            return 2;
        }
        var url = args[0];
        var rate = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var keys = await File.ReadAllLinesAsync(args[3]);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler);

        var total = rate * seconds;
        var latencies = new double[total];
        var failures = 0;
        var tasks = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys[index % keys.Length]);
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if ((int)response.StatusCode >= 400) Interlocked.Increment(ref failures);
            }));
        }
        await Task.WhenAll(tasks);
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        Console.WriteLine($"rate={rate}/s requests={total} failures={failures} achieved={total / clock.Elapsed.TotalSeconds:F0}/s p50={P(0.50):F2}ms p90={P(0.90):F2}ms p99={P(0.99):F2}ms max={latencies[^1]:F2}ms");
        return failures == 0 ? 0 : 1;
    }
}
