using StackExchange.Redis;

namespace Hokusai.Keys.Testing;

/// <summary>Finds keys by pattern on every primary: one server, or each master of a Redis Cluster (SCAN is per node).</summary>
public static class RedisKeyScan
{
    public static async Task<List<RedisKey>> KeysAsync(this IConnectionMultiplexer redis, string pattern)
    {
        var keys = new List<RedisKey>();
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
            await foreach (var key in server.KeysAsync(pattern: pattern)) keys.Add(key);
        return keys;
    }
}
