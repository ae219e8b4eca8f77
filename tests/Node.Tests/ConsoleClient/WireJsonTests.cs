using System.Text;
using System.Text.Json;
using Swarm.Node.ConsoleClient;
using Xunit;

namespace Swarm.Node.Tests.ConsoleClient;

/// <summary>The local console wire's own JSON (issue 14) against System.Text.Json, which wrote the wire before it and
/// still writes the node's replies: each reads what the other writes, and the reader refuses what is not JSON.</summary>
public sealed class WireJsonTests
{
    private static readonly string[] Strings =
    [
        string.Empty, "plain", "quote \" backslash \\ slash /", "controls \b\f\n\r\t \u0001 \u001f", "del \u007f",
        "non-ASCII ünïcödé ẞ 漢字", "a pair 😀 and <html> & 'apostrophe' +plus `tick`", "\u2028\u2029",
    ];

    [Fact]
    public void Strings_system_text_json_escapes_read_back_as_they_were()
    {
        foreach (var text in Strings)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["s"] = text });
            Assert.True(WireJson.Parse(json).TryGetProperty("s", out var value));
            Assert.Equal(text, value.GetString());
        }
    }

    [Fact]
    public void What_the_writer_writes_system_text_json_reads_as_it_was_meant()
    {
        var w = new WireJsonWriter();
        w.WriteStartObject();
        foreach (var (text, i) in Strings.Select((t, i) => (t, i)))
        {
            w.WriteString($"s{i}", text);
        }

        w.WriteNullableString("none", null);
        w.WriteBase64String("bytes", [0, 1, 254, 255]);
        w.WriteBoolean("yes", true);
        w.WriteNumber("big", long.MinValue);
        w.WriteNullableNumber("some", 7);
        w.WriteStrings("words", ["a", "b\"c"]);
        w.WriteStartObject("inner");
        w.WriteEndObject();
        w.WriteEndObject();

        using var document = JsonDocument.Parse(w.ToUtf8());
        var root = document.RootElement;
        foreach (var (text, i) in Strings.Select((t, i) => (t, i)))
        {
            Assert.Equal(text, root.GetProperty($"s{i}").GetString());
        }

        Assert.Equal(JsonValueKind.Null, root.GetProperty("none").ValueKind);
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, root.GetProperty("bytes").GetBytesFromBase64());
        Assert.True(root.GetProperty("yes").GetBoolean());
        Assert.Equal(long.MinValue, root.GetProperty("big").GetInt64());
        Assert.Equal(7, root.GetProperty("some").GetInt64());
        Assert.Equal(["a", "b\"c"], root.GetProperty("words").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Object, root.GetProperty("inner").ValueKind);
    }

    [Fact]
    public void Numbers_literals_and_nesting_read_as_json_says()
    {
        var root = WireJson.Parse(" { \"i\" : -12 , \"d\":1.5e-3,\"z\":0,\"t\":true,\"f\":false,\"n\":null,\"a\":[[],{},[1,\"x\"]] } \r\n"u8);
        Assert.True(root.TryGetProperty("i", out var i) && i.TryGetInt32(out var integer) && integer == -12);
        Assert.True(root.TryGetProperty("d", out var d));
        Assert.Equal(0.0015, d.GetDouble());
        Assert.False(d.TryGetInt64(out _));
        Assert.True(root.TryGetProperty("z", out var z) && z.TryGetInt64(out var zero) && zero == 0);
        Assert.True(root.TryGetProperty("t", out var t) && t.Kind == WireJsonKind.True);
        Assert.True(root.TryGetProperty("f", out var f) && f.Kind == WireJsonKind.False);
        Assert.True(root.TryGetProperty("n", out var n) && n.Kind == WireJsonKind.Null);
        Assert.True(root.TryGetProperty("a", out var a));
        Assert.Equal([WireJsonKind.Array, WireJsonKind.Object, WireJsonKind.Array], a.EnumerateArray().Select(e => e.Kind));
        Assert.False(root.TryGetProperty("missing", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1,]")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{a:1}")]
    [InlineData("{\"a\":01}")]
    [InlineData("{\"a\":1.}")]
    [InlineData("{\"a\":.5}")]
    [InlineData("{\"a\":1e}")]
    [InlineData("{\"a\":+1}")]
    [InlineData("{\"a\":tru}")]
    [InlineData("{\"a\":\"unterminated}")]
    [InlineData("{\"a\":\"bad \\x escape\"}")]
    [InlineData("{\"a\":\"short \\u12\"}")]
    [InlineData("{\"a\":\"raw \u0001 control\"}")]
    [InlineData("{} {}")]
    [InlineData("{'a':1}")]
    [InlineData("{\"a\":NaN}")]
    [InlineData("// comment\n{}")]
    public void Anything_system_text_json_refuses_is_refused(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(bytes).Dispose());
        Assert.Throws<FormatException>(() => WireJson.Parse(bytes));
    }

    [Fact]
    public void Nesting_deeper_than_system_text_json_reads_and_bytes_that_are_not_utf8_are_refused()
    {
        var deepest = new string('[', WireJson.MaximumDepth) + new string(']', WireJson.MaximumDepth);
        Assert.Equal(WireJsonKind.Array, WireJson.Parse(Encoding.UTF8.GetBytes(deepest)).Kind);
        var deeper = "[" + deepest + "]";
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(deeper).Dispose());
        Assert.Throws<FormatException>(() => WireJson.Parse(Encoding.UTF8.GetBytes(deeper)));
        Assert.Throws<FormatException>(() => WireJson.Parse([(byte)'"', 0xff, (byte)'"']));
    }
}
