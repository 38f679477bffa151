using System.Net.Sockets;
using System.Text;

namespace Hokusai.Keys.Api.Tests;

/// <summary>One HTTP/1.1 response as it came off the wire: status line, headers and the (de-chunked) body.</summary>
public sealed record RawResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    public string Header(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault("");
}

/// <summary>
/// Requests written byte for byte to a server's socket, for what HttpClient will not send (a NUL in the path, a
/// non-ASCII header, a broken request line); the server's responses read until it closes the connection.
/// </summary>
public static class RawHttp
{
    /// <summary>Writes <paramref name="request"/> (one or more pipelined requests) and parses every response until the server closes.</summary>
    public static async Task<IReadOnlyList<RawResponse>> SendAsync(Uri server, byte[] request, bool bodiless = false)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token); // the last request asks for (or provokes) Connection: close
        return Parse(received.ToArray(), bodiless);
    }

    public static async Task<RawResponse> SendOneAsync(Uri server, string head, byte[]? body = null)
    {
        // The answer to HEAD has a head only, whatever its Content-Length says (RFC 9110, 9.3.2).
        var responses = await SendAsync(server, [.. Encoding.Latin1.GetBytes(head), .. body ?? []], bodiless: head.StartsWith("HEAD ", StringComparison.Ordinal));
        Assert.True(responses.Count == 1, $"{responses.Count} responses to one request");
        return responses[0];
    }

    private static List<RawResponse> Parse(byte[] bytes, bool bodiless)
    {
        var responses = new List<RawResponse>();
        var at = 0;
        while (at < bytes.Length)
        {
            var end = IndexOf(bytes, "\r\n\r\n"u8, at);
            Assert.True(end > 0, "no complete response head: " + Encoding.Latin1.GetString(bytes, at, Math.Min(80, bytes.Length - at)));
            var lines = Encoding.Latin1.GetString(bytes, at, end - at).Split("\r\n");
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1].Trim())).ToList();
            var response = new RawResponse(int.Parse(lines[0].Split(' ')[1]), headers, "");
            at = end + 4;
            var body = new MemoryStream();
            if (bodiless) { /* a head only */ }
            else if (response.Header("Transfer-Encoding").Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var lineEnd = IndexOf(bytes, "\r\n"u8, at);
                    var size = Convert.ToInt32(Encoding.ASCII.GetString(bytes, at, lineEnd - at), 16);
                    at = lineEnd + 2;
                    if (size == 0) { at += 2; break; }
                    body.Write(bytes, at, size);
                    at += size + 2;
                }
            }
            else
            {
                var length = int.Parse(response.Header("Content-Length") is { Length: > 0 } l ? l : "0");
                Assert.True(at + length <= bytes.Length, $"the body ends early: {bytes.Length - at} of {length} bytes");
                body.Write(bytes, at, length);
                at += length;
            }
            responses.Add(response with { Body = Encoding.UTF8.GetString(body.ToArray()) });
        }
        return responses;
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> value, int from)
    {
        var index = bytes.AsSpan(from).IndexOf(value);
        return index < 0 ? -1 : from + index;
    }
}
