using System.Collections.Concurrent;
using Hokusai.Keys.Client;

namespace Hokusai.Keys.AspNetCore;

/// <summary>
/// One SDK client per authentication scheme, made from its options on first use, and the handler's own answer cache
/// (keyed by scheme, SHA-256 of the key and caller IP; separate from the app's IMemoryCache so its size limits do not apply).
/// </summary>
public sealed class HokusaiClientRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<HokusaiKeysClient>> _clients = new(StringComparer.Ordinal);

    internal AnswerCache Answers { get; } = new();

    /// <summary>
    /// The SDK client of <paramref name="scheme"/>, made from <paramref name="options"/> the first time it is asked for.
    /// </summary>
    public HokusaiKeysClient Get(string scheme, HokusaiApiKeyOptions options) =>
        _clients.GetOrAdd(scheme, _ => new Lazy<HokusaiKeysClient>(() => new HokusaiKeysClient(options.Client))).Value;

    /// <summary>Disposes the clients made and the answer cache.</summary>
    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated)) client.Value.Dispose();
        Answers.Dispose();
    }
}
