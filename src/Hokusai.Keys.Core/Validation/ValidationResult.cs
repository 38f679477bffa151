using Hokusai.Keys.RateLimiting;

namespace Hokusai.Keys.Validation;

public readonly record struct ValidationResult(ValidationCode Code, KeySnapshot? Key, LimitDecision? Limits = null)
{
    public bool IsValid => Code == ValidationCode.Valid;
}
