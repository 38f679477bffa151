using Hokusai.Keys.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

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
