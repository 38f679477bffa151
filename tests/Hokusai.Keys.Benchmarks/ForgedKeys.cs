using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// Writes forged keys for the key ids of a keys file: well-formed (valid checksum), the real id, a random secret —
/// what an attacker who knows key ids sends to make the server run bcrypt (scripts/flood-test.sh).
/// </summary>
public static class ForgedKeys
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: forge <keys-file> <forgeries-per-key> <output-file>");
            return 2;
        }
        var perKey = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var forged = new List<string>();
        foreach (var line in await File.ReadAllLinesAsync(args[0]))
        {
            if (!ApiKeyFormat.TryParse(line, out var real)) continue;
            for (var i = 0; i < perKey; i++) forged.Add(ApiKeyFormat.Generate(real.Environment, real.KeyId).Plaintext);
        }
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(forged));
        await File.WriteAllLinesAsync(args[2], forged);
        Console.WriteLine($"{forged.Count} forged keys");
        return 0;
    }
}
