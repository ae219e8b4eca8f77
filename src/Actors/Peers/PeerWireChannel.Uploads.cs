using System.IO.Pipelines;
using System.Threading.Channels;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Peers;

// The upload side of the socket: the peer's accepted block requests, queued by the connection actor in one batch per
// inbound batch, and served by the write loop straight from disk into the socket buffer, consecutive blocks with one
// read. Block data never travels through a mailbox.
internal sealed partial class PeerWireChannel
{
    /// <summary>The most bytes of consecutive requested blocks read from disk at once: a 256 KiB piece's sixteen
    /// blocks, or 256 pieces of 1 KiB, in one read; about what the write loop sends per flush.</summary>
    private const int MaxReadRun = 256 * 1024;

    private readonly UploadRequests _requests = new();
    private readonly List<UploadBlock> _run = []; // the write loop's: uploads read from disk together
    private List<UploadBlock>? _opening; // the actor's: requests accepted in the batch it is handling
    private UploadBatch? _serving; // the write loop's: the batch it takes requests from, and where it is in it
    private int _servingAt;

    /// <summary>Requests accepted and not yet served (the actor judges the peer's <c>reqq</c> bound by it).</summary>
    public int PendingUploads => _requests.Count;

    /// <summary>Bytes of the requests accepted and not yet served.</summary>
    public long PendingUploadBytes => _requests.Bytes;

    /// <summary>Accepts a request: it counts as pending at once, and goes to the write loop with the others of the
    /// batch at <see cref="FlushUploads"/>. False when the same block is already pending.</summary>
    public bool QueueUpload(int piece, int begin, int length)
    {
        var block = new UploadBlock(piece, begin, length);
        if (!_requests.TryAdd(block))
        {
            return false;
        }

        (_opening ??= []).Add(block);
        return true;
    }

    /// <summary>Hands the requests accepted since the last call to the write loop as one queue item. Issue 14 (small
    /// pieces): per 4 KiB request, a channel write, a lock and a budget charge were a seeder's cost; now per batch.
    /// If the send queue is full, the peer is being disconnected (<see cref="SendQueueFull"/>) and the requests are
    /// dropped.</summary>
    public void FlushUploads()
    {
        if (_opening is not { Count: > 0 } batch)
        {
            return;
        }

        _opening = null;
        var item = new UploadBatch(batch);
        if (!Enqueue(item, CostOf(item)))
        {
            foreach (var block in batch)
            {
                _requests.TryTake(block);
            }
        }
    }

    /// <summary>The peer cancelled a request: false when it is no longer pending (served, or never asked).</summary>
    public bool CancelUpload(int piece, int begin, int length) => _requests.TryTake(new UploadBlock(piece, begin, length));

    /// <summary>Drops every pending upload (we choked the peer) and returns them, for BEP 6 rejects.</summary>
    public IReadOnlyList<(int Piece, int Begin, int Length)> ClearUploads() =>
        _requests.TakeAll().ConvertAll(b => (b.Piece, b.Begin, b.Length));

    /// <summary>Serves the requests of <paramref name="batch"/> still pending (and of the batches queued right behind
    /// it, which a run may continue into), run by run.</summary>
    private async ValueTask ServeUploads(PipeWriter writer, ChannelReader<object> channel, UploadBatch batch)
    {
        _serving = batch;
        _servingAt = 0;
        int bytes;
        while ((bytes = TakeUploadRun(channel)) > 0)
        {
            var wait = TransferLimits.Reserve(_uploadLimits, bytes);
            if (wait > TimeSpan.Zero)
            {
                await writer.FlushAsync(_cts.Token).ConfigureAwait(false);
                await Task.Delay(wait, _cts.Token).ConfigureAwait(false);
            }

            WriteUploadRun(writer, bytes);
            if (writer.UnflushedBytes >= FlushBytes)
            {
                await writer.FlushAsync(_cts.Token).ConfigureAwait(false);
            }
        }

        _serving = null;
    }

    /// <summary>Issue 14 (uploads): the next pending request and those right behind it that continue it on disk (the
    /// next block of the piece, or the first of the next piece), up to <see cref="MaxReadRun"/> bytes, into
    /// <see cref="_run"/>: they are read with one system call instead of one each (a 1 KiB piece costs little more to
    /// send than its read). Requests cancelled meanwhile are skipped; one inside a run ends it. Returns the run's
    /// bytes, 0 when nothing queued is left.</summary>
    private int TakeUploadRun(ChannelReader<object> channel)
    {
        _run.Clear();
        var bytes = 0;
        var end = 0L;
        while (TryPeekUpload(channel, out var next))
        {
            if (_run.Count > 0 && (Offset(next) != end || bytes + next.Length > MaxReadRun))
            {
                break;
            }

            _servingAt++;
            if (!_requests.TryTake(next))
            {
                if (_run.Count > 0)
                {
                    break;
                }

                continue;
            }

            _run.Add(next);
            bytes += next.Length;
            end = Offset(next) + next.Length;
        }

        return bytes;
    }

    /// <summary>The request at the write loop's place in its batch; past the batch's end, the first of the next queue
    /// item if that is a batch of uploads too (taken off the queue), so a run goes on across batches.</summary>
    private bool TryPeekUpload(ChannelReader<object> channel, out UploadBlock next)
    {
        while (_servingAt >= _serving!.Blocks.Count)
        {
            if (!channel.TryPeek(out var item) || item is not UploadBatch following)
            {
                next = default;
                return false;
            }

            channel.TryRead(out _);
            Dequeued(CostOf(following));
            _serving = following;
            _servingAt = 0;
        }

        next = _serving.Blocks[_servingAt];
        return true;
    }

    /// <summary>Writes the piece messages of <see cref="_run"/>: its bytes are read at once behind where their headers go
    /// in the socket buffer, then each block is moved forward to follow its header (front to back, each move lands
    /// before what is still to move).</summary>
    private void WriteUploadRun(PipeWriter writer, int bytes)
    {
        const int header = PeerMessageWriter.PieceHeaderLength;
        var total = (_run.Count * header) + bytes;
        var span = writer.GetSpan(total);
        var first = _run[0];
        var readAt = _run.Count * header;
        _storage.Read(first.Piece, first.Begin, span.Slice(readAt, bytes));
        var at = 0;
        var from = readAt;
        foreach (var u in _run)
        {
            PeerMessageWriter.WritePieceHeader(span[at..], u.Piece, u.Begin, u.Length);
            at += header;
            if (from != at)
            {
                span.Slice(from, u.Length).CopyTo(span[at..]);
            }

            at += u.Length;
            from += u.Length;
        }

        writer.Advance(total);
        Interlocked.Add(ref _uploaded, bytes);
    }

    private long Offset(UploadBlock u) => ((long)u.Piece * _pieceLength) + u.Begin;

    /// <summary>The requests one inbound batch accepted, in the order asked; never changed once queued.</summary>
    private sealed record UploadBatch(IReadOnlyList<UploadBlock> Blocks);
}
