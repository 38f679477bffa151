namespace Hokusai.Keys.Testing;

/// <summary>Which Redis a test runs against: tests of Redis-backed behaviour take this as a parameter and run on both.</summary>
public enum RedisTopology
{
    /// <summary>One redis-server (local runs, Azure Managed Redis with NoCluster).</summary>
    SingleNode,

    /// <summary>A three-master Redis Cluster (Azure Managed Redis with OSS clustering).</summary>
    Cluster,
}
