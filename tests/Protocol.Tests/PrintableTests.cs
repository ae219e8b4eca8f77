using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>Names that libtorrent's sanitizing keeps may still hold DEL and C1 controls (U+009B is CSI, an 8-bit ESC [),
/// and comments or tracker URLs anything: none may reach a terminal raw.</summary>
public sealed class PrintableTests
{
    [Theory]
    [InlineData("plain name.mkv", "plain name.mkv")]
    [InlineData("caf\u00e9 \u65e5\u672c", "caf\u00e9 \u65e5\u672c")]
    [InlineData("a\u001b[2Jb", "a\\u001b[2Jb")]
    [InlineData("a\u009b31mb", "a\\u009b31mb")]
    [InlineData("del\u007f", "del\\u007f")]
    [InlineData("line\nbreak\r\t\0", "line\\nbreak\\r\\t\\0")]
    [InlineData("evil\u202etxt.exe", "evil\\u202etxt.exe")]
    [InlineData("iso\u2066late\u2069", "iso\\u2066late\\u2069")]
    [InlineData("sep\u2028arator", "sep\\u2028arator")]
    public void ForTerminalEscapesControlsAndDirectionOverrides(string text, string expected) =>
        Assert.Equal(expected, Printable.ForTerminal(text));

    [Fact]
    public void ForTerminalKeepsLongNamesWhole()
    {
        var name = new string('x', 1000);
        Assert.Same(name, Printable.ForTerminal(name));
    }

    [Fact]
    public void EscapeCutsForOneLineMessages()
    {
        var escaped = Printable.Escape(new string('x', 500) + "\u001b");
        Assert.Equal(Printable.MaxLength + 1, escaped.Length);
        Assert.EndsWith("…", escaped, StringComparison.Ordinal);
        Assert.Equal("a\\u009bb", Printable.Escape("a\u009bb"));
    }
}
