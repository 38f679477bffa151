using System.ComponentModel;
using Hokusai.Keys.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class VerifySettings : GlobalSettings
{
    [CommandArgument(0, "<KEY>")]
    [Description("The key to check (hk_live_… or hk_test_…).")]
    public string Key { get; init; } = "";

    [CommandOption("--ip <IP>")]
    [Description("Check as if called from this address (IP allow-lists).")]
    public string? Ip { get; init; }

    [CommandOption("--scopes <SCOPES>")]
    [Description("Comma-separated scopes the key must have.")]
    public string? Scopes { get; init; }
}

public sealed class VerifyCommand(CliHost host) : CliCommand<VerifySettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, VerifySettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings, requireKey: false);
        var result = await CallAsync(settings, "Verifying…", () =>
            client.VerifyAsync(settings.Key, settings.Ip, settings.Scopes is null ? null : CliParsers.List(settings.Scopes), cancellationToken));
        if (settings.Json) WriteJson(result);
        else if (result.Valid)
        {
            var k = result.Key!;
            Out.MarkupLine($"[green]VALID[/] key {Esc(k.Id)} ('{Esc(k.Name)}', owner {Esc(k.Owner)}, {Esc(k.Environment)}), scopes: {Esc(k.Scopes is { Count: > 0 } s ? string.Join(", ", s) : "-")}");
            if (result.RateLimit is { } r) Out.WriteLine($"Rate limit: {r.Remaining} of {r.Limit} left, full in {r.ResetSeconds:0.#} s.");
            if (result.Quota is { } q) Out.WriteLine($"Quota: {q.Remaining} of {q.Limit} left, resets in {q.ResetSeconds:0} s.");
        }
        else
        {
            Out.MarkupLine($"[red]{Esc(result.Code)}[/]{(result.Key is { } k ? " (key " + Esc(k.Id) + ")" : "")}: the key is not valid.");
        }
        return result.Valid ? ExitCodes.Ok : ExitCodes.Invalid;
    }
}

public sealed class LoginSettings : GlobalSettings
{
    [CommandOption("--no-verify")]
    [Description("Store the key without checking it against the API.")]
    public bool NoVerify { get; init; }

    [CommandOption("--default")]
    [Description("Make this profile the file's default profile.")]
    public bool MakeDefault { get; init; }
}

public sealed class LoginCommand(CliHost host) : CliCommand<LoginSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, LoginSettings settings, CancellationToken cancellationToken)
    {
        var key = settings.ApiKey ?? Host.Environment(HokusaiSettingsResolver.ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            if (!Host.Interactive || settings.Json) throw CliParsers.Usage("Give the key with --api-key or HOKUSAI_API_KEY (no prompt when not interactive).");
            key = await Out.PromptAsync(new TextPrompt<string>("API key:").Secret(), cancellationToken);
        }
        key = key.Trim();
        var url = settings.ApiUrl is not null ? CliParsers.Url(settings.ApiUrl, "--api-url") : Resolve(settings).ApiUrl;

        string? keyId = null;
        if (!settings.NoVerify)
        {
            using var client = new HokusaiKeysClient(new HokusaiKeysClientOptions
            {
                Endpoint = url, ApiKey = key, UseGlobalSetup = false, EnvironmentVariables = Host.Environment,
                ConfigFilePath = Host.ResolvedConfigPath, HttpMessageHandler = Host.HttpMessageHandler,
            });
            var result = await CallAsync(settings, "Checking the key…", () => client.VerifyAsync(key, cancellationToken: cancellationToken));
            if (!result.Valid) throw new CliException($"The API refused this key ({result.Code}); nothing was stored.", ExitCodes.Invalid);
            keyId = result.Key?.Id;
        }

        var path = Host.ResolvedConfigPath;
        var file = HokusaiConfigFile.Load(path);
        var profile = file.ResolveProfileName(settings.Profile ?? Host.Environment(HokusaiSettingsResolver.ProfileVariable));
        file.Profiles[profile] = new HokusaiProfile { ApiUrl = url.AbsoluteUri.TrimEnd('/'), ApiKey = key };
        if (settings.MakeDefault || file.DefaultProfile is null) file.DefaultProfile = profile;
        file.Save(path);

        if (settings.Json) WriteJson(new { profile, apiUrl = url.AbsoluteUri.TrimEnd('/'), keyId, configPath = path });
        else Out.MarkupLine($"[green]Logged in[/]: profile '{Esc(profile)}' → {Esc(url.AbsoluteUri)}{(keyId is null ? "" : " as key " + Esc(keyId))}. Saved to {Esc(path)} (mode 0600).");
        return ExitCodes.Ok;
    }
}

public sealed class LogoutCommand(CliHost host) : CliCommand<GlobalSettings>(host)
{
    public override Task<int> ExecuteAsync(CommandContext context, GlobalSettings settings, CancellationToken cancellationToken)
    {
        var path = Host.ResolvedConfigPath;
        var file = HokusaiConfigFile.Load(path);
        var profile = file.ResolveProfileName(settings.Profile ?? Host.Environment(HokusaiSettingsResolver.ProfileVariable));
        var removed = file.Profiles.Remove(profile);
        if (removed)
        {
            if (file.DefaultProfile == profile) file.DefaultProfile = file.Profiles.Keys.FirstOrDefault();
            file.Save(path);
        }
        if (settings.Json) WriteJson(new { profile, removed, configPath = path });
        else Out.WriteLine(removed ? $"Logged out: removed profile '{profile}' from {path}." : $"No profile '{profile}' in {path}; nothing to do.");
        return Task.FromResult(ExitCodes.Ok);
    }
}

public sealed class WhoAmICommand(CliHost host) : CliCommand<GlobalSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, GlobalSettings settings, CancellationToken cancellationToken)
    {
        var resolved = Resolve(settings);
        using var client = CreateClient(settings);
        var result = await CallAsync(settings, "Checking the key…", () => client.VerifyAsync(resolved.ApiKey!, cancellationToken: cancellationToken));
        if (settings.Json)
        {
            WriteJson(new
            {
                apiUrl = resolved.ApiUrl.AbsoluteUri.TrimEnd('/'),
                keySource = resolved.KeySource.ToString().ToLowerInvariant(),
                profile = resolved.Profile,
                valid = result.Valid,
                code = result.Code,
                key = result.Key,
            });
        }
        else
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            void Row(string name, string value) => grid.AddRow(new Markup("[bold]" + name + "[/]"), new Text(value));
            Row("API", resolved.ApiUrl.AbsoluteUri);
            Row("Key from", resolved.KeySource switch
            {
                SettingSource.Argument => "--api-key",
                SettingSource.Environment => HokusaiSettingsResolver.ApiKeyVariable,
                SettingSource.ConfigFile => $"profile '{resolved.Profile}' of {resolved.ConfigPath}",
                var other => other.ToString(),
            });
            Row("Status", result.Code);
            if (result.Key is { } k)
            {
                Row("Key id", k.Id);
                if (k.Name is not null) Row("Name", k.Name);
                if (k.Owner is not null) Row("Owner", k.Owner);
                if (k.Environment is not null) Row("Environment", k.Environment);
                if (k.Scopes is not null) Row("Scopes", k.Scopes.Count == 0 ? "-" : string.Join(", ", k.Scopes));
                if (k.ExpiresAt is not null) Row("Expires", When(k.ExpiresAt));
            }
            Out.Write(grid);
        }
        return result.Valid ? ExitCodes.Ok : ExitCodes.Invalid;
    }
}
