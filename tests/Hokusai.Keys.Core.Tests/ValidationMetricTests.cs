using Hokusai.Keys.Domain;
using Hokusai.Keys.Validation;

namespace Hokusai.Keys.Core.Tests;

/// <summary>The validation counter carries what the alerts need to say who: code, endpoint, environment, owner bucket.</summary>
public sealed class ValidationMetricTests
{
    private static IReadOnlyDictionary<string, object?> LastTags(ValidatorHarness harness) =>
        harness.Meters.Of(KeyMetrics.ValidationsName)[^1].Tags;

    [Fact]
    public async Task A_refusal_names_the_environment_and_the_owner_bucket_of_the_key()
    {
        await using var harness = new ValidatorHarness();
        var key = await harness.AddKeyAsync(k => k with { Owner = "carol", RevokedAt = harness.Time.GetUtcNow() }, KeyEnvironment.Test);

        Assert.Equal(ValidationCode.Revoked, (await harness.ValidateAsync(key, ValidationEndpoint.Authorize)).Code);
        var tags = LastTags(harness);
        Assert.Equal("REVOKED", tags[KeyMetrics.CodeTag]);
        Assert.Equal("authorize", tags[KeyMetrics.EndpointTag]);
        Assert.Equal("test", tags[KeyMetrics.EnvironmentTag]);
        Assert.Equal(OwnerBucket.Of("carol"), tags[KeyMetrics.OwnerBucketTag]);
    }

    [Fact]
    public async Task A_valid_answer_and_an_unknown_key_carry_no_owner_and_malformed_input_no_environment()
    {
        await using var harness = new ValidatorHarness();
        var key = await harness.AddKeyAsync();

        Assert.Equal(ValidationCode.Valid, await harness.CodeAsync(key));
        Assert.Equal(("live", OwnerBucket.None), (LastTags(harness)[KeyMetrics.EnvironmentTag], LastTags(harness)[KeyMetrics.OwnerBucketTag]));
        Assert.Equal(ValidationCode.NotFound, await harness.CodeAsync(ValidatorHarness.Unknown()));
        Assert.Equal(("live", OwnerBucket.None), (LastTags(harness)[KeyMetrics.EnvironmentTag], LastTags(harness)[KeyMetrics.OwnerBucketTag]));
        Assert.Equal(ValidationCode.Malformed, (await harness.ValidateAsync("not a key")).Code);
        Assert.Equal(KeyMetrics.NoEnvironment, LastTags(harness)[KeyMetrics.EnvironmentTag]);
    }

    [Fact]
    public void Owner_buckets_are_stable_and_bounded()
    {
        var buckets = Enumerable.Range(0, 10_000).Select(i => OwnerBucket.Of("owner-" + i)).ToHashSet();
        Assert.Equal(OwnerBucket.Count, buckets.Count);
        Assert.All(buckets, b => Assert.Matches("^o[0-9]{2}$", b));
        Assert.Equal(OwnerBucket.Of("alice"), OwnerBucket.Of("alice"));
        Assert.Equal(OwnerBucket.Of(new string('é', 1000)), OwnerBucket.Of(new string('é', 1000))); // long owners hash off the stack
        Assert.Equal(OwnerBucket.None, OwnerBucket.Of(""));
    }

    [Fact]
    public void Gauges_report_their_source_and_nothing_before_it_is_set()
    {
        using var meters = new TestMeters();
        var metrics = new KeyMetrics(meters);
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        var observed = new List<(string Name, double Value)>();
        listener.InstrumentPublished = (instrument, l) => { if (ReferenceEquals(instrument.Meter.Scope, meters)) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => observed.Add((instrument.Name, value)));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => observed.Add((instrument.Name, value)));
        listener.Start();

        listener.RecordObservableInstruments();
        Assert.Empty(observed);

        metrics.ObserveUsagePoisonMessages(() => 3);
        metrics.ObserveOutboxBacklogAge(() => 42.5);
        metrics.ObserveRedisAvailability(() => false);
        listener.RecordObservableInstruments();
        Assert.Equal(
            [(KeyMetrics.UsagePoisonMessagesName, 3.0), (KeyMetrics.OutboxBacklogAgeName, 42.5), (KeyMetrics.RedisAvailableName, 0.0)],
            observed.OrderBy(o => o.Name == KeyMetrics.UsagePoisonMessagesName ? 0 : o.Name == KeyMetrics.OutboxBacklogAgeName ? 1 : 2));
    }
}
