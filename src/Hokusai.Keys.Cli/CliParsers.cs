using System.Globalization;
using System.Text.RegularExpressions;
using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Cli;

/// <summary>Parsers of the CLI's value syntaxes; each throws <see cref="CliException"/> (exit 2) with a one-line reason.</summary>
internal static partial class CliParsers
{
    /// <summary><c>10000</c> (per minute), <c>100/s</c>, <c>600/m</c>, <c>10000/h</c>, <c>100000/d</c>.</summary>
    public static ApiKeyRateLimit RateLimit(string value, string option = "--rate-limit")
    {
        var match = RatePattern().Match(value.Trim());
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit <= 0)
            throw Usage($"{option} must be a positive number of requests, optionally per s, m, h or d (e.g. 100/s, 10000/h); a plain number is per minute.");
        var window = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "" or "m" or "min" or "minute" => 60,
            "s" or "sec" or "second" => 1,
            "h" or "hour" => 3600,
            "d" or "day" => 86400,
            _ => throw Usage($"{option}: unknown window '{match.Groups[2].Value}' (use s, m, h or d)."),
        };
        return new ApiKeyRateLimit(limit, window);
    }

    /// <summary><c>1000000/month</c> or <c>5000/day</c>.</summary>
    public static ApiKeyQuota Quota(string value, string option = "--quota")
    {
        var match = QuotaPattern().Match(value.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit <= 0)
            throw Usage($"{option} must look like 1000000/month or 5000/day.");
        var period = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "d" or "day" => "day",
            "mo" or "month" => "month",
            var other => throw Usage($"{option}: unknown period '{other}' (use day or month)."),
        };
        return new ApiKeyQuota(limit, period);
    }

    /// <summary><c>90d</c>, <c>24h</c>, <c>30m</c>, <c>45s</c>, <c>2w</c>; a plain number is seconds.</summary>
    public static TimeSpan Duration(string value, string option)
    {
        var match = DurationPattern().Match(value.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw Usage($"{option} must be a duration such as 90d, 24h, 30m or 45s.");
        return match.Groups[2].Value.ToLowerInvariant() switch
        {
            "" or "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            "w" => TimeSpan.FromDays(7 * n),
            _ => throw Usage($"{option} must be a duration such as 90d, 24h, 30m or 45s."),
        };
    }

    /// <summary>An ISO 8601 date or date-time; without an offset it is UTC.</summary>
    public static DateTimeOffset Instant(string value, string option) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw Usage($"{option} must be an ISO 8601 date or date-time, e.g. 2026-12-31 or 2026-12-31T23:00:00Z.");

    public static List<string> List(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Repeated <c>k=v</c> pairs.</summary>
    public static Dictionary<string, string> Metadata(IEnumerable<string> pairs, string option = "--meta")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw Usage($"{option} takes key=value pairs.");
            result[pair[..eq].Trim()] = pair[(eq + 1)..];
        }
        return result;
    }

    public static Uri Url(string value, string option) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw Usage($"{option} must be an absolute http(s) URL.");

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);

    [GeneratedRegex(@"^(\d+)(?:\s*/\s*([A-Za-z]+))?$")]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^(\d+)\s*/\s*([A-Za-z]+)$")]
    private static partial Regex QuotaPattern();

    [GeneratedRegex(@"^(\d+)\s*([A-Za-z]?)$")]
    private static partial Regex DurationPattern();
}
