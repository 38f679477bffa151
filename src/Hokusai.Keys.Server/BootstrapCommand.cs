using System.Text.Json;
using Hokusai.Keys.Api;
using Hokusai.Keys.Management;

namespace Hokusai.Keys.Server;

/// <summary>
/// <c>bootstrap-admin [--name N] [--owner O] [--force] [--json]</c>: creates the first admin key with direct storage access
/// and prints it once. Refuses (exit 3) when an active bootstrap admin key exists, unless forced.
/// Exit codes (scripts such as ./run.sh rely on them): 0 created, 1 failed (one line on standard error: storage
/// unreachable or misconfigured, …), 2 unknown argument, 3 an admin key already exists.
/// </summary>
public static class BootstrapCommand
{
    public const string Name = "bootstrap-admin";
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;
    public const int ExitAdminExists = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        string name = "Admin Key";
        string? owner = null;
        bool force = false, json = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--name" when i + 1 < args.Length: name = args[++i]; break;
                case "--owner" when i + 1 < args.Length: owner = args[++i]; break;
                case "--force": force = true; break;
                case "--json": json = true; break;
                default:
                    await Console.Error.WriteLineAsync($"Unknown argument '{args[i]}'. Usage: {Name} [--name NAME] [--owner OWNER] [--force] [--json]");
                    return ExitUsage;
            }
        }

        // appsettings.json beside the binary, whatever the working directory; environment variables override it.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Standard output carries only the result (scripts parse --json): logs go to standard error.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddHokusaiKeysApi(builder.Configuration);
        using var host = builder.Build();
        try
        {
            var bootstrapper = host.Services.GetRequiredService<AdminBootstrapper>();
            var created = await bootstrapper.BootstrapAsync(name, owner, force, CancellationToken.None);
            if (created is null)
            {
                var existing = await bootstrapper.ExistingAdminAsync(CancellationToken.None);
                await Console.Error.WriteLineAsync($"An admin key already exists (id {existing?.Id}); not creating another. Use --force to create one anyway.");
                return ExitAdminExists;
            }
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { id = created.Record.Id, owner = created.Record.Owner, name = created.Record.Name, key = created.Key.Plaintext }));
            }
            else
            {
                Console.WriteLine($"Created admin key '{created.Record.Name}' (id {created.Record.Id}, owner {created.Record.Owner}).");
                Console.WriteLine("This is the only time the key is shown. Store it now:");
                Console.WriteLine();
                Console.WriteLine("    " + created.Key.Plaintext);
                Console.WriteLine();
            }
            return 0;
        }
        catch (Exception ex) when (ex is StorageUnavailableException or DomainException or InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"Bootstrap failed: {ex.Message}");
            return ExitFailed;
        }
        catch (Exception ex)
        {
            // Anything else is a bug; its message is not ours to trust with secrets (see ApiErrorBoundary), its type says enough.
            await Console.Error.WriteLineAsync($"Bootstrap failed: unexpected {ex.GetType().FullName}.");
            return ExitFailed;
        }
    }
}
