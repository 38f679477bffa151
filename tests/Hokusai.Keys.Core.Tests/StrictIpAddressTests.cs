using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Core.Tests;

public class StrictIpAddressTests
{
    [Theory]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("10.1.2.3", "10.1.2.3")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("2001:DB8::1", "2001:db8::1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("::ffff:10.0.0.1", "::ffff:10.0.0.1")]
    [InlineData("64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
    public void Standard_notation_is_read(string text, string expected)
    {
        Assert.True(StrictIpAddress.TryParse(text, out var address));
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("012.0.0.1")] // octal
    [InlineData("0x7f.0.0.1")] // hex
    [InlineData("0x7f.1")]
    [InlineData("127.1")] // shortened
    [InlineData("10.1")]
    [InlineData("167837187")] // one number
    [InlineData("00.0.0.0")]
    [InlineData("1.2.3.04")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1..3.4")]
    [InlineData("1.2.3.4.")]
    [InlineData("+1.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4\n")]
    [InlineData("１.2.3.4")] // a full-width digit
    [InlineData("[::1]")]
    [InlineData("[::1]:80")]
    [InlineData("::1%1")] // zone id
    [InlineData("fe80::1%eth0")]
    [InlineData("::1 ")]
    [InlineData("::1\n")]
    [InlineData("::ffff:012.0.0.1")]
    [InlineData("::ffff:10.1")]
    [InlineData("1.2.3.4::")]
    [InlineData("1::2::3")]
    [InlineData("1:2:3:4:5:6:7:00008")]
    [InlineData("::1/128")]
    [InlineData("gggg::1")]
    public void Anything_else_is_refused(string text) => Assert.False(StrictIpAddress.TryParse(text, out _));
}
