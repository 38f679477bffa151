using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Security;

/// <summary>
/// Runs slow secret verifications (bcrypt) on a few dedicated threads with a bounded queue in front, so a flood of
/// them — wrong secrets, forged key ids — takes at most <see cref="SecurityOptions.BcryptConcurrency"/> cores and no
/// thread-pool threads: cached requests keep being served. A full queue is refused at once rather than queued
/// behind work that would finish too late to matter. A place in the queue can be reserved before the work is known
/// (<see cref="TryReserve"/>), so a caller that would be refused for a full queue is refused before any I/O.
/// </summary>
public sealed class SecretVerificationQueue : IDisposable
{
    private readonly ISecretHasher _hasher;
    private readonly BlockingCollection<Work> _queue;
    private readonly Thread[] _workers;
    private readonly Lazy<string> _decoyHash;
    private readonly int _capacity;

    // Places reserved or queued and not yet taken by a worker: at most _capacity.
    private int _waiting;

    private sealed record Work(string Secret, string? Hash, string? Scheme, TaskCompletionSource<bool> Verdict);

    public SecretVerificationQueue(ISecretHasher hasher, IOptions<SecurityOptions> options)
    {
        _hasher = hasher;
        var settings = options.Value;
        _capacity = Math.Max(1, settings.BcryptQueueLength);
        _queue = new BlockingCollection<Work>();
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
    public Task<bool>? TryVerify(string secret, string hash, string scheme) => TryReserve() ? VerifyReserved(secret, hash, scheme) : null;

    /// <summary>Takes a place in the queue, or false at once when it is full. Spend it with a Verify…Reserved call or give it back with <see cref="Release"/>.</summary>
    public bool TryReserve()
    {
        while (true)
        {
            var waiting = Volatile.Read(ref _waiting);
            if (waiting >= _capacity) return false;
            if (Interlocked.CompareExchange(ref _waiting, waiting + 1, waiting) == waiting) return true;
        }
    }

    /// <summary>Gives back a place taken by <see cref="TryReserve"/> that no verification will use.</summary>
    public void Release() => Interlocked.Decrement(ref _waiting);

    /// <summary><see cref="TryVerify"/> in a place already reserved.</summary>
    public Task<bool> VerifyReserved(string secret, string hash, string scheme) => Enqueue(new Work(secret, hash, scheme, NewVerdict()));

    /// <summary><see cref="TryVerifyDecoy"/> in a place already reserved.</summary>
    public Task<bool> VerifyDecoyReserved(string secret) => Enqueue(new Work(secret, null, null, NewVerdict()));

    /// <summary>
    /// A verification that costs what a real one costs and always fails: the answer for a key id that does not exist
    /// (or whose secret the cache already knows to be wrong), so the time taken does not tell the two apart. Null when
    /// the queue is full.
    /// </summary>
    public Task<bool>? TryVerifyDecoy(string secret) => TryReserve() ? VerifyDecoyReserved(secret) : null;

    private static TaskCompletionSource<bool> NewVerdict() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task<bool> Enqueue(Work work)
    {
        _queue.Add(work);
        return work.Verdict.Task;
    }

    private void RunWorker()
    {
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            Interlocked.Decrement(ref _waiting);
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
