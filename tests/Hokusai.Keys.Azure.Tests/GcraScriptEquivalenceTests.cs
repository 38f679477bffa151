using System.Globalization;
using CsCheck;
using Hokusai.Keys.Azure.RateLimiting;
using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Hokusai.Keys.Testing;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>
/// The rate limit is computed twice: by <see cref="Gcra.Evaluate"/> (the in-memory limiter) and by the Lua script of
/// <see cref="RedisRateLimiter"/> on a real Redis. Generated sequences of requests must get the same decisions from both.
/// The script reads Redis's clock (TIME), so the test runs it with one change: the clock line reads a time passed as
/// the last argument, so both sides see the same instants. Each step gives both sides the same stored TAT (the script
/// stores it rounded to a whole microsecond; the C# side is handed what Redis holds).
/// </summary>
public class GcraScriptEquivalenceTests
{
    private const string ClockLine = "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])";

    private static string ScriptWithPassedClock()
    {
        var script = RedisRateLimiter.Script;
        Assert.Contains("local t = redis.call('TIME')", script, StringComparison.Ordinal);
        Assert.Contains(ClockLine, script, StringComparison.Ordinal);
        return script.Replace("local t = redis.call('TIME')", "", StringComparison.Ordinal)
            .Replace(ClockLine, "local now = tonumber(ARGV[#ARGV])", StringComparison.Ordinal);
    }

    private sealed record Step(long AdvanceMicros, int Cost);

    [Fact]
    public async Task The_script_and_Gcra_Evaluate_decide_the_same_on_generated_sequences()
    {
        using var redis = await RedisInstance.StartAsync();
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},syncTimeout=10000,asyncTimeout=10000");
        var database = multiplexer.GetDatabase();
        var script = ScriptWithPassedClock();
        var sequence = 0;

        var steps = Gen.Select(Gen.Long[0, 5_000_000], Gen.Int[0, 4], (advance, cost) => new Step(advance, cost)).Array[1, 40];
        var gen = Gen.Select(Gen.Int[1, 2_000], Gen.Int[1, 3_600], steps);

        await gen.SampleAsync(async sample =>
        {
            var (limit, window, requests) = sample;
            var policy = new RateLimitPolicy(limit, window);
            var rateKey = (RedisKey)$"equivalence:{Interlocked.Increment(ref sequence)}:rl";
            var quotaKey = (RedisKey)$"equivalence:{sequence}:q";
            var now = 1_764_460_800_000_000.0 + Random.Shared.Next(0, 1_000_000); // microseconds, of today's magnitude
            foreach (var step in requests)
            {
                now += step.AdvanceMicros;
                var stored = await database.StringGetAsync(rateKey);
                var storedTat = stored.IsNull ? 0 : double.Parse((string)stored!, CultureInfo.InvariantCulture);
                var expected = Gcra.Evaluate(policy, storedTat, now, step.Cost);

                var args = new RedisValue[] { 1, limit, window * 1_000_000L, step.Cost, step.Cost, 0, 0, -1, now.ToString("F0", CultureInfo.InvariantCulture) };
                var result = (RedisResult[])(await database.ScriptEvaluateAsync(script, [rateKey, quotaKey], args))!;
                var outcome = (long)result[0];
                var context = $"limit {limit}/{window}s, tat {storedTat:F0}, now {now:F0}, cost {step.Cost}";

                Assert.True(expected.Allowed == (outcome == 0), $"allowed: C# {expected.Allowed}, script outcome {outcome} ({context})");
                Assert.True(expected.Remaining == (long)result[1], $"remaining: C# {expected.Remaining}, script {(long)result[1]} ({context})");
                Assert.True((long)Math.Floor(expected.ResetMicros) == (long)result[2], $"reset: C# {expected.ResetMicros}, script {(long)result[2]} ({context})");
                Assert.True((long)Math.Ceiling(expected.RetryAfterMicros) == (long)result[3], $"retry: C# {expected.RetryAfterMicros}, script {(long)result[3]} ({context})");
                if (expected.Allowed && step.Cost > 0)
                    Assert.Equal(Math.Round(expected.NewTat), double.Parse((string)(await database.StringGetAsync(rateKey))!, CultureInfo.InvariantCulture));
            }
        }, iter: 300, threads: 1);
    }
}
