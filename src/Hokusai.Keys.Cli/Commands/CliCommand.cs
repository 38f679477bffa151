using System.Text.Json;
using Hokusai.Keys.Cli.Output;
using Hokusai.Keys.Client;
using Hokusai.Keys.Client.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

/// <summary>Base of the commands: the host, the SDK client, spinners and output helpers.</summary>
public abstract class CliCommand<TSettings>(CliHost host) : AsyncCommand<TSettings> where TSettings : GlobalSettings
{
    protected CliHost Host { get; } = host;

    protected IAnsiConsole Out => Host.Out;

    protected TextWriter Writer => Host.Out.Profile.Out.Writer;

    protected HokusaiResolvedSettings Resolve(TSettings settings) =>
        Host.Resolver.Resolve(settings.ApiKey, settings.ApiUrl is null ? null : CliParsers.Url(settings.ApiUrl, "--api-url"), settings.Profile);

    /// <summary>An SDK client with the resolved key and URL; <paramref name="requireKey"/> fails early when there is no key.</summary>
    protected HokusaiKeysClient CreateClient(TSettings settings, bool requireKey = true)
    {
        var resolved = Resolve(settings);
        if (requireKey && resolved.ApiKey is null)
            throw new CliException("No API key: pass --api-key, set HOKUSAI_API_KEY or run 'hokusai auth login'.");
        return new HokusaiKeysClient(new HokusaiKeysClientOptions
        {
            ApiKey = resolved.ApiKey,
            Endpoint = resolved.ApiUrl,
            Profile = settings.Profile,
            ConfigFilePath = Host.ResolvedConfigPath,
            EnvironmentVariables = Host.Environment,
            UseGlobalSetup = false,
            HttpMessageHandler = Host.HttpMessageHandler,
        });
    }

    /// <summary>Runs <paramref name="call"/> under a spinner when a person is watching and the output is not JSON.</summary>
    protected async Task<T> CallAsync<T>(TSettings settings, string status, Func<Task<T>> call)
    {
        if (!Host.Interactive || settings.Json) return await call();
        return await Out.Status().Spinner(Spinner.Known.Dots).StartAsync(status, _ => call());
    }

    protected void WriteJson<T>(T value) => Writer.WriteLine(JsonSerializer.Serialize(value, HokusaiJson.Indented));

    /// <summary>Prints a plaintext key once, on its own line, unwrapped, with the warning that it cannot be shown again.</summary>
    protected void WritePlaintextKey(string plaintext)
    {
        Out.MarkupLine("[yellow bold]This is the only time the key is shown; it cannot be retrieved later. Store it now:[/]");
        Writer.WriteLine();
        Writer.WriteLine("    " + plaintext);
        Writer.WriteLine();
    }

    /// <summary>A listing: a table fitted to the terminal, or tab-separated rows with a header when output is not a terminal.</summary>
    internal void WriteList<T>(IReadOnlyList<ListColumn<T>> columns, IReadOnlyList<T> items)
    {
        if (Host.OutputIsTerminal) Out.Write(ListWriter.FitTable(Out, [.. columns.Where(c => c.InTable)], items, Out.Profile.Width));
        else ListWriter.WriteTsv(Writer, columns, items);
    }

    /// <summary>A hint for a person (e.g. the next page's cursor): on stdout under a table, on stderr when stdout is data.</summary>
    protected void WriteHint(string text)
    {
        if (Host.OutputIsTerminal) Out.WriteLine(text);
        else Host.Error.Profile.Out.Writer.WriteLine(text);
    }

    /// <summary>A time in a table cell: relative to now, or UTC with <c>--utc</c>; "-" when absent.</summary>
    protected string Moment(DateTimeOffset? at, TSettings settings) =>
        at is not { } t ? "-" : settings.Utc ? RelativeTime.Utc(t) : RelativeTime.Format(t, Host.Time.GetUtcNow());

    protected static string When(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "-";

    protected static string Esc(string? text) => Markup.Escape(text ?? "");

    protected void WriteKeyDetails(ApiKey key)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, string value) => grid.AddRow(new Markup("[bold]" + name + "[/]"), new Text(value));
        Row("ID", key.Id);
        Row("Name", key.Name);
        Row("Owner", key.Owner);
        Row("Environment", key.Environment);
        Row("Prefix", key.Prefix);
        Row("Status", key.Status);
        Row("Scopes", key.Scopes.Count == 0 ? "-" : string.Join(", ", key.Scopes));
        Row("Rate limit", Describe(key.RateLimit));
        Row("Quota", key.Quota is { } q ? $"{q.Limit:N0} per {q.Period}" : "-");
        Row("Allowed IPs", key.AllowedIps.Count == 0 ? "any" : string.Join(", ", key.AllowedIps));
        Row("Metadata", key.Metadata.Count == 0 ? "-" : string.Join(", ", key.Metadata.Select(m => $"{m.Key}={m.Value}")));
        Row("Created", When(key.CreatedAt));
        Row("Expires", When(key.ExpiresAt));
        Row("Revoked", When(key.RevokedAt));
        if (key.SuspendedAt is not null) Row("Suspended", When(key.SuspendedAt));
        if (key.RotationDueAt is not null) Row("Rotate by", When(key.RotationDueAt));
        Row("Last used", When(key.LastUsedAt));
        if (key.RotatedFromId is not null) Row("Rotated from", key.RotatedFromId);
        if (key.RotatedToId is not null) Row("Rotated to", key.RotatedToId);
        Out.Write(grid);
    }

    protected static string Describe(ApiKeyRateLimit? rate) => rate switch
    {
        null => "-",
        { WindowSeconds: 1 } => $"{rate.Limit:N0}/s",
        { WindowSeconds: 60 } => $"{rate.Limit:N0}/min",
        { WindowSeconds: 3600 } => $"{rate.Limit:N0}/h",
        { WindowSeconds: 86400 } => $"{rate.Limit:N0}/day",
        _ => $"{rate.Limit:N0} per {rate.WindowSeconds} s",
    };
}
