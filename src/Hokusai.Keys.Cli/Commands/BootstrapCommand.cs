using System.ComponentModel;
using Hokusai.Keys.Api;
using Hokusai.Keys.Management;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class BootstrapSettings : GlobalSettings
{
    [CommandOption("--name <NAME>")]
    [Description("Name of the admin key (default 'Admin Key').")]
    public string Name { get; init; } = "Admin Key";

    [CommandOption("--owner <OWNER>")]
    [Description("Owner of the admin key (default 'admin').")]
    public string? Owner { get; init; }

    [CommandOption("--force")]
    [Description("Create one even though an active bootstrap admin key exists.")]
    public bool Force { get; init; }

    [CommandOption("--connection-string <CS>")]
    [Description("Storage connection string. Default: Hokusai__Storage__ConnectionString.")]
    public string? ConnectionString { get; init; }

    [CommandOption("--table-uri <URI>")]
    [Description("Table service URI (https://ACCOUNT.table.core.windows.net), used with an Azure credential (az login, managed identity…). Default: Hokusai__Storage__TableServiceUri.")]
    public string? TableUri { get; init; }

    [CommandOption("--table-prefix <PREFIX>")]
    [Description("Table name prefix of the deployment. Default: Hokusai__Storage__TablePrefix, else none.")]
    public string? TablePrefix { get; init; }

    [CommandOption("--managed-identity-client-id <ID>")]
    [Description("Client id of a user-assigned managed identity for --table-uri.")]
    public string? ManagedIdentityClientId { get; init; }
}

/// <summary>
/// <c>admin bootstrap</c>: the first admin key, written directly to storage through Core's <see cref="AdminBootstrapper"/>
/// wired by the API's own DI (<see cref="ApiServiceCollectionExtensions.AddHokusaiKeysApi"/>): the same code as the server's
/// <c>bootstrap-admin</c>.
/// </summary>
public sealed class BootstrapCommand(CliHost host) : CliCommand<BootstrapSettings>(host)
{
    private static readonly string[] PassedThrough =
    [
        "Hokusai__Storage__ConnectionString", "Hokusai__Storage__TableServiceUri", "Hokusai__Storage__TablePrefix",
        "Hokusai__Storage__ManagedIdentityClientId", "Hokusai__Security__BcryptWorkFactor", "Hokusai__Security__CachePepper",
    ];

    public override async Task<int> ExecuteAsync(CommandContext context, BootstrapSettings settings, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>();
        foreach (var name in PassedThrough)
            if (Host.Environment(name) is { Length: > 0 } value) values[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        if (settings.ConnectionString is not null) values["Hokusai:Storage:ConnectionString"] = settings.ConnectionString;
        if (settings.TableUri is not null)
        {
            CliParsers.Url(settings.TableUri, "--table-uri");
            values["Hokusai:Storage:TableServiceUri"] = settings.TableUri;
            if (settings.ConnectionString is null) values.Remove("Hokusai:Storage:ConnectionString");
        }
        if (settings.TablePrefix is not null) values["Hokusai:Storage:TablePrefix"] = settings.TablePrefix;
        if (settings.ManagedIdentityClientId is not null) values["Hokusai:Storage:ManagedIdentityClientId"] = settings.ManagedIdentityClientId;
        if (!values.ContainsKey("Hokusai:Storage:ConnectionString") && !values.ContainsKey("Hokusai:Storage:TableServiceUri"))
            throw CliParsers.Usage("Give --connection-string or --table-uri (or set Hokusai__Storage__ConnectionString / Hokusai__Storage__TableServiceUri).");

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).ClearProviders());
        services.AddSingleton<IConfiguration>(configuration);
        services.AddHokusaiKeysApi(configuration);
        await using var provider = services.BuildServiceProvider();
        var bootstrapper = provider.GetRequiredService<AdminBootstrapper>();

        var created = await CallAsync(settings, "Creating the admin key…", () => bootstrapper.BootstrapAsync(settings.Name, settings.Owner, settings.Force, cancellationToken));
        if (created is null)
        {
            var existing = await bootstrapper.ExistingAdminAsync(cancellationToken);
            throw new CliException($"An admin key already exists (id {existing?.Id}); not creating another. Use --force to create one anyway.");
        }
        if (settings.Json)
        {
            WriteJson(new { id = created.Record.Id, owner = created.Record.Owner, name = created.Record.Name, key = created.Key.Plaintext });
            return ExitCodes.Ok;
        }
        Out.MarkupLine($"[green]Created admin key[/] '{Esc(created.Record.Name)}' (id {Esc(created.Record.Id)}, owner {Esc(created.Record.Owner)}).");
        WritePlaintextKey(created.Key.Plaintext);
        return ExitCodes.Ok;
    }
}
