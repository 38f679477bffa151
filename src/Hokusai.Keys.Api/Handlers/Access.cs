namespace Hokusai.Keys.Api.Handlers;

public enum Access
{
    Read,
    Write,
}
