using System.Net;
using Swarm.Actors.TrackerClient;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Actors.Tests.TrackerClient;

/// <summary>Redirects followed: a bounded number, only to http(s), relative targets against the current URL.</summary>
public sealed class TrackerRedirectsTests
{
    private static readonly Uri Current = new("http://t.example:8080/announce?info_hash=x");

    [Fact]
    public void Relative_and_absolute_http_targets_are_followed()
    {
        Assert.Equal(new Uri("http://t.example:8080/other?a=1"), TrackerRedirects.Next(Current, new Uri("/other?a=1", UriKind.Relative), 0, 5));
        Assert.Equal(new Uri("https://u.example/announce"), TrackerRedirects.Next(Current, new Uri("https://u.example/announce"), 4, 5));
    }

    [Fact]
    public void More_than_the_limit_is_an_error()
    {
        var e = Assert.Throws<TrackerException>(() => TrackerRedirects.Next(Current, new Uri("http://u.example/"), 5, 5));
        Assert.Contains("more than 5", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://t.example/x")]
    [InlineData("gopher://t.example/")]
    public void Other_schemes_are_errors(string target)
    {
        var e = Assert.Throws<TrackerException>(() => TrackerRedirects.Next(Current, new Uri(target), 0, 5));
        Assert.Contains("only http and https", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_redirect_without_a_location_is_an_error() =>
        Assert.Throws<TrackerException>(() => TrackerRedirects.Next(Current, null, 0, 5));

    [Fact]
    public void Only_redirect_statuses_redirect()
    {
        Assert.True(TrackerRedirects.IsRedirect(HttpStatusCode.Found));
        Assert.True(TrackerRedirects.IsRedirect(HttpStatusCode.PermanentRedirect));
        Assert.False(TrackerRedirects.IsRedirect(HttpStatusCode.NotModified));
        Assert.False(TrackerRedirects.IsRedirect(HttpStatusCode.OK));
    }
}
