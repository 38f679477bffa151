using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hokusai.Keys.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Api.Tests;

/// <summary>How the standalone server's host is set up (transport, logging, HTTP framing, commands), beyond its routes.</summary>
public sealed partial class ServerHostTests
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

    [GeneratedRegex("hk_(live|test)_")]
    private static partial Regex PlaintextKey();

    [Fact]
    public async Task A_key_in_the_query_never_reaches_the_log_even_with_every_request_logged()
    {
        var group = (await ServerGroup.CreateAsync(withRedis: false))
            .With("Logging:LogLevel:Default", "Trace")
            .With("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
            .With("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Trace");
        string key;
        using (var creator = group.StartServer()) key = await creator.CreateAdminKeyAsync();

        using var server = await ServerProcess.StartAsync(group.Settings);
        // Requests Kestrel refuses before the host sees them (it logs their raw request line) first: the console log
        // is written in order, so they are in it once the requests below are.
        foreach (var refused in new[] { $"GET /api/keys/%00?api_key={key} HTTP/1.1", $"GET /api/he alth?api_key={key} HTTP/1.1" })
            await RawHttp.SendAsync(server.BaseAddress, Encoding.ASCII.GetBytes(refused + "\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        using var client = server.CreateClient();
        var authorized = await client.GetAsync("/api/authorize?api_key=" + Uri.EscapeDataString(key));
        Assert.Equal(204, (int)authorized.StatusCode);
        // Routes that do not take a key in the query must not log one either.
        await client.GetAsync("/api/keys?limit=1&API_KEY=" + Uri.EscapeDataString(key));

        // The request logs are written (so they would show a key), only redacted.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Regex.Matches(server.Output, "Request finished").Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var log = server.Output;
        Assert.True(Regex.Matches(log, "Request finished").Count >= 2, "the server logged its requests");
        // Never the log itself in the message: it would hold the key.
        Assert.False(PlaintextKey().IsMatch(log), "the server log holds a plaintext key");
        Assert.Contains("/api/authorize?api_key=REDACTED", log);
    }

    [Fact]
    public async Task Started_from_the_repository_root_as_run_sh_does_the_server_uses_its_own_directory_as_content_root()
    {
        var group = await ServerGroup.CreateAsync(withRedis: false);
        using var server = await ServerProcess.StartAsync(group.Settings);
        var expected = "Content root path: " + Path.GetDirectoryName(ServerProcess.Dll);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!server.Output.Contains("Content root path:") && DateTime.UtcNow < deadline) await Task.Delay(100);
        var line = server.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Content root path:", StringComparison.Ordinal));
        Assert.Equal(expected.TrimEnd('/'), line?.TrimEnd('/'));
    }

    [Fact]
    public async Task Bootstrap_with_a_malformed_storage_connection_string_fails_in_one_line_with_exit_code_1()
    {
        var group = (await ServerGroup.CreateAsync(withRedis: false))
            .With("Hokusai:Storage:ConnectionString", "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=not-a-key;TableEndpoint=::nonsense");
        var (exitCode, output) = await ServerProcess.RunCommandAsync(group.Settings, "bootstrap-admin", "--json");
        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Bootstrap failed: Hokusai:Storage:ConnectionString", line);
        Assert.DoesNotContain("not-a-key", output);
    }

    [Fact]
    public async Task Bootstrap_creates_a_working_admin_key_once_then_exits_3_unless_forced_and_2_on_a_bad_argument()
    {
        var group = await ServerGroup.CreateAsync(withRedis: false);
        var (exitCode, output) = await ServerProcess.RunCommandAsync(group.Settings, "bootstrap-admin", "--owner", "root", "--json");
        Assert.Equal(0, exitCode);
        var created = BootstrapResult(output);
        var key = created["key"]!.GetValue<string>();
        var id = created["id"]!.GetValue<string>();
        Assert.True(PlaintextKey().IsMatch(key), "bootstrap-admin --json carries the key");
        Assert.Equal("root", created["owner"]!.GetValue<string>());
        using (var server = group.StartServer())
        {
            var (status, listed, _) = await server.Client(key).GetJsonAsync("/api/keys?limit=100");
            Assert.Equal(200, status);
            Assert.Contains(listed!["items"]!.AsArray(), k => k!["id"]!.GetValue<string>() == id);
        }

        var (refused, refusal) = await ServerProcess.RunCommandAsync(group.Settings, "bootstrap-admin", "--json");
        Assert.Equal(3, refused);
        Assert.Contains($"An admin key already exists (id {id})", refusal);
        Assert.False(PlaintextKey().IsMatch(refusal), "a refusal prints no key");

        var (forced, forcedOutput) = await ServerProcess.RunCommandAsync(group.Settings, "bootstrap-admin", "--force", "--json");
        Assert.Equal(0, forced);
        Assert.NotEqual(id, BootstrapResult(forcedOutput)["id"]!.GetValue<string>());

        // The removed `hokusai admin bootstrap` took storage as options; the server takes it from its configuration.
        var (usage, usageOutput) = await ServerProcess.RunCommandAsync(group.Settings, "bootstrap-admin", "--connection-string", "UseDevelopmentStorage=true");
        Assert.Equal(2, usage);
        Assert.Contains("Unknown argument '--connection-string'", usageOutput);
    }

    /// <summary>The one JSON line <c>bootstrap-admin --json</c> writes to standard output (logs, if any, go to standard error).</summary>
    private static JsonNode BootstrapResult(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('{')).ToList();
        // Counted, not printed: the line holds a plaintext key.
        Assert.True(lines.Count == 1, $"{lines.Count} JSON lines in the output of bootstrap-admin --json");
        return JsonNode.Parse(lines[0])!;
    }

    public static TheoryData<string, string> BodyRoutes() => new()
    {
        { "POST", "/api/keys/verify" },
        { "POST", "/api/keys" },
        { "PATCH", "/api/keys/{id}" },
        { "POST", "/api/keys/{id}/rotate" },
    };

    [Theory]
    [MemberData(nameof(BodyRoutes))]
    public async Task A_malformed_chunked_body_is_a_400_problem(string method, string route)
    {
        var (server, admin, id) = await StartWithKeyAsync();
        using (server)
        {
            var (status, contentType, body) = await RawAsync(server, method, route.Replace("{id}", id), admin,
                "Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n");
            Assert.Equal(400, status);
            Assert.StartsWith("application/problem+json", contentType);
            Assert.Equal("MALFORMED_REQUEST", JsonNode.Parse(body)!["code"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_body_that_stalls_is_a_408_problem()
    {
        var (server, admin, _) = await StartWithKeyAsync();
        using (server)
        {
            // Ten of the announced hundred bytes, then nothing: Kestrel's minimum body data rate ends the wait.
            var (status, contentType, body) = await RawAsync(server, "POST", "/api/keys", admin, "Content-Length: 100\r\n", "{\"name\":\"x");
            Assert.Equal(408, status);
            Assert.StartsWith("application/problem+json", contentType);
            Assert.Equal("REQUEST_TIMEOUT", JsonNode.Parse(body)!["code"]!.GetValue<string>());
        }
    }

    private static async Task<(ServerProcess Server, string Admin, string Id)> StartWithKeyAsync()
    {
        var group = await ServerGroup.CreateAsync(withRedis: false);
        string admin, id;
        using (var creator = group.StartServer())
        {
            admin = await creator.CreateAdminKeyAsync();
            id = (await creator.Client(admin).CreateKeyAsync(new { name = "framing" })).Id;
        }
        return (await ServerProcess.StartAsync(group.Settings), admin, id);
    }

    /// <summary>One request written byte for byte (HttpClient cannot send broken framing); the response's status, type and body.</summary>
    private static async Task<(int Status, string ContentType, string Body)> RawAsync(ServerProcess server, string method, string path, string apiKey, string headers, string body)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        var request = $"{method} {path} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nAuthorization: Bearer {apiKey}\r\n" +
                      $"Content-Type: application/json\r\nConnection: close\r\n{headers}\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token); // Connection: close, so the response ends with the connection
        var text = Encoding.UTF8.GetString(received.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, "no complete response head: " + text.Split("\r\n")[0]);
        var head = text[..end].Split("\r\n");
        string Header(string name) => head.Skip(1).Select(h => h.Split(':', 2)).Where(h => h[0].Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h[1].Trim()).FirstOrDefault("");
        var content = text[(end + 4)..];
        if (Header("Transfer-Encoding").Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = new StringBuilder();
            for (var at = 0; ;)
            {
                var lineEnd = content.IndexOf("\r\n", at, StringComparison.Ordinal);
                var size = Convert.ToInt32(content[at..lineEnd], 16);
                if (size == 0) break;
                decoded.Append(content, lineEnd + 2, size);
                at = lineEnd + 2 + size + 2;
            }
            content = decoded.ToString();
        }
        return (int.Parse(head[0].Split(' ')[1]), Header("Content-Type"), content);
    }
}
