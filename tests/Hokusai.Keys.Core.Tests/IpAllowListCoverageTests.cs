using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Core.Tests;

/// <summary><see cref="IpAllowList.Covers"/>: what the authority rule asks when a caller narrows or widens an allow-list.</summary>
public class IpAllowListCoverageTests
{
    [Theory]
    [InlineData(new[] { "10.0.0.0/8" }, new[] { "10.1.0.0/16", "10.2.3.4/32" }, true)]
    [InlineData(new[] { "10.0.0.0/8" }, new[] { "10.0.0.0/8" }, true)]
    [InlineData(new[] { "10.0.0.0/8" }, new[] { "10.0.0.0/7" }, false)] // wider
    [InlineData(new[] { "10.0.0.0/8" }, new[] { "10.1.0.0/16", "11.0.0.1/32" }, false)] // one network outside
    [InlineData(new[] { "10.0.0.0/8", "2001:db8::/32" }, new[] { "2001:db8:1::/48" }, true)]
    [InlineData(new[] { "10.0.0.0/8" }, new[] { "::ffff:10.1.2.3/128" }, false)] // another family is never inside
    [InlineData(new string[0], new[] { "10.0.0.0/8" }, true)] // an empty list allows everyone
    [InlineData(new[] { "10.0.0.0/8" }, new string[0], false)]
    public void A_list_covers_another_when_every_network_lies_inside_one_of_its_own(string[] outer, string[] inner, bool covers) =>
        Assert.Equal(covers, IpAllowList.FromStored(outer).Covers(IpAllowList.FromStored(inner)));
}
