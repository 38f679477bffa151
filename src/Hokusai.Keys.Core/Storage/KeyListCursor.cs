using System.Buffers.Text;
using System.Text;

namespace Hokusai.Keys.Storage;

/// <summary>Opaque cursors: the listing position, base64url-encoded so clients do not depend on its form.</summary>
public static class KeyListCursor
{
    private const int MaxPositionLength = 256;

    public static string Encode(string position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(position));

    public static bool TryDecode(string? cursor, out string? position)
    {
        position = null;
        if (cursor is null) return true;
        if (cursor.Length == 0 || cursor.Length > MaxPositionLength * 2) return false;
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            if (decoded.Length == 0 || decoded.Length > MaxPositionLength || decoded.Any(c => char.IsControl(c) || c is '/' or '\\' or '#' or '?')) return false;
            position = decoded;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
