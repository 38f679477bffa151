using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// Open-loop load: starts requests on a fixed schedule whatever the latency, and times each from the moment it was due
/// (not from when it was sent), so a stall shows in the percentiles instead of slowing the generator down (no
/// coordinated omission). Each request presents the next key of the keys file as a Bearer token; with several URLs
/// (comma-separated: instances sharing storage and Redis), consecutive requests of one key go to different URLs.
/// Optionally writes, per key (by line number, never the key), the answers it got and when, for over-admission counts.
/// </summary>
public static class FixedRateLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: rate <url>[,<url>…] <requests-per-second> <seconds> <keys-file> [<per-key-tsv>]");
            return 2;
        }
        var urls = args[0].Split(',', StringSplitOptions.RemoveEmptyEntries);
        var rate = int.Parse(args[1], CultureInfo.InvariantCulture);
        var seconds = int.Parse(args[2], CultureInfo.InvariantCulture);
        var keys = await File.ReadAllLinesAsync(args[3]);
        var perKeyFile = args.Length > 4 ? args[4] : null;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler);

        var total = rate * seconds;
        var latencies = new double[total];
        var statuses = new int[total];
        var sentAt = new double[total];
        var doneAt = new double[total];
        var tasks = new List<Task>(total);
        double maxBehind = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = (double)i / rate * 1000;
            var wait = due - clock.Elapsed.TotalMilliseconds;
            if (wait > 1) await Task.Delay(TimeSpan.FromMilliseconds(wait));
            maxBehind = Math.Max(maxBehind, clock.Elapsed.TotalMilliseconds - due);
            var index = i;
            var url = urls[(index % keys.Length + index / keys.Length) % urls.Length];
            tasks.Add(Task.Run(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys[index % keys.Length]);
                sentAt[index] = clock.Elapsed.TotalMilliseconds;
                try
                {
                    using var response = await client.SendAsync(request);
                    statuses[index] = (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    statuses[index] = -1;
                }
                doneAt[index] = clock.Elapsed.TotalMilliseconds;
                latencies[index] = doneAt[index] - due;
            }));
        }
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;

        var answers = string.Join(',', statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{(g.Key < 0 ? "error" : g.Key.ToString(CultureInfo.InvariantCulture))}:{g.Count()}"));
        if (perKeyFile is not null) await WritePerKeyAsync(perKeyFile, keys.Length, statuses, sentAt, doneAt);
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rate={rate}/s requests={total} achieved={total / elapsed:F0}/s answers={answers} p50={P(0.50):F2}ms p90={P(0.90):F2}ms p99={P(0.99):F2}ms max={latencies[^1]:F2}ms generator-behind-max={maxBehind:F1}ms"));
        return statuses.Any(s => s < 0 || s >= 500) ? 1 : 0;
    }

    /// <summary>Per key: admitted (2xx), refused (429), other answers, first send and last answer in ms from the start.</summary>
    private static async Task WritePerKeyAsync(string path, int keyCount, int[] statuses, double[] sentAt, double[] doneAt)
    {
        var admitted = new int[keyCount];
        var refused = new int[keyCount];
        var other = new int[keyCount];
        var first = Enumerable.Repeat(double.MaxValue, keyCount).ToArray();
        var last = new double[keyCount];
        for (var i = 0; i < statuses.Length; i++)
        {
            var k = i % keyCount;
            if (statuses[i] is >= 200 and < 300) admitted[k]++;
            else if (statuses[i] == 429) refused[k]++;
            else other[k]++;
            first[k] = Math.Min(first[k], sentAt[i]);
            last[k] = Math.Max(last[k], doneAt[i]);
        }
        await using var writer = new StreamWriter(path);
        await writer.WriteLineAsync("key\tadmitted\trefused\tother\tfirst_sent_ms\tlast_answer_ms");
        for (var k = 0; k < keyCount; k++)
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{k}\t{admitted[k]}\t{refused[k]}\t{other[k]}\t{first[k]:F1}\t{last[k]:F1}"));
    }
}
