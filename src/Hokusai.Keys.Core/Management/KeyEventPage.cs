using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Management;

public sealed record KeyEventPage(IReadOnlyList<KeyEvent> Items, string? NextCursor);
