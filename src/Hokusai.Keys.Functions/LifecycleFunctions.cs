using Hokusai.Keys.Azure.Lifecycle;
using Microsoft.Azure.Functions.Worker;

namespace Hokusai.Keys.Functions;

/// <summary>Timer-triggered lifecycle work: the outbox sweeper (leftover events to Service Bus) and the expiry sweeper.</summary>
public sealed class LifecycleFunctions(LifecycleSweeps sweeps)
{
    [Function("SweepOutbox")]
    public async Task SweepOutbox([TimerTrigger("*/30 * * * * *")] TimerInfo timer, FunctionContext context) =>
        await sweeps.SweepOutboxAsync(context.CancellationToken);

    [Function("SweepExpiry")]
    public async Task SweepExpiry([TimerTrigger("0 */5 * * * *")] TimerInfo timer, FunctionContext context) =>
        await sweeps.SweepExpiryAsync(context.CancellationToken);
}
