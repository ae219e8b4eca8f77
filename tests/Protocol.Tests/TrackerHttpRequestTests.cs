using System.Text;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>The tracker's own HTTP request heads: what clients send is read, incomplete heads wait, and anything past
/// the limits or malformed is refused with its status.</summary>
public sealed class TrackerHttpRequestTests
{
    private static TrackerHttpRequest? Parse(string head) => TrackerHttpRequestParser.TryParse(Encoding.ASCII.GetBytes(head));

    private static int Refused(string head) => Assert.Throws<TrackerHttpException>(() => Parse(head)).Status;

    [Fact]
    public void A_client_announce_is_read_with_its_path_query_and_where_the_next_request_starts()
    {
        const string head = "GET /announce?info_hash=%01%02&port=6881 HTTP/1.1\r\nHost: t.example:6969\r\nUser-Agent: x\r\n\r\n";
        var request = Parse(head + "GET /next")!;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/announce", request.Path);
        Assert.Equal("?info_hash=%01%02&port=6881", request.Query);
        Assert.True(request.KeepAlive);
        Assert.Equal(head.Length, request.HeadLength);
    }

    [Theory]
    [InlineData("GET /scrape HTTP/1.1\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET /scrape HTTP/1.1\r\nconnection: Keep-Alive, Upgrade\r\n\r\n", true)]
    [InlineData("GET /scrape HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET /scrape HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    [InlineData("GET /scrape HTTP/1.1\nHost: a\n\n", true)]
    public void Keep_alive_follows_the_version_and_the_connection_header(string head, bool keepAlive)
    {
        var request = Parse(head)!;
        Assert.Equal(keepAlive, request.KeepAlive);
        Assert.Equal("/scrape", request.Path);
        Assert.Equal(string.Empty, request.Query);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET /announce?x=1 HTTP/1.1")]
    [InlineData("GET /announce HTTP/1.1\r\nHost: a\r\n")]
    public void An_unfinished_head_waits_for_more(string head) => Assert.Null(Parse(head));

    [Fact]
    public void A_head_past_the_limit_is_refused_with_414_or_431()
    {
        Assert.Equal(414, Refused("GET /announce?" + new string('a', TrackerHttpRequestParser.MaxHeadLength)));
        var headers = "GET /announce HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Pad: " + new string('b', 100) + "\r\n", 100));
        Assert.True(headers.Length > TrackerHttpRequestParser.MaxHeadLength);
        Assert.Equal(431, Refused(headers));
        Assert.Equal(431, Refused(headers + "\r\n"));
    }

    [Fact]
    public void Too_many_header_lines_are_refused_with_431()
    {
        var head = "GET /announce HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("A: b\r\n", TrackerHttpRequestParser.MaxHeaders + 1)) + "\r\n";
        Assert.Equal(431, Refused(head));
        Assert.NotNull(Parse("GET /announce HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("A: b\r\n", TrackerHttpRequestParser.MaxHeaders)) + "\r\n"));
    }

    [Theory]
    [InlineData("GET /announce HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 413)]
    [InlineData("GET /announce HTTP/1.1\r\nContent-Length: x\r\n\r\n", 413)]
    [InlineData("GET /announce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501)]
    [InlineData("GET /announce HTTP/2.0\r\n\r\n", 505)]
    [InlineData("GET /announce\r\n\r\n", 400)]
    [InlineData("GET  HTTP/1.1\r\n\r\n", 400)]
    [InlineData("get /announce HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET http://t.example/announce HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /announce?a=\u00e9 HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /announce HTTP/1.1\r\nNo colon here\r\n\r\n", 400)]
    [InlineData("GET /announce HTTP/1.1\r\n folded: x\r\n\r\n", 400)]
    [InlineData("GET /announce HTTP/1.1\r\nBad Name: x\r\n\r\n", 400)]
    public void Malformed_heads_and_bodies_are_refused_with_their_status(string head, int status) =>
        Assert.Equal(status, Assert.Throws<TrackerHttpException>(() => TrackerHttpRequestParser.TryParse(Encoding.Latin1.GetBytes(head))).Status);

    [Fact]
    public void A_zero_content_length_is_no_body()
    {
        Assert.NotNull(Parse("GET /announce HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
    }
}
