using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client.Tests;

/// <summary><c>hokusai auth suspend-key</c>, <c>resume-key</c>, <c>list-keys --rotation-due</c> and the SDK's suspend/resume, against the real server.</summary>
public sealed class KeyHygieneCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly CliRunner _cli = new(fixture);

    [Fact]
    public async Task Suspend_key_and_resume_key_stop_and_restart_a_key_and_a_revoked_key_stays_revoked()
    {
        var created = await fixture.Admin.CreateKeyAsync(new CreateKeyOptions { Name = "suspended via CLI", Owner = "team-suspend" });

        var suspended = await _cli.AdminAsync("auth", "suspend-key", created.Id);
        Assert.True(suspended.ExitCode == 0, suspended.ToString());
        Assert.Contains("Suspended", suspended.Out);
        Assert.Equal(VerifyCodes.Suspended, (await fixture.NewClient(null).VerifyAsync(created.Key!)).Code);

        var listed = await _cli.AdminAsync("auth", "list-keys", "--owner", "team-suspend", "--status", "suspended", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var item = Assert.Single(listed.Json().GetProperty("items").EnumerateArray());
        Assert.Equal(created.Id, item.GetProperty("id").GetString());
        Assert.Equal("suspended", item.GetProperty("status").GetString());

        var resumed = await _cli.AdminAsync("auth", "resume-key", created.Id, "--json");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal("active", resumed.Json().GetProperty("status").GetString());
        Assert.True((await fixture.NewClient(null).VerifyAsync(created.Key!)).Valid);

        await fixture.Admin.RevokeKeyAsync(created.Id);
        var refused = await _cli.AdminAsync("auth", "resume-key", created.Id);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("KEY_REVOKED", refused.Err);
        Assert.Equal(VerifyCodes.Revoked, (await fixture.NewClient(null).VerifyAsync(created.Key!)).Code);
    }

    [Fact]
    public async Task The_sdk_suspends_and_resumes_idempotently()
    {
        var created = await fixture.Admin.CreateKeyAsync(new CreateKeyOptions { Name = "suspended via SDK" });
        var first = await fixture.Admin.SuspendKeyAsync(created.Id);
        var second = await fixture.Admin.SuspendKeyAsync(created.Id);
        Assert.Equal("suspended", first.Status);
        Assert.Equal(first.SuspendedAt, second.SuspendedAt);
        var resumed = await fixture.Admin.ResumeKeyAsync(created.Id);
        Assert.Equal("active", resumed.Status);
        Assert.Null(resumed.SuspendedAt);
        Assert.Equal("active", (await fixture.Admin.ResumeKeyAsync(created.Id)).Status);
    }

    [Fact]
    public async Task List_keys_rotation_due_lists_keys_whose_max_age_date_is_within_14_days_or_past()
    {
        var admin = await fixture.Admin.CreateKeyAsync(new CreateKeyOptions { Name = "admin to rotate", Owner = "team-rotate", Scopes = ["admin"] });
        await fixture.Admin.CreateKeyAsync(new CreateKeyOptions { Name = "never due", Owner = "team-rotate" });
        Assert.Equal(admin.CreatedAt.AddDays(90), admin.RotationDueAt);

        var now = await _cli.AdminAsync("auth", "list-keys", "--owner", "team-rotate", "--rotation-due", "--json");
        Assert.True(now.ExitCode == 0, now.ToString());
        Assert.Empty(now.Json().GetProperty("items").EnumerateArray());

        foreach (var days in new[] { 80, 120 })
        {
            var later = await new CliRunner(fixture) { Time = new ShiftedTime(TimeSpan.FromDays(days)) }
                .AdminAsync("auth", "list-keys", "--owner", "team-rotate", "--rotation-due");
            Assert.True(later.ExitCode == 0, later.ToString());
            var lines = later.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.EndsWith("\trotationDueAt", lines[0].TrimEnd('\r'), StringComparison.Ordinal); // the header
            var row = Assert.Single(lines.Skip(1));
            Assert.StartsWith(admin.Id + "\tadmin to rotate\t", row, StringComparison.Ordinal);
            Assert.EndsWith("\t" + admin.RotationDueAt!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), row.TrimEnd('\r'), StringComparison.Ordinal);
        }
    }

    /// <summary>The system clock moved by a fixed amount: the CLI's view of "now" some days ahead.</summary>
    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
