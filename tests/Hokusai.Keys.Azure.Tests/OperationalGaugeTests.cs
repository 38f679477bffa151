using Hokusai.Keys.Azure.Lifecycle;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>The gauges the non-app alerts query (infra/alerts/): usage poison queue, outbox backlog age, Redis availability.</summary>
public sealed class OperationalGaugeTests
{
    // The server's own timer would sweep in between; the tests sweep by hand.
    private static ServerGroup NoTimerSweeps(ServerGroup group) => group.With("Hokusai:Lifecycle:OutboxSweepSeconds", "3600");

    [Fact]
    public async Task The_poison_gauge_reports_the_poison_queue_length_as_of_the_last_sweep()
    {
        var (_, server, _) = await Fixtures.StartAsync(NoTimerSweeps);
        using var _ = server;
        using var meter = new ServerMeter(server);
        var queues = server.Services.GetRequiredService<UsageQueues>();
        await queues.EnsureCreatedAsync(CancellationToken.None);
        var sweeps = server.Services.GetRequiredService<LifecycleSweeps>();

        await sweeps.SweepOutboxAsync(CancellationToken.None);
        Assert.Equal([0.0], meter.Observe(KeyMetrics.UsagePoisonMessagesName));

        await queues.Poison.SendMessageAsync(BinaryData.FromString("{not json"));
        await queues.Poison.SendMessageAsync(BinaryData.FromString("{not json either"));
        await sweeps.SweepOutboxAsync(CancellationToken.None);
        Assert.Equal([2.0], meter.Observe(KeyMetrics.UsagePoisonMessagesName));
    }

    [Fact]
    public async Task The_outbox_gauge_reports_the_age_of_the_oldest_event_left_and_zero_once_sent()
    {
        var sender = new RecordingSender { Fail = true };
        var (_, server, admin) = await Fixtures.StartAsync(g => NoTimerSweeps(g).With("Hokusai:Lifecycle:OutboxGraceSeconds", "0"),
            services => services.Replace(ServiceDescriptor.Singleton(Fixtures.Publisher(sender))));
        using var _ = server;
        using var meter = new ServerMeter(server);
        var sweeps = server.Services.GetRequiredService<LifecycleSweeps>();
        await admin.CreateKeyAsync(new { name = "stuck" });
        await sender.WaitForAttemptsAsync(1);

        await sweeps.SweepOutboxAsync(CancellationToken.None);
        var age = Assert.Single(meter.Observe(KeyMetrics.OutboxBacklogAgeName));
        Assert.True(age > 0, $"backlog age {age}");

        sender.Fail = false;
        await sweeps.SweepOutboxAsync(CancellationToken.None);
        Assert.Equal([0.0], meter.Observe(KeyMetrics.OutboxBacklogAgeName));
    }

    [Fact]
    public async Task The_redis_gauge_is_1_while_connected_and_0_once_redis_is_gone()
    {
        var redis = await RedisInstance.StartAsync(); // its own: this test stops it
        try
        {
            var group = await ServerGroup.CreateAsync(redis);
            using var server = group.StartServer();
            using var meter = new ServerMeter(server);
            var admin = server.Client(await server.CreateAdminKeyAsync());
            await admin.CreateKeyAsync(new { name = "warm" }); // the first request connects

            Assert.True(await Http.EventuallyAsync(() => Task.FromResult(meter.Observe(KeyMetrics.RedisAvailableName).SequenceEqual([1.0])), TimeSpan.FromSeconds(10)),
                "the gauge did not report Redis as available");
            redis.Dispose();
            Assert.True(await Http.EventuallyAsync(() => Task.FromResult(meter.Observe(KeyMetrics.RedisAvailableName).SequenceEqual([0.0])), TimeSpan.FromSeconds(15)),
                "the gauge did not report Redis as unavailable after it stopped");
        }
        finally
        {
            redis.Dispose();
        }
    }
}
