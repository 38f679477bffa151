using Hokusai.Keys.Domain;
using Hokusai.Keys.Security;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Validation;

namespace Hokusai.Keys.Management;

public sealed record KeyEventPage(IReadOnlyList<KeyEvent> Items, string? NextCursor);
