
namespace Hokusai.Keys.Azure.Tables;

/// <summary>
/// A bug, not bad input: the field rules (<c>KeyRules</c>) bound every record far below Azure's limits, so an entity over
/// them means a rule is missing; it surfaces as a 500 with the exception logged.
/// </summary>
internal sealed class EntityTooLargeException(string message) : InvalidOperationException(message);
