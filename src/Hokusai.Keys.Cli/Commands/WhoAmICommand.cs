using Hokusai.Keys.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

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
