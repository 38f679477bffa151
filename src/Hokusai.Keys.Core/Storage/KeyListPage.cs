namespace Hokusai.Keys.Storage;

public sealed record KeyListPage(IReadOnlyList<ListedKey> Items, bool HasMore);
