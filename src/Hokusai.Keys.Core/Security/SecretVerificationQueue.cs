using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Security;

/// <summary>
/// Runs slow secret verifications (bcrypt) on a few dedicated threads with a bounded queue in front, so a flood of
/// them — wrong secrets, forged key ids — takes at most <see cref="SecurityOptions.BcryptConcurrency"/> cores and no
/// thread-pool threads: cached requests keep being served. A full queue is refused at once rather than queued
/// behind work that would finish too late to matter.
/// </summary>
public sealed class SecretVerificationQueue : IDisposable
{
    private readonly ISecretHasher _hasher;
    private readonly BlockingCollection<Work> _queue;
    private readonly Thread[] _workers;
    private readonly Lazy<string> _decoyHash;

    private sealed record Work(string Secret, string? Hash, string? Scheme, TaskCompletionSource<bool> Verdict);

    public SecretVerificationQueue(ISecretHasher hasher, IOptions<SecurityOptions> options)
    {
        _hasher = hasher;
        var settings = options.Value;
        _queue = new BlockingCollection<Work>(Math.Max(1, settings.BcryptQueueLength));
        // A hash of the configured cost that no presented secret matches: verifying against it costs what a real verify costs.
        _decoyHash = new Lazy<string>(() => hasher.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(21))));
        var concurrency = settings.BcryptConcurrency > 0 ? settings.BcryptConcurrency : Math.Max(1, Environment.ProcessorCount / 2);
        _workers = new Thread[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            _workers[i] = new Thread(RunWorker) { IsBackground = true, Name = $"bcrypt-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>The verdict of <see cref="ISecretHasher.Verify"/>, or null at once when the queue is full.</summary>
    public Task<bool>? TryVerify(string secret, string hash, string scheme) => TryEnqueue(new Work(secret, hash, scheme, NewVerdict()));

    /// <summary>
    /// A verification that costs what a real one costs and always fails: the answer for a key id that does not exist
    /// (or whose secret the cache already knows to be wrong), so the time taken does not tell the two apart. Null when
    /// the queue is full.
    /// </summary>
    public Task<bool>? TryVerifyDecoy(string secret) => TryEnqueue(new Work(secret, null, null, NewVerdict()));

    private static TaskCompletionSource<bool> NewVerdict() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task<bool>? TryEnqueue(Work work) => _queue.TryAdd(work) ? work.Verdict.Task : null;

    private void RunWorker()
    {
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            try
            {
                if (work.Hash is null)
                {
                    _hasher.Verify(work.Secret, _decoyHash.Value, _hasher.Scheme);
                    work.Verdict.TrySetResult(false);
                }
                else
                {
                    work.Verdict.TrySetResult(_hasher.Verify(work.Secret, work.Hash, work.Scheme!));
                }
            }
            catch (Exception ex)
            {
                work.Verdict.TrySetException(ex);
            }
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var worker in _workers) worker.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
    }
}
