using Swarm.Actors.TrackerClient;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Actors.Tests.TrackerClient;

/// <summary>A tracker's body read within its cap: whole when it fits, an error after at most the cap (plus one read)
/// when it does not, whatever the length the tracker claims.</summary>
public sealed class BoundedBodyTests
{
    private const int Max = 64 * 1024;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Max - 1)]
    [InlineData(Max)]
    public async Task A_body_within_the_cap_is_read_whole(int length)
    {
        var bytes = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        Assert.Equal(bytes, await BoundedBody.ReadAsync(new MemoryStream(bytes), null, Max, CancellationToken.None));
        Assert.Equal(bytes, await BoundedBody.ReadAsync(new MemoryStream(bytes), length, Max, CancellationToken.None));
    }

    [Fact]
    public async Task An_endless_body_fails_after_the_cap()
    {
        var endless = new EndlessStream();
        var e = await Assert.ThrowsAsync<TrackerException>(() => BoundedBody.ReadAsync(endless, null, Max, CancellationToken.None));
        Assert.Contains("too large", e.Message, StringComparison.Ordinal);
        Assert.InRange(endless.Served, Max + 1, Max + (64 * 1024));
    }

    [Fact]
    public async Task A_declared_length_over_the_cap_fails_before_reading()
    {
        var endless = new EndlessStream();
        var e = await Assert.ThrowsAsync<TrackerException>(() => BoundedBody.ReadAsync(endless, 1L << 30, Max, CancellationToken.None));
        Assert.Contains("1073741824 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, endless.Served);
    }

    [Fact]
    public async Task A_body_longer_than_it_declared_still_meets_the_cap()
    {
        var endless = new EndlessStream();
        await Assert.ThrowsAsync<TrackerException>(() => BoundedBody.ReadAsync(endless, 10, Max, CancellationToken.None));
        Assert.InRange(endless.Served, Max + 1, Max + (64 * 1024));
    }

    /// <summary>Zeros forever, counting what was read.</summary>
    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
