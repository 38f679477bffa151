using System.Text.RegularExpressions;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Core.Tests;

public class ApiKeyFormatTests
{
    [Theory]
    [InlineData(KeyEnvironment.Live, "hk_live_")]
    [InlineData(KeyEnvironment.Test, "hk_test_")]
    public void Generated_keys_have_the_documented_shape(KeyEnvironment environment, string prefix)
    {
        var key = ApiKeyFormat.Generate(environment);

        Assert.StartsWith(prefix, key.Plaintext);
        Assert.Equal(8 + 16 + 28 + 6, key.Plaintext.Length); // prefix, key id, secret, checksum (the README's shape)
        Assert.Equal(key.KeyId, key.Plaintext[8..24]);
        Assert.Equal(key.Secret, key.Plaintext[24..52]);
        Assert.Matches("^[A-Za-z0-9_]+$", key.Plaintext);
        Assert.Matches(new Regex(ApiKeyFormat.ScannerPattern), key.Plaintext);
        Assert.True(ApiKeyFormat.TryParse(key.Plaintext, out var parsed));
        Assert.Equal(key.KeyId, parsed.KeyId);
        Assert.Equal(environment, parsed.Environment);
        Assert.True(parsed.Secret.SequenceEqual(key.Secret));
    }

    [Fact]
    public void Secret_part_carries_at_least_160_bits_and_fits_bcrypt()
    {
        // Measured on generated keys, not read from the constants: every character between the key id and the checksum
        // must range over all of base62 (a generator drawing from a smaller alphabet, or a fixed character, fails here).
        var secrets = Enumerable.Range(0, 3000).Select(_ => ApiKeyFormat.Generate(KeyEnvironment.Live).Plaintext[(8 + 16)..^6]).ToList();
        var length = Assert.Single(secrets.Select(s => s.Length).Distinct());
        var bits = 0.0;
        for (var i = 0; i < length; i++)
        {
            var symbols = secrets.Select(s => s[i]).Distinct().ToList();
            Assert.All(symbols, c => Assert.True(char.IsAsciiLetterOrDigit(c), $"'{c}' at {i} is not base62"));
            Assert.True(symbols.Count >= 60, $"position {i} took only {symbols.Count} of 62 symbols in 3000 keys");
            bits += Math.Log2(symbols.Count);
        }
        Assert.True(bits >= 160, $"{bits:F0} bits");
        Assert.All(secrets, s => Assert.True(System.Text.Encoding.UTF8.GetByteCount(s) <= 72, "bcrypt reads at most 72 bytes"));
    }

    [Fact]
    public void Keys_and_ids_do_not_repeat()
    {
        var keys = Enumerable.Range(0, 2000).Select(_ => ApiKeyFormat.Generate(KeyEnvironment.Live)).ToList();
        Assert.Equal(keys.Count, keys.Select(k => k.KeyId).Distinct().Count());
        Assert.Equal(keys.Count, keys.Select(k => k.Secret).Distinct().Count());
    }

    [Fact]
    public void Every_single_character_change_is_rejected()
    {
        var key = ApiKeyFormat.Generate(KeyEnvironment.Live).Plaintext;
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
        var accepted = 0;
        for (var i = 0; i < key.Length; i++)
        {
            foreach (var c in alphabet)
            {
                if (c == key[i]) continue;
                var changed = key[..i] + c + key[(i + 1)..];
                if (ApiKeyFormat.TryParse(changed, out _)) accepted++;
            }
        }
        Assert.Equal(0, accepted);
    }

    [Theory]
    [InlineData('-')]
    [InlineData('_')]
    [InlineData('é')]
    [InlineData('\u0663')] // ARABIC-INDIC DIGIT THREE: a digit, but not base62
    public void A_character_outside_base62_is_rejected_even_with_a_matching_checksum(char outsider)
    {
        // The checksum is computed over the body as it stands, so for the ASCII outsiders only the base62 check can refuse
        // the key; the key-id check below has no checksum at all.
        var body = "hk_live_" + "AAAAAAAAAAAAAAA" + outsider + new string('b', ApiKeyFormat.SecretLength);
        var crc = System.IO.Hashing.Crc32.HashToUInt32(System.Text.Encoding.UTF8.GetBytes(body));
        Span<char> checksum = stackalloc char[ApiKeyFormat.ChecksumLength];
        Base62.EncodeFixed(crc, checksum);
        Assert.False(ApiKeyFormat.TryParse(body + checksum.ToString(), out _));
        Assert.False(ApiKeyFormat.IsValidKeyId("AAAAAAAAAAAAAAA" + outsider));
        Assert.True(ApiKeyFormat.IsValidKeyId("AAAAAAAAAAAAAAAz"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hk_live_")]
    [InlineData("hk_prod_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("HK_LIVE_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("hk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!")]
    [InlineData("hk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Malformed_candidates_are_rejected(string? candidate) => Assert.False(ApiKeyFormat.TryParse(candidate, out _));

    [Fact]
    public void A_key_moved_to_the_other_environment_is_rejected()
    {
        var key = ApiKeyFormat.Generate(KeyEnvironment.Live).Plaintext;
        Assert.False(ApiKeyFormat.TryParse("hk_test_" + key[8..], out _));
    }

    [Fact]
    public void ToString_never_shows_the_secret()
    {
        var key = ApiKeyFormat.Generate(KeyEnvironment.Live);
        Assert.DoesNotContain(key.Secret, key.ToString(), StringComparison.Ordinal);
        ApiKeyFormat.TryParse(key.Plaintext, out var parsed);
        Assert.DoesNotContain(key.Secret, parsed.ToString(), StringComparison.Ordinal);
        Assert.Equal(ApiKeyFormat.DisplayPrefix(KeyEnvironment.Live, key.KeyId), key.Plaintext[..12]);
    }
}
