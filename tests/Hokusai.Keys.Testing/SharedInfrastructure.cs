namespace Hokusai.Keys.Testing;

/// <summary>One Azurite, one Redis and (when a test asks) one Redis Cluster per test process, started on first use on free ports (never the dev ports).</summary>
public static class SharedInfrastructure
{
    private static readonly Lazy<Task<AzuriteInstance>> Azurite = new(AzuriteInstance.StartAsync);
    private static readonly Lazy<Task<RedisInstance>> Redis = new(RedisInstance.StartAsync);
    private static readonly Lazy<Task<RedisCluster>> Cluster = new(RedisCluster.StartAsync);

    public static Task<AzuriteInstance> AzuriteAsync() => Azurite.Value;

    public static Task<RedisInstance> RedisAsync() => Redis.Value;

    /// <summary>One three-master Redis Cluster per test process, started on first use.</summary>
    public static Task<RedisCluster> RedisClusterAsync() => Cluster.Value;

    /// <summary>The connection string of the shared single-node Redis or the shared Redis Cluster.</summary>
    public static async Task<string> RedisConnectionStringAsync(RedisTopology topology) => topology == RedisTopology.Cluster
        ? (await RedisClusterAsync()).ConnectionString
        : (await RedisAsync()).ConnectionString;
}
