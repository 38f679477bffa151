using System.Text.RegularExpressions;
using Hokusai.Keys.Api.OpenApi;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// The document's patterns (<see cref="ApiSchemaRules"/>) say what <see cref="KeyRules"/> checks, character for
/// character: every character in every position, and the length bounds (lengths are the schemas' minLength/maxLength,
/// taken from KeyRules' constants). No network, no storage.
/// </summary>
public class OpenApiSchemaRulesTests
{
    // Every ASCII character, and a few beyond: Latin-1 control and letter, a non-breaking space, a CJK character.
    private static readonly char[] Alphabet = [.. Enumerable.Range(0, 128).Select(i => (char)i), '\u0085', '\u009F', '\u00A0', 'é', '北'];

    public static TheoryData<string, string, Func<string?, bool>, int> Tokens => new()
    {
        { "owner", ApiSchemaRules.OwnerPattern, KeyRules.IsValidOwner, KeyRules.MaxOwnerLength },
        { "scope", ApiSchemaRules.ScopePattern, KeyRules.IsValidScope, KeyRules.MaxScopeLength },
        { "metadata key", ApiSchemaRules.MetadataKeyPattern, KeyRules.IsValidMetadataKey, KeyRules.MaxMetadataKeyLength },
    };

    [Theory]
    [MemberData(nameof(Tokens))]
    public void A_token_pattern_accepts_exactly_what_the_rule_accepts(string name, string pattern, Func<string?, bool> rule, int maxLength)
    {
        var regex = new Regex(pattern.Replace("$", "\\z", StringComparison.Ordinal), RegexOptions.CultureInvariant);
        bool Documented(string value) => value.Length >= 1 && value.Length <= maxLength && regex.IsMatch(value);

        foreach (var c in Alphabet)
        {
            foreach (var candidate in new[] { $"{c}", $"a{c}", $"{c}a", $"a{c}b" })
                Assert.True(rule(candidate) == Documented(candidate), $"{name}: the rule and the pattern differ on U+{(int)c:X4} in \"{Printable(candidate)}\"");
        }
        Assert.True(rule(new string('a', maxLength)) && Documented(new string('a', maxLength)), $"{name}: {maxLength} characters");
        Assert.False(rule(new string('a', maxLength + 1)) || Documented(new string('a', maxLength + 1)), $"{name}: {maxLength + 1} characters");
        Assert.False(rule("") || Documented(""), $"{name}: empty");
    }

    [Fact]
    public void The_name_pattern_accepts_exactly_the_names_the_rule_keeps()
    {
        var regex = new Regex(ApiSchemaRules.NamePattern.Replace("$", "\\z", StringComparison.Ordinal), RegexOptions.CultureInvariant);
        foreach (var c in Alphabet)
        {
            // The rule trims and then refuses control characters; the document has no trimming, so it requires what a
            // trimmed, accepted name is, and accepts the padded names whose trimmed form is accepted.
            foreach (var candidate in new[] { $"{c}", $"a{c}", $"{c}a", $"a{c}b" })
            {
                var errors = new KeyRules.Errors();
                var accepted = KeyRules.CheckName(candidate, errors) is not null && !errors.Any;
                Assert.True(accepted == regex.IsMatch(candidate), $"name: the rule and the pattern differ on U+{(int)c:X4} in \"{Printable(candidate)}\"");
            }
        }
    }

    [Fact]
    public void The_key_id_and_plaintext_patterns_match_the_key_format()
    {
        var key = ApiKeyFormat.Generate(KeyEnvironment.Test);
        Assert.Matches(ApiSchemaRules.KeyIdPattern, key.KeyId);
        Assert.True(Regex.IsMatch(key.Plaintext, ApiSchemaRules.KeyPattern), "a generated key does not match the documented key pattern");
        Assert.Matches(ApiSchemaRules.PrefixPattern, ApiKeyFormat.DisplayPrefix(KeyEnvironment.Live, key.KeyId));
        Assert.Matches(ApiSchemaRules.KeyIdPattern, ApiExamples.KeyId);
        // The document's example is shaped like a key but is none: its checksum fails.
        Assert.Matches(ApiSchemaRules.KeyPattern, ApiExamples.Plaintext);
        Assert.False(ApiKeyFormat.TryParse(ApiExamples.Plaintext, out _), "the example plaintext must not be a valid key");
    }

    private static string Printable(string value) => string.Concat(value.Select(ch => char.IsControl(ch) ? $"\\u{(int)ch:X4}" : ch.ToString()));
}
