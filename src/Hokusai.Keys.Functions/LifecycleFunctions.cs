using Hokusai.Keys.Azure.Lifecycle;
using Microsoft.Azure.Functions.Worker;

namespace Hokusai.Keys.Functions;

/// <summary>Timer-triggered lifecycle work: the outbox sweeper (leftover events to Service Bus), the expiry sweeper and the rotation reminders.</summary>
public sealed class LifecycleFunctions(LifecycleSweeps sweeps)
{
    [Function("SweepOutbox")]
    public async Task SweepOutbox([TimerTrigger("*/30 * * * * *")] TimerInfo timer, FunctionContext context) =>
        await sweeps.SweepOutboxAsync(context.CancellationToken);

    [Function("SweepExpiry")]
    public async Task SweepExpiry([TimerTrigger("0 */5 * * * *")] TimerInfo timer, FunctionContext context) =>
        await sweeps.SweepExpiryAsync(context.CancellationToken);

    // Reminders are days apart and recorded once each: hourly is ample.
    [Function("SweepRotationDue")]
    public async Task SweepRotationDue([TimerTrigger("0 0 * * * *")] TimerInfo timer, FunctionContext context) =>
        await sweeps.SweepRotationDueAsync(context.CancellationToken);

    // Entries older than the retention are only deleted, never read (an older cursor answers 410): hourly is ample.
    [Function("SweepChangeFeed")]
    public async Task SweepChangeFeed([TimerTrigger("0 23 * * * *")] TimerInfo timer, FunctionContext context) =>
        await sweeps.SweepChangeFeedAsync(context.CancellationToken);
}
