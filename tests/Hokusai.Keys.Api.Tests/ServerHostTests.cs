using Hokusai.Keys.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Api.Tests;

/// <summary>How the standalone server's host is set up (transport), beyond its routes.</summary>
public sealed class ServerHostTests
{
    private static int IOQueueCount(HokusaiServer server) =>
        server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.IOQueueCount;

    [Fact]
    public async Task Socket_io_goes_straight_to_the_thread_pool_unless_configured_otherwise()
    {
        var group = await ServerGroup.CreateAsync(withRedis: false);
        using (var server = group.StartServer())
            Assert.Equal(0, IOQueueCount(server));
        using (var tuned = group.With("Hokusai:Server:IOQueueCount", "4").StartServer())
            Assert.Equal(4, IOQueueCount(tuned));
    }
}
