namespace Hokusai.Keys.Testing;

/// <summary>One Azurite and one Redis per test process, started on first use on free ports (never the dev ports).</summary>
public static class SharedInfrastructure
{
    private static readonly Lazy<Task<AzuriteInstance>> Azurite = new(AzuriteInstance.StartAsync);
    private static readonly Lazy<Task<RedisInstance>> Redis = new(RedisInstance.StartAsync);

    public static Task<AzuriteInstance> AzuriteAsync() => Azurite.Value;

    public static Task<RedisInstance> RedisAsync() => Redis.Value;
}
