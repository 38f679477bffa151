using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client.Tests;

/// <summary><c>hokusai auth report-leak</c> and the SDK's <c>ReportLeakAsync</c>, against the real server.</summary>
public sealed class ReportLeakCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly CliRunner _cli = new(fixture);

    [Fact]
    public async Task Report_leak_revokes_the_key_without_a_management_key_and_never_prints_it()
    {
        var created = await fixture.Admin.CreateKeyAsync(new CreateKeyOptions { Name = "leaked via CLI" });
        var key = created.Key!;

        var reported = await _cli.RunAsync("auth", "report-leak", key, "--url", "https://example.com/paste/1", "--api-url", fixture.Endpoint.AbsoluteUri, "--json");
        Assert.True(reported.ExitCode == 0, $"exit {reported.ExitCode}");
        Assert.True(reported.PrintedKeys.Count == 0, "report-leak must never print the key");
        Assert.Equal("true_positive", reported.Json().GetProperty("label").GetString());
        Assert.Equal("revoked", reported.Json().GetProperty("action").GetString());
        Assert.Equal("REVOKED", (await fixture.NewClient(null).VerifyAsync(key)).Code);
        Assert.Equal("revoked", (await fixture.Admin.GetKeyAsync(created.Id)).Status);
        Assert.NotNull((await fixture.Admin.GetKeyAsync(created.Id)).LeakedAt);

        // Again: no longer an active key, exit 3, and the SDK says the same.
        var again = await _cli.RunAsync("auth", "report-leak", key, "--api-url", fixture.Endpoint.AbsoluteUri);
        Assert.Equal(3, again.ExitCode);
        Assert.True(again.PrintedKeys.Count == 0, "report-leak must never print the key");
        var answer = await fixture.NewClient(null).ReportLeakAsync(key);
        Assert.False(answer.IsTruePositive);
        Assert.Equal("none", answer.Action);
    }

    [Fact]
    public async Task A_key_with_leak_policy_notify_is_flagged_and_keeps_working()
    {
        var created = await fixture.Admin.CreateKeyAsync(new CreateKeyOptions { Name = "notify only" });
        var updated = await fixture.Admin.UpdateKeyAsync(created.Id, new UpdateKeyOptions { LeakPolicy = "notify" });
        Assert.Equal("notify", updated.LeakPolicy);

        var answer = await fixture.NewClient(null).ReportLeakAsync(created.Key!, "https://example.com/paste/2");
        Assert.True(answer.IsTruePositive);
        Assert.Equal("flagged", answer.Action);
        var verified = await fixture.NewClient(null).VerifyAsync(created.Key!);
        Assert.True(verified.Valid);
        Assert.NotNull(verified.Key!.LeakedAt);
    }
}
