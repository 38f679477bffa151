namespace Hokusai.Keys.Testing;

/// <summary>A real redis-server on a free port; can be stopped and started again on the same port to test outages.</summary>
public sealed class RedisInstance : IDisposable
{
    private ExternalProcess? _process;

    private RedisInstance(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisInstance> StartAsync()
    {
        var instance = new RedisInstance(ExternalProcess.FreePort());
        await instance.StartAgainAsync();
        return instance;
    }

    public async Task StartAgainAsync()
    {
        _process?.Dispose();
        _process = new ExternalProcess("redis-server", ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        var process = _process;
        await ExternalProcess.WaitForPortAsync(Port, TimeSpan.FromSeconds(20), () => process.Output);
    }

    /// <summary>FLUSHALL: Redis loses every key.</summary>
    public async Task FlushAllAsync()
    {
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");
        await connection.GetServer(connection.GetEndPoints()[0]).FlushAllDatabasesAsync();
    }

    public void Stop()
    {
        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();
}
