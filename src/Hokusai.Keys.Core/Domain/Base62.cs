using System.Buffers;

namespace Hokusai.Keys.Domain;

/// <summary>Base62 alphabet helpers: every character is a word character, so keys stay double-click selectable.</summary>
internal static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly SearchValues<char> Digits = SearchValues.Create(Alphabet);

    /// <summary>Vectorized: the hot path checks every presented key's 50 characters.</summary>
    public static bool AreAllBase62(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(Digits);

    public static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        >= 'a' and <= 'z' => c - 'a' + 36,
        _ => -1,
    };

    /// <summary>Writes <paramref name="value"/> as exactly <c>destination.Length</c> digits, most significant first.</summary>
    public static void EncodeFixed(ulong value, Span<char> destination)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
    }

    /// <summary>Decodes fixed-width digits; false on a non-base62 character.</summary>
    public static bool TryDecodeFixed(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        foreach (var c in digits)
        {
            var d = DigitValue(c);
            if (d < 0) return false;
            value = value * 62 + (ulong)d;
        }
        return true;
    }
}
