namespace Hokusai.Keys;

public enum DomainErrorKind
{
    Validation,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    Unavailable,
}
