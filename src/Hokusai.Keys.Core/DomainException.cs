namespace Hokusai.Keys;

/// <summary>A rule said no. The HTTP layer maps <see cref="Kind"/> to a status and <see cref="Code"/> to the problem's <c>code</c>.</summary>
public sealed class DomainException(DomainErrorKind kind, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(detail)
{
    public DomainErrorKind Kind { get; } = kind;
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    public static DomainException KeyNotFound(string keyId) =>
        new(DomainErrorKind.NotFound, ErrorCodes.KeyNotFound, $"No key with id '{keyId}' is visible to this caller.");

    public static DomainException Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(DomainErrorKind.Validation, ErrorCodes.ValidationFailed, "One or more fields are invalid.", errors);
}
