using Hokusai.Keys.Cli.Commands;
using Hokusai.Keys.Client;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli;

/// <summary>The <c>hokusai</c> command tree. <see cref="RunAsync"/> never throws: every failure is one line on stderr and an exit code.</summary>
public static class HokusaiCli
{
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        var services = new ServiceCollection();
        services.AddSingleton(host);
        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config =>
        {
            config.SetApplicationName("hokusai");
            config.ConfigureConsole(host.Out);
            config.PropagateExceptions();
            config.UseStrictParsing();
            config.AddBranch("auth", auth =>
            {
                auth.SetDescription("Manage API keys and the credentials this CLI uses.");
                auth.AddCommand<CreateKeyCommand>("create-key").WithDescription("Create a key; prints it once.")
                    .WithExample("auth", "create-key", "--name", "\"Admin Key\"", "--scopes", "admin", "--rate-limit", "100/s", "--expires-in", "90d");
                auth.AddCommand<ListKeysCommand>("list-keys").WithDescription("List keys, newest first.")
                    .WithExample("auth", "list-keys", "--owner", "team-a", "--status", "active", "--all");
                auth.AddCommand<ShowKeyCommand>("show-key").WithDescription("Show one key.").WithExample("auth", "show-key", "k_123");
                auth.AddCommand<UpdateKeyCommand>("update-key").WithDescription("Change a key's name, scopes, limits, IPs, expiry or metadata.")
                    .WithExample("auth", "update-key", "k_123", "--scopes", "models:read", "--rate-limit", "none");
                auth.AddCommand<RevokeKeyCommand>("revoke-key").WithDescription("Revoke a key (asks first; --yes when not interactive).")
                    .WithExample("auth", "revoke-key", "k_123", "--yes");
                auth.AddCommand<SuspendKeyCommand>("suspend-key").WithDescription("Suspend a key: refused (SUSPENDED) until resumed; keeps its quota and history.")
                    .WithExample("auth", "suspend-key", "k_123");
                auth.AddCommand<ResumeKeyCommand>("resume-key").WithDescription("Resume a suspended key (a revoked key stays revoked).")
                    .WithExample("auth", "resume-key", "k_123");
                auth.AddCommand<RotateKeyCommand>("rotate-key").WithDescription("Replace a key; the old one works for the grace period. Prints the new key once.")
                    .WithExample("auth", "rotate-key", "k_123", "--grace", "24h");
                auth.AddCommand<UsageCommand>("usage").WithDescription("A key's verifications per hour or day, as a bar chart.")
                    .WithExample("auth", "usage", "k_123", "--days", "7", "--granularity", "day");
                auth.AddCommand<EventsCommand>("events").WithDescription("A key's audit trail, newest first.").WithExample("auth", "events", "k_123");
                auth.AddCommand<VerifyCommand>("verify").WithDescription("Check a key. Exit code 0 only when valid (3 when not).")
                    .WithExample("auth", "verify", "hk_test_…", "--scopes", "models:read");
                auth.AddCommand<ReportLeakCommand>("report-leak").WithDescription("Report a leaked key: revokes it (or flags it when its leak policy is notify). Needs no management key.")
                    .WithExample("auth", "report-leak", "hk_live_…", "--url", "https://github.com/org/repo/blob/main/.env");
                auth.AddCommand<LoginCommand>("login").WithDescription("Store an API key and URL in the config file (mode 0600).")
                    .WithExample("auth", "login", "--api-url", "https://keys.example.com", "--profile", "prod");
                auth.AddCommand<LogoutCommand>("logout").WithDescription("Remove a profile from the config file.");
                auth.AddCommand<WhoAmICommand>("whoami").WithDescription("Show the configured key's id, owner and scopes.");
            });
        });

        try
        {
            // Checked before parsing, so the old command's storage options get this answer, not "unknown option".
            if (args is ["admin", ..]) throw new CliException(AdminCommandsMoved, ExitCodes.Usage);
            return await app.RunAsync(args, cancellationToken);
        }
        catch (Exception ex)
        {
            var (message, code) = Describe(ex);
            host.Error.Profile.Out.Writer.WriteLine("error: " + message);
            return code;
        }
    }

    /// <summary>
    /// <c>admin bootstrap</c> wrote to storage with the server's code; the tool now talks only to the API, and the first
    /// admin key comes from the server's <c>bootstrap-admin</c> (docs/cli.md, "The first admin key").
    /// </summary>
    internal const string AdminCommandsMoved =
        "'hokusai admin bootstrap' was removed: hokusai talks only to the API. The first admin key comes from the server: ./run.sh prints one " +
        "locally; for a deployment run the server's bootstrap-admin against its storage (docs/deploy.md). Then: hokusai auth login --api-key <key>.";

    /// <summary>One line for any failure: the problem detail and code for API errors, never a stack trace.</summary>
    internal static (string Message, int ExitCode) Describe(Exception ex) => ex switch
    {
        CliException cli => (cli.Message, cli.ExitCode),
        HokusaiApiException api => (api.Errors.Count > 0
            ? $"{api.Detail} ({api.Code}: {string.Join("; ", api.Errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}"))})"
            : $"{api.Detail} ({api.Code})", ExitCodes.Error),
        CommandAppException usage => (OneLine(usage.Message), ExitCodes.Usage),
        OperationCanceledException => ("cancelled.", ExitCodes.Error),
        InvalidDataException or IOException or UnauthorizedAccessException => (OneLine(ex.Message), ExitCodes.Error),
        ArgumentException arg => (OneLine(arg.Message), ExitCodes.Usage),
        _ => ($"unexpected {ex.GetType().Name}: {OneLine(ex.Message)}", ExitCodes.Error),
    };

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
