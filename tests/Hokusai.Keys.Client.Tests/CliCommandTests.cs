using System.Text.Json;
using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client.Tests;

/// <summary>The CLI end to end, in-process, against the real server over real Azurite and Redis.</summary>
public sealed class CliCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly CliRunner _cli = new(fixture);

    [Fact]
    public async Task Create_list_verify_rotate_revoke_then_verify_fails()
    {
        // create (human output): the key is printed exactly once, with the warning.
        var created = await _cli.AdminAsync("auth", "create-key", "--name", "CLI key", "--owner", "team-cli", "--env", "test",
            "--scopes", "models:read,models:write", "--rate-limit", "100/s", "--expires-in", "90d", "--meta", "team=cli", "--meta", "tier=gold");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("only time the key is shown", created.Out);
        Assert.Contains("cannot be retrieved later", created.Out);
        Assert.True(created.PrintedKeys.Count == 1, "create-key must print the key exactly once");
        var key = created.PrintedKeys[0];
        Assert.True(key.StartsWith("hk_test_", StringComparison.Ordinal), "a --env test key starts with hk_test_");
        Assert.Contains("100/s", created.Out);
        Assert.Contains("team=cli", created.Out);

        // list: table on a terminal, tab-separated through a pipe, and --json
        var table = await new CliRunner(fixture) { TerminalWidth = 160 }.AdminAsync("auth", "list-keys", "--owner", "team-cli");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("CLI key", table.Out);
        Assert.Contains("models:read, models:write", table.Out);
        Assert.True(table.PrintedKeys.Count == 0, "list-keys must never print a plaintext key");

        var piped = await _cli.AdminAsync("auth", "list-keys", "--owner", "team-cli");
        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.Contains("\tCLI key\tteam-cli\ttest\tactive\tmodels:read,models:write\t", piped.Out);
        Assert.True(piped.PrintedKeys.Count == 0, "list-keys must never print a plaintext key");

        var listed = await _cli.AdminAsync("auth", "list-keys", "--owner", "team-cli", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var items = listed.Json().GetProperty("items").EnumerateArray().ToList();
        var item = Assert.Single(items);
        var id = item.GetProperty("id").GetString()!;
        Assert.Equal("team-cli", item.GetProperty("owner").GetString());
        Assert.Equal("active", item.GetProperty("status").GetString());
        Assert.Equal(100, item.GetProperty("rateLimit").GetProperty("limit").GetInt32());
        Assert.Equal(1, item.GetProperty("rateLimit").GetProperty("windowSeconds").GetInt32());
        Assert.False(item.TryGetProperty("key", out _), "a listed key has no plaintext");
        Assert.True(listed.Json().TryGetProperty("nextCursor", out _));

        // verify: exit 0 when valid
        var verified = await _cli.RunAsync("auth", "verify", key, "--api-url", fixture.Endpoint.AbsoluteUri, "--scopes", "models:read");
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Contains("VALID", verified.Out);
        Assert.Contains(id, verified.Out);

        // rotate with no grace and a fresh lifetime: the new key works, the old one does not
        var rotated = await _cli.AdminAsync("auth", "rotate-key", id, "--grace", "0", "--expires-in", "90d", "--json");
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        var rotatedJson = rotated.Json();
        var newKey = rotatedJson.GetProperty("key").GetProperty("key").GetString();
        var newId = rotatedJson.GetProperty("key").GetProperty("id").GetString()!;
        Assert.True(Secrets.IsKey(newKey), "rotate --json carries the new plaintext key");
        Assert.Equal(id, rotatedJson.GetProperty("previous").GetProperty("id").GetString());
        Assert.NotEqual(id, newId);
        var newExpiry = rotatedJson.GetProperty("key").GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(newExpiry - DateTimeOffset.UtcNow, TimeSpan.FromDays(89), TimeSpan.FromDays(90));

        var oldAfterRotate = await _cli.RunAsync("auth", "verify", key, "--api-url", fixture.Endpoint.AbsoluteUri);
        Assert.True(oldAfterRotate.ExitCode == 3, oldAfterRotate.ToString());
        var newAfterRotate = await _cli.RunAsync("auth", "verify", newKey!, "--api-url", fixture.Endpoint.AbsoluteUri, "--json");
        Assert.True(newAfterRotate.ExitCode == 0, newAfterRotate.ToString());
        Assert.True(newAfterRotate.Json().GetProperty("valid").GetBoolean());

        // revoke (--yes), then verify fails with REVOKED and exit 3
        var revoked = await _cli.AdminAsync("auth", "revoke-key", newId, "--yes");
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Contains("Revoked", revoked.Out);

        var afterRevoke = await _cli.RunAsync("auth", "verify", newKey!, "--api-url", fixture.Endpoint.AbsoluteUri);
        Assert.True(afterRevoke.ExitCode == 3, afterRevoke.ToString());
        Assert.Contains("REVOKED", afterRevoke.Out);
        Assert.True(afterRevoke.PrintedKeys.Count == 0, "verify must not echo the key");

        var afterRevokeJson = await _cli.RunAsync("auth", "verify", newKey!, "--api-url", fixture.Endpoint.AbsoluteUri, "--json");
        Assert.Equal(3, afterRevokeJson.ExitCode);
        Assert.Equal("REVOKED", afterRevokeJson.Json().GetProperty("code").GetString());
        Assert.False(afterRevokeJson.Json().GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Create_json_has_the_api_shape_and_the_key_once()
    {
        var result = await _cli.AdminAsync("auth", "create-key", "--name", "Json key", "--json", "--allowed-ips", "10.0.0.0/8,192.168.1.1",
            "--rate-limit", "10000", "--expires-at", "2030-01-01T00:00:00Z");
        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.True(Secrets.IsKey(json.GetProperty("key").GetString()), "create --json carries the plaintext key");
        Assert.True(result.PrintedKeys.Count == 1, "the key appears once in the JSON");
        foreach (var property in new[] { "id", "name", "owner", "environment", "prefix", "status", "scopes", "rateLimit", "allowedIps", "metadata", "createdAt", "expiresAt" })
            Assert.True(json.TryGetProperty(property, out _), $"create --json has '{property}'");
        Assert.Equal(60, json.GetProperty("rateLimit").GetProperty("windowSeconds").GetInt32());
        Assert.Equal(10000, json.GetProperty("rateLimit").GetProperty("limit").GetInt32());
        Assert.Equal(2, json.GetProperty("allowedIps").GetArrayLength());
        Assert.Equal(2030, json.GetProperty("expiresAt").GetDateTimeOffset().Year);
        Assert.DoesNotContain("\u001b[", result.Out);
    }

    [Fact]
    public async Task Show_update_and_events()
    {
        var (id, _) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "Before", Owner = "team-upd", Scopes = ["a"] });

        var updated = await _cli.AdminAsync("auth", "update-key", id, "--name", "After", "--scopes", "a,b", "--rate-limit", "10/h", "--meta", "k=v", "--json");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Equal("After", updated.Json().GetProperty("name").GetString());
        Assert.Equal(3600, updated.Json().GetProperty("rateLimit").GetProperty("windowSeconds").GetInt32());
        Assert.Equal("v", updated.Json().GetProperty("metadata").GetProperty("k").GetString());

        var notify = await _cli.AdminAsync("auth", "update-key", id, "--leak-policy", "notify", "--json");
        Assert.True(notify.ExitCode == 0, notify.ToString());
        Assert.Equal("notify", notify.Json().GetProperty("leakPolicy").GetString());
        Assert.Equal(2, (await _cli.AdminAsync("auth", "update-key", id, "--leak-policy", "ignore")).ExitCode);

        var cleared = await _cli.AdminAsync("auth", "update-key", id, "--rate-limit", "none", "--json");
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        Assert.Equal(JsonValueKind.Null, cleared.Json().GetProperty("rateLimit").ValueKind);

        var shown = await _cli.AdminAsync("auth", "show-key", id);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("After", shown.Out);
        Assert.Contains("team-upd", shown.Out);
        Assert.Contains("a, b", shown.Out);

        var events = await _cli.AdminAsync("auth", "events", id);
        Assert.True(events.ExitCode == 0, events.ToString());
        Assert.Contains("created", events.Out);

        var eventsJson = await _cli.AdminAsync("auth", "events", id, "--json");
        Assert.True(eventsJson.ExitCode == 0, eventsJson.ToString());
        Assert.True(eventsJson.Json().GetProperty("items").GetArrayLength() >= 2);
        Assert.Equal(id, eventsJson.Json().GetProperty("items")[0].GetProperty("keyId").GetString());

        var nothing = await _cli.AdminAsync("auth", "update-key", id);
        Assert.Equal(2, nothing.ExitCode);
    }

    [Fact]
    public async Task Revoke_without_yes_is_refused_when_not_interactive()
    {
        var (id, _) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "Keep me" });
        var result = await _cli.AdminAsync("auth", "revoke-key", id);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--yes", result.Err);
        Assert.Equal("active", (await fixture.Admin.GetKeyAsync(id)).Status);
    }

    [Fact]
    public async Task Api_errors_are_one_line_with_detail_and_code_and_exit_1()
    {
        var missing = await _cli.AdminAsync("auth", "show-key", "no-such-key");
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: ", missing.Err);
        Assert.Single(missing.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("NOT_FOUND", missing.Err);
        Assert.Empty(missing.Out);

        var invalid = await _cli.AdminAsync("auth", "create-key", "--name", "bad", "--allowed-ips", "not-an-ip");
        Assert.Equal(1, invalid.ExitCode);
        Assert.Single(invalid.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("VALIDATION_FAILED", invalid.Err);
        Assert.Contains("allowedIps", invalid.Err);
        Assert.DoesNotContain("   at ", invalid.Err);

        var badKey = await _cli.RunAsync("auth", "list-keys", "--api-url", fixture.Endpoint.AbsoluteUri, "--api-key", "hk_live_wrong");
        Assert.Equal(1, badKey.ExitCode);
        Assert.Contains("UNAUTHENTICATED", badKey.Err);

        var noKey = await _cli.RunAsync("auth", "list-keys", "--api-url", fixture.Endpoint.AbsoluteUri);
        Assert.Equal(1, noKey.ExitCode);
        Assert.Contains("No API key", noKey.Err);
    }

    [Theory]
    [InlineData("auth", "show-key")]
    [InlineData("auth", "create-key", "--name", "x", "--rate-limit", "5/fortnight")]
    [InlineData("auth", "create-key", "--name", "x", "--expires-in", "soon")]
    [InlineData("auth", "create-key")]
    [InlineData("auth", "list-keys", "--bogus")]
    [InlineData("auth", "usage", "k", "--granularity", "week")]
    public async Task Usage_errors_exit_2_with_one_line(params string[] args)
    {
        var result = await _cli.AdminAsync(args);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("error: ", result.Err);
        Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Verify_a_malformed_key_exits_3()
    {
        var result = await _cli.RunAsync("auth", "verify", "not-a-key", "--api-url", fixture.Endpoint.AbsoluteUri, "--json");
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("MALFORMED", result.Json().GetProperty("code").GetString());
    }

    [Fact]
    public async Task Api_url_and_key_come_from_the_environment()
    {
        _cli.Environment["HOKUSAI_API_URL"] = fixture.Endpoint.AbsoluteUri;
        _cli.Environment["HOKUSAI_API_KEY"] = fixture.AdminKey;
        var result = await _cli.RunAsync("auth", "list-keys", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Json().GetProperty("items").GetArrayLength() >= 1);
    }

    [Fact]
    public async Task Login_writes_a_0600_file_that_later_commands_use_then_logout_removes_it()
    {
        var (id, key) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "Login key", Owner = "team-login", Scopes = ["keys:read"] });

        var login = await _cli.RunAsync("auth", "login", "--api-key", key, "--api-url", fixture.Endpoint.AbsoluteUri, "--profile", "work");
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.True(File.Exists(_cli.ConfigPath));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cli.ConfigPath));
        Assert.True(login.PrintedKeys.Count == 0, "login must not print the key");
        var file = HokusaiConfigFile.Load(_cli.ConfigPath);
        Assert.Equal("work", file.DefaultProfile);
        Assert.True(file.Profiles["work"].ApiKey == key, "the profile holds the key");

        // later commands use the stored profile: no --api-key, no --api-url
        var listed = await _cli.RunAsync("auth", "list-keys", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var items = listed.Json().GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, k => k.GetProperty("id").GetString() == id); // not vacuous: the profile's own key is listed
        Assert.All(items, k => Assert.Equal("team-login", k.GetProperty("owner").GetString()));

        var whoami = await _cli.RunAsync("auth", "whoami");
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.Contains(id, whoami.Out);
        Assert.Contains("team-login", whoami.Out);
        Assert.Contains("keys:read", whoami.Out);
        Assert.Contains("profile 'work'", whoami.Out);

        var whoamiJson = await _cli.RunAsync("auth", "whoami", "--json");
        Assert.Equal("configfile", whoamiJson.Json().GetProperty("keySource").GetString());
        Assert.Equal(id, whoamiJson.Json().GetProperty("key").GetProperty("id").GetString());

        var logout = await _cli.RunAsync("auth", "logout", "--profile", "work");
        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.False(HokusaiConfigFile.Load(_cli.ConfigPath).Profiles.ContainsKey("work"));
        var after = await _cli.RunAsync("auth", "list-keys");
        Assert.Equal(1, after.ExitCode);
    }

    [Fact]
    public async Task Login_refuses_a_key_the_api_refuses()
    {
        var result = await _cli.RunAsync("auth", "login", "--api-key", "hk_live_" + new string('a', 50), "--api-url", fixture.Endpoint.AbsoluteUri);
        Assert.Equal(3, result.ExitCode);
        Assert.False(File.Exists(_cli.ConfigPath));
    }

    [Fact]
    public async Task Admin_bootstrap_is_gone_and_points_to_the_servers_bootstrap_admin()
    {
        // The old command line, storage options included: one line pointing to the server, and the usage exit code.
        var result = await _cli.RunAsync("admin", "bootstrap", "--connection-string", fixture.Group.StorageConnectionString,
            "--table-prefix", fixture.Group.TablePrefix, "--json");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("bootstrap-admin", result.Err);
        Assert.Contains("./run.sh", result.Err);
        Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", result.Out);
    }
}
