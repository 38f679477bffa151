using System.Net;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Core.Tests;

public class IpAllowListTests
{
    [Theory]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("10.1.2.3", "10.1.2.3/32")]
    [InlineData("192.168.1.77/24", "192.168.1.0/24")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    [InlineData("2001:DB8::1", "2001:db8::1/128")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1/32")]
    public void Entries_are_normalised(string entry, string expected) => Assert.Equal(expected, IpAllowList.TryNormalize(entry, out _));

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.256")]
    [InlineData("not-an-ip")]
    [InlineData("fe80::1%eth0")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("012.0.0.0/8")] // octal: IPAddress.TryParse reads it as 10.0.0.0/8
    [InlineData("0x7f.1")]
    [InlineData("167837187")]
    [InlineData("10.1")]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.0/+8")]
    [InlineData(" 10.0.0.1")]
    [InlineData("10.0.0.1\n")]
    [InlineData("[::1]")]
    [InlineData("::ffff:012.0.0.1")]
    public void Bad_entries_are_rejected_with_a_reason(string entry)
    {
        Assert.Null(IpAllowList.TryNormalize(entry, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("10.20.30.40", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("::ffff:10.20.30.40", true)]
    [InlineData("2001:db8:1::5", true)]
    [InlineData("2001:db9::5", false)]
    public void Matching_covers_IPv4_IPv6_and_mapped_addresses(string client, bool allowed)
    {
        var list = IpAllowList.FromStored(["10.0.0.0/8", "2001:db8::/32"]);
        Assert.Equal(allowed, list.Allows(IPAddress.Parse(client)));
    }

    [Fact]
    public void An_empty_list_allows_everyone_and_a_list_refuses_an_unknown_client()
    {
        Assert.True(IpAllowList.FromStored([]).Allows(null));
        Assert.False(IpAllowList.FromStored(["10.0.0.0/8"]).Allows(null));
    }
}
