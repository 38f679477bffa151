namespace Hokusai.Keys.Cli;

/// <summary>A failure the CLI reports as one line and an exit code.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Error) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
