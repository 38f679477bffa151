using System.Text;
using System.Text.Json.Nodes;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>The built server process (real Kestrel, as ./run.sh runs it), shared by a test class.</summary>
public sealed class ServerProcessFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var group = await ServerGroup.CreateAsync(withRedis: false);
        Server = await ServerProcess.StartAsync(group.Settings);
    }

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Requests Kestrel refuses before any application code runs (request line, target, headers, HTTP version) are
/// problem+json with a code too, over a real socket to the real server process.
/// </summary>
public class ProtocolErrorTests(ServerProcessFixture fx) : IClassFixture<ServerProcessFixture>
{
    private const string Close = "Host: localhost\r\nConnection: close\r\n";

    // name → request head (Latin-1), status, code. Named cases: a 10,000-character request makes a poor test name.
    private static readonly Dictionary<string, (string Head, int Status, string Code)> Cases = new()
    {
        ["NUL in the path"] = ($"GET /api/keys/%00/usage HTTP/1.1\r\n{Close}\r\n", 400, "MALFORMED_REQUEST"),
        ["non-ASCII header value"] = ($"GET /api/health HTTP/1.1\r\n{Close}X-Name: caf\u00e9\r\n\r\n", 400, "MALFORMED_REQUEST"),
        ["NUL in a header value"] = ($"GET /api/health HTTP/1.1\r\n{Close}X-Name: a\u0000b\r\n\r\n", 400, "MALFORMED_REQUEST"),
        ["space in a header name"] = ($"GET /api/health HTTP/1.1\r\n{Close}Bad Header: x\r\n\r\n", 400, "MALFORMED_REQUEST"),
        ["malformed request line"] = ($"GET /api/he alth HTTP/1.1\r\n{Close}\r\n", 400, "MALFORMED_REQUEST"),
        ["no Host header"] = ("GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n", 400, "MALFORMED_REQUEST"),
        ["unknown transfer coding"] = ($"POST /api/keys/verify HTTP/1.1\r\n{Close}Transfer-Encoding: gzip\r\n\r\n", 400, "MALFORMED_REQUEST"),
        ["HTTP/1.0 POST without a length"] = ($"POST /api/keys/verify HTTP/1.0\r\n{Close}\r\n", 400, "MALFORMED_REQUEST"),
        ["10,000-character path"] = ($"GET /api/keys/{new string('a', 10_000)} HTTP/1.1\r\n{Close}\r\n", 414, "URI_TOO_LONG"),
        ["40 KB of headers"] = ($"GET /api/health HTTP/1.1\r\n{Close}X-Big: {new string('a', 40_000)}\r\n\r\n", 431, "HEADERS_TOO_LARGE"),
        ["unknown HTTP version"] = ($"GET /api/health HTTP/2.5\r\n{Close}\r\n", 505, "HTTP_VERSION_NOT_SUPPORTED"),
        ["asterisk target without OPTIONS"] = ($"GET * HTTP/1.1\r\n{Close}\r\n", 405, "METHOD_NOT_ALLOWED"),
    };

    public static TheoryData<string> Refused() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_request_kestrel_refuses_is_a_problem_with_a_code(string name)
    {
        var (head, status, code) = Cases[name];
        var response = await RawHttp.SendOneAsync(fx.Server.BaseAddress, head);

        Assert.True(response.Status == status, $"{name}: {response.Status}");
        AssertProblem(response, status, code);
        Assert.Equal("close", response.Header("Connection"));
        if (status == 405) Assert.Equal("OPTIONS", response.Header("Allow"));
    }

    [Fact]
    public async Task The_problem_never_echoes_the_refused_request()
    {
        // A key in the query of a request refused for its path must not come back (nor any of the target).
        const string key = "hk_test_AAAAAAAAAAAAAAAA0000000000000000000000000000000000";
        var response = await RawHttp.SendOneAsync(fx.Server.BaseAddress, $"GET /api/keys/%00?api_key={key} HTTP/1.1\r\n{Close}\r\n");

        AssertProblem(response, 400, "MALFORMED_REQUEST");
        Assert.DoesNotContain("hk_test_", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("/api/keys", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_HEAD_request_gets_no_body()
    {
        // Refused for a header, after Kestrel parsed the method. (A target it cannot parse leaves the method unknown,
        // and that answer carries the problem: docs/api.md.)
        var response = await RawHttp.SendOneAsync(fx.Server.BaseAddress, $"HEAD /api/health HTTP/1.1\r\n{Close}X-Name: a\u0000b\r\n\r\n");

        Assert.Equal(400, response.Status);
        Assert.Equal("0", response.Header("Content-Length"));
        Assert.Equal("", response.Body);
    }

    [Fact]
    public async Task Responses_before_a_refused_request_on_the_same_connection_are_untouched()
    {
        // Three requests pipelined on one connection: two answered by the app, the third refused by Kestrel.
        var ok = "GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n";
        var responses = await RawHttp.SendAsync(fx.Server.BaseAddress, Encoding.Latin1.GetBytes(ok + ok + $"GET /api/keys/%00 HTTP/1.1\r\n{Close}\r\n"));

        Assert.Equal(3, responses.Count);
        foreach (var health in responses.Take(2))
        {
            Assert.Equal(200, health.Status);
            Assert.Equal("ok", JsonNode.Parse(health.Body)!["dependencies"]!["storage"]!.GetValue<string>());
        }
        AssertProblem(responses[2], 400, "MALFORMED_REQUEST");
    }

    private static void AssertProblem(RawResponse response, int status, string code)
    {
        Assert.Equal(status, response.Status);
        Assert.StartsWith("application/problem+json", response.Header("Content-Type"));
        Assert.Equal(Encoding.UTF8.GetByteCount(response.Body).ToString(), response.Header("Content-Length"));
        var problem = JsonNode.Parse(response.Body)!;
        Assert.Equal(code, problem["code"]!.GetValue<string>());
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
        Assert.DoesNotContain("Exception", response.Body, StringComparison.Ordinal);
    }
}
