namespace Hokusai.Keys.AspNetCore;

public static class HokusaiApiKeyDefaults
{
    public const string AuthenticationScheme = "HokusaiApiKey";
}
