namespace Hokusai.Keys;

/// <summary>
/// Marks an options property that a deployed Azure environment does not set (a local-development alternative such as
/// a connection string where Azure uses a managed identity, or a setting used only during a rotation).
/// The infrastructure test requires every other options property to be set by infra/.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotRequiredInAzureAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}
