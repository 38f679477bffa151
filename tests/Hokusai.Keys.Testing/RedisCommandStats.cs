using StackExchange.Redis;

namespace Hokusai.Keys.Testing;

/// <summary>What a test's own Redis (single node or every master of a cluster) has executed, from <c>INFO commandstats</c>.</summary>
public static class RedisCommandStats
{
    /// <summary>Script calls (EVAL and EVALSHA) across every primary: the rate limiter's round trips.</summary>
    public static async Task<long> ScriptCallsAsync(string connectionString)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        long calls = 0;
        foreach (var endpoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endpoint);
            if (server.IsReplica) continue;
            foreach (var (name, value) in (await server.InfoAsync("commandstats")).SelectMany(group => group))
            {
                if (name is not ("cmdstat_eval" or "cmdstat_evalsha")) continue;
                // "calls=12,usec=345,usec_per_call=28.75,rejected_calls=0,failed_calls=0"
                calls += long.Parse(value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return calls;
    }
}
