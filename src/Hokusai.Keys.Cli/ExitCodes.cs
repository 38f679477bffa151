namespace Hokusai.Keys.Cli;

/// <summary>Exit codes of <c>hokusai</c> (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The API or storage refused or failed, or the configuration is wrong.</summary>
    public const int Error = 1;
    /// <summary>The command line is wrong (unknown option, bad value, missing --yes when not interactive).</summary>
    public const int Usage = 2;
    /// <summary><c>verify</c>/<c>whoami</c>: the key is not valid.</summary>
    public const int Invalid = 3;
}
