using System.Diagnostics;
using StackExchange.Redis;

namespace Hokusai.Keys.Testing;

/// <summary>
/// A real local Redis Cluster: three masters (<c>--cluster-enabled yes</c>, each in its own directory, on free ports),
/// joined by <c>redis-cli --cluster create … --cluster-replicas 0</c>. Like Azure Managed Redis with OSS clustering: a
/// script whose keys are in different slots fails with CROSSSLOT. Can be stopped and started again on the same ports
/// (each node keeps its slots in its <c>nodes.conf</c>) to test outages.
/// </summary>
public sealed class RedisCluster : IDisposable
{
    private readonly List<ExternalProcess> _nodes = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hokusai-redis-cluster-" + Guid.NewGuid().ToString("N")[..12]);

    private RedisCluster(int[] ports) => Ports = ports;

    public IReadOnlyList<int> Ports { get; }

    /// <summary>Every master: StackExchange.Redis discovers the slot map from any of them.</summary>
    public string ConnectionString => string.Join(",", Ports.Select(p => $"127.0.0.1:{p}"));

    public static async Task<RedisCluster> StartAsync()
    {
        var cluster = new RedisCluster([ExternalProcess.FreeClusterPort(), ExternalProcess.FreeClusterPort(), ExternalProcess.FreeClusterPort()]);
        try
        {
            await cluster.StartNodesAsync();
            await cluster.CreateAsync();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    private async Task StartNodesAsync()
    {
        _nodes.Clear();
        foreach (var port in Ports)
        {
            var directory = Path.Combine(_directory, port.ToString());
            Directory.CreateDirectory(directory);
            var node = new ExternalProcess("redis-server",
            [
                "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf", "--save", "", "--appendonly", "no",
            ]);
            _nodes.Add(node);
        }
        for (var i = 0; i < Ports.Count; i++)
        {
            var node = _nodes[i];
            await ExternalProcess.WaitForPortAsync(Ports[i], TimeSpan.FromSeconds(20), () => node.Output);
        }
    }

    private async Task CreateAsync()
    {
        using (var create = new ExternalProcess("redis-cli",
            ["--cluster", "create", .. Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"]))
        {
            var clock = Stopwatch.StartNew();
            while (!create.HasExited && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
            if (!create.HasExited) throw new InvalidOperationException("redis-cli --cluster create did not finish: " + create.Output);
        }
        await WaitUntilUpAsync();
    }

    /// <summary>The masters agree on the slot map shortly after create (or a restart) returns: waits until each reports the cluster up.</summary>
    private async Task WaitUntilUpAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var port in Ports)
        {
            await using var node = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true");
            var server = node.GetServer("127.0.0.1", port);
            while (!((string?)await server.ExecuteAsync("CLUSTER", "INFO") ?? "").Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"Redis Cluster node {port} never reported cluster_state:ok.");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>FLUSHALL on every master: the cluster loses every key.</summary>
    public async Task FlushAllAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");
        foreach (var endpoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endpoint);
            if (!server.IsReplica) await server.FlushAllDatabasesAsync();
        }
    }

    /// <summary>Stops every node: the whole cluster is unreachable (its data is lost, its slot map is kept).</summary>
    public void Stop()
    {
        foreach (var node in _nodes) node.Dispose();
        _nodes.Clear();
    }

    /// <summary>Starts every node again on its port and directory; returns once the cluster reports itself up.</summary>
    public async Task StartAgainAsync()
    {
        Stop();
        await StartNodesAsync();
        await WaitUntilUpAsync();
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
