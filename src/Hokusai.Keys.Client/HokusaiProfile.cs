using System.Text.Json;
using System.Text.Json.Serialization;
using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client;

/// <summary>One profile of the config file.</summary>
public sealed class HokusaiProfile
{
    public string? ApiUrl { get; set; }

    public string? ApiKey { get; set; }

    public override string ToString() => $"HokusaiProfile {ApiUrl} (key {(ApiKey is null ? "absent" : "set")})";
}
