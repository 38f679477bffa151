namespace Hokusai.Keys.Azure.Tables;

/// <summary>
/// What the change feed asks of its wake-up hints (Caching's <c>KeyChangeSignal</c>, over Redis pub/sub): an interface,
/// so the tables do not depend on the cache side.
/// </summary>
internal interface IKeyChangeSignal
{
    /// <summary>True when hints from the other instances arrive.</summary>
    bool HearsOtherInstances { get; }

    /// <summary>A change committed here.</summary>
    void Notify();

    /// <summary>Completes at the next change of any instance the hints reach.</summary>
    Task NextAsync();
}
