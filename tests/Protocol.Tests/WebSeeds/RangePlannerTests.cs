using Swarm.Protocol.Metainfo;
using Swarm.Protocol.WebSeeds;
using Xunit;

namespace Swarm.Protocol.Tests.WebSeeds;

/// <summary>Pieces and blocks to HTTP ranges across file boundaries, BEP 47 padding left out; and the answers judged.</summary>
public sealed class RangePlannerTests
{
    /// <summary>Files a (10), pad (6), b (0, empty), c (20), d (4): 40 bytes.</summary>
    private static readonly TorrentFile[] Files =
    [
        new(["a"], 10, 0, false),
        new([".pad", "6"], 6, 10, true),
        new(["b"], 0, 16, false),
        new(["c"], 20, 16, false),
        new(["d"], 4, 36, false),
    ];

    [Fact]
    public void ARunAcrossFilesIsOneRangePerFileSkippingNothingButMarkingPadding()
    {
        var parts = RangePlanner.Plan(Files, new ContentRun(4, 34));
        Assert.Equal(
            [
                new FileRange(0, 4, 6, 0, false),
                new FileRange(1, 0, 6, 6, true),
                new FileRange(3, 0, 20, 12, false),
                new FileRange(4, 0, 2, 32, false),
            ],
            parts);
        Assert.Equal(34, parts.Sum(p => p.Length));
        Assert.Equal("bytes=4-9", parts[0].RangeHeader);
        Assert.Equal("bytes=0-1", parts[3].RangeHeader);
    }

    [Fact]
    public void ARunInsideOneFileIsOneRange()
    {
        Assert.Equal([new FileRange(3, 2, 5, 0, false)], RangePlanner.Plan(Files, new ContentRun(18, 5)));
        Assert.Equal([new FileRange(4, 0, 4, 0, false)], RangePlanner.Plan(Files, new ContentRun(36, 4)));
    }

    [Fact]
    public void ARunOutsideTheContentIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RangePlanner.Plan(Files, new ContentRun(38, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RangePlanner.Plan(Files, new ContentRun(-1, 3)));
    }

    [Fact]
    public void ContiguousBlocksMergeUpToTheMaximumRun()
    {
        var runs = RangePlanner.Runs([(32, 16), (0, 16), (16, 16), (64, 16), (80, 16), (96, 16)], maxRunLength: 32);
        Assert.Equal([new ContentRun(0, 32), new ContentRun(32, 16), new ContentRun(64, 32), new ContentRun(96, 16)], runs);
    }

    [Fact]
    public void APieceIsItsRunAndTheLastPieceIsShort()
    {
        var meta = new TorrentMetainfo(new InfoHash(new byte[20]), "n", 16, new byte[60], Files, true, [], false, null, null, null, []);
        Assert.Equal(new ContentRun(32, 8), RangePlanner.Piece(meta, 2));
        Assert.Equal(new ContentRun(16, 16), RangePlanner.Piece(meta, 1));
    }

    [Fact]
    public void TheAnswerMustBeExactlyTheRangeAsked()
    {
        var asked = new FileRange(0, 100, 50, 0, false);
        Assert.Equal(WebSeedVerdict.Body, WebSeedResponse.Judge(206, "bytes 100-149/1000", 50, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Body, WebSeedResponse.Judge(206, "bytes 100-149/*", null, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Unusable, WebSeedResponse.Judge(206, "bytes 100-149/1000", 49, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Unusable, WebSeedResponse.Judge(206, "bytes 101-150/1000", 50, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Unusable, WebSeedResponse.Judge(206, "bytes 100-149/999", 50, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Unusable, WebSeedResponse.Judge(206, null, 50, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Unusable, WebSeedResponse.Judge(200, null, 1000, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Missing, WebSeedResponse.Judge(404, null, null, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Missing, WebSeedResponse.Judge(410, null, null, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Redirect, WebSeedResponse.Judge(302, null, null, asked, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Unusable, WebSeedResponse.Judge(503, null, null, asked, 1000).Verdict);

        // A whole small file asked for: a server ignoring Range answers exactly it.
        var whole = new FileRange(0, 0, 1000, 0, false);
        Assert.Equal(WebSeedVerdict.Body, WebSeedResponse.Judge(200, null, 1000, whole, 1000).Verdict);
        Assert.Equal(WebSeedVerdict.Unusable, WebSeedResponse.Judge(200, null, 1001, whole, 1000).Verdict);
    }

    [Fact]
    public void RedirectsStayInTheirSchemeAndNeverLoop()
    {
        var start = new Uri("http://a.example/x");
        Assert.Equal(new Uri("http://b.example/y"), WebSeedResponse.Redirect(start, "http://b.example/y", [start], 3).Target);
        Assert.Equal(new Uri("http://a.example/z"), WebSeedResponse.Redirect(start, "/z", [start], 3).Target);
        Assert.Contains("another scheme", WebSeedResponse.Redirect(start, "https://a.example/x", [start], 3).Refusal, StringComparison.Ordinal);
        Assert.Contains("another scheme", WebSeedResponse.Redirect(start, "ftp://a.example/x", [start], 3).Refusal, StringComparison.Ordinal);
        Assert.Contains("loop", WebSeedResponse.Redirect(new Uri("http://a.example/y"), "/x", [start, new Uri("http://a.example/y")], 3).Refusal, StringComparison.Ordinal);
        Uri[] four = [start, new("http://a.example/1"), new("http://a.example/2"), new("http://a.example/3")];
        Assert.Contains("more than 3", WebSeedResponse.Redirect(four[^1], "/4", four, 3).Refusal, StringComparison.Ordinal);
        Assert.NotNull(WebSeedResponse.Redirect(four[^2], "/3b", four[..3], 3).Target);
    }

    [Fact]
    public void BackoffDoublesUpToItsMaximumAndClearsOnSuccess()
    {
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        var b = new WebSeedBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));
        Assert.False(b.IsWaiting(t0));
        b = b.Failed(t0);
        Assert.Equal(t0.AddSeconds(5), b.RetryAt);
        Assert.True(b.IsWaiting(t0.AddSeconds(4.9)));
        Assert.False(b.IsWaiting(t0.AddSeconds(5)));
        Assert.Equal(t0.AddSeconds(10), b.Failed(t0).RetryAt);
        Assert.Equal(t0.AddSeconds(60), b.Failed(t0).Failed(t0).Failed(t0).Failed(t0).Failed(t0).RetryAt);
        Assert.Null(b.Succeeded().RetryAt);
        Assert.Equal(t0.AddSeconds(5), b.Failed(t0).Succeeded().Failed(t0).RetryAt);
    }
}
