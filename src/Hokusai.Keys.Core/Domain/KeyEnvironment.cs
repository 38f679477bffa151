namespace Hokusai.Keys.Domain;

/// <summary>Where a key may be used; chosen at creation and visible in the key's prefix.</summary>
public enum KeyEnvironment
{
    Live,
    Test,
}
