using Hokusai.Keys.Api.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Hokusai.Keys.Api.Tests;

/// <summary>What the host gets to see of a query holding a key, before anything can log it.</summary>
public sealed class QueryKeyRedactionTests
{
    private const string Key = "presented-key-value";

    [Theory]
    [InlineData("?api_key=" + Key, "?api_key=REDACTED")]
    [InlineData("?x=1&API_KEY=" + Key + "&y=2", "?x=1&api_key=REDACTED&y=2")]
    [InlineData("?api%5Fkey=" + Key, "?api_key=REDACTED")]
    [InlineData("?api_key=" + Key + "&api_key=second", "?api_key=REDACTED&api_key=REDACTED")]
    public void The_key_moves_out_of_the_query_and_other_parameters_stay(string query, string expected)
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature { QueryString = query });

        QueryKeyRedaction.Apply(features);

        Assert.Equal(expected, features.Get<IHttpRequestFeature>()!.QueryString);
        Assert.Equal(Key, features.Get<PresentedQueryKey>()?.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?limit=1&owner=a")]
    [InlineData("?my_key=1")]
    public void A_query_without_a_key_is_left_alone(string query)
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature { QueryString = query });

        QueryKeyRedaction.Apply(features);

        Assert.Equal(query, features.Get<IHttpRequestFeature>()!.QueryString);
        Assert.Null(features.Get<PresentedQueryKey>());
    }
}
