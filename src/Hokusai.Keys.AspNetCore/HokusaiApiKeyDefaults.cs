namespace Hokusai.Keys.AspNetCore;

/// <summary>Defaults of the Hokusai API key authentication scheme.</summary>
public static class HokusaiApiKeyDefaults
{
    /// <summary>The scheme name <c>AddHokusaiApiKey()</c> registers.</summary>
    public const string AuthenticationScheme = "HokusaiApiKey";
}
