namespace Hokusai.Keys.Storage;

/// <summary>Changes after a cursor, oldest first, and the cursor to read on from.</summary>
public sealed record KeyChangePage(IReadOnlyList<KeyChange> Changes, KeyChangeCursor Cursor);
