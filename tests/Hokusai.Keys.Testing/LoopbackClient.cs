using System.Net;
using System.Net.Sockets;

namespace Hokusai.Keys.Testing;

/// <summary>HTTP clients whose connections come from a chosen loopback address (any 127.x address is this machine).</summary>
public static class LoopbackClient
{
    /// <summary>A client whose TCP connections leave from <paramref name="localAddress"/>, e.g. 127.0.0.2.</summary>
    public static HttpClient From(string localAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
