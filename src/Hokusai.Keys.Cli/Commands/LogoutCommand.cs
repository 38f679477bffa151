using Hokusai.Keys.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

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
