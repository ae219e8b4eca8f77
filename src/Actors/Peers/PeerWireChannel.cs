using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Akka.Actor;
using Swarm.Actors.Storage;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Peers;

/// <summary>The socket side of one peer connection: a Pipelines read loop that frames messages with
/// <see cref="PeerMessageReader"/> and hands them to the connection actor in batches (pausing when the actor
/// falls behind), and a write loop fed by a channel. Uploads are read from disk straight into the socket
/// buffer on the write loop, so block data never travels through a mailbox. Everything queued for the write loop is
/// charged to the node's <see cref="SendBudget"/>: a peer that stops reading cannot make the queue grow past its bound
/// (the owner hears <see cref="SendQueueFull"/> once and disconnects it), and what it left queued is given back when
/// the channel is disposed.</summary>
internal sealed partial class PeerWireChannel : IAsyncDisposable
{
    /// <summary>Bytes the read loop asks the socket for at once (pooled, shared by all connections): 64 KiB woke the
    /// loop every four blocks at full speed; 256 KiB takes a whole piece's worth per wake-up.</summary>
    private const int ReadSegmentSize = 256 * 1024;

    /// <summary>Free space below which the reader starts a new segment rather than read a sliver.</summary>
    private const int MinimumReadSize = 32 * 1024;

    /// <summary>Unflushed bytes at which the write loop hands what it wrote to the socket: one syscall per ~256 KiB
    /// instead of one per message.</summary>
    private const int FlushBytes = 256 * 1024;

    private readonly PeerLink _link;
    private readonly Stream _stream;
    private readonly IActorRef _owner;
    private readonly TorrentStorage _storage;
    private readonly long _pieceLength;
    private readonly Channel<object> _outbound = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _batchesInFlight;
    private readonly IReadOnlyList<RateLimit> _downloadLimits;
    private readonly IReadOnlyList<RateLimit> _uploadLimits;
    private readonly CancellationTokenSource _cts = new();
    private readonly SendBudget _budget;
    private readonly Lock _queueGate = new();
    private long _queuedBytes; // under _queueGate
    private bool _queueClosed; // under _queueGate: full or disposed, nothing more is queued or charged
    private long _uploaded;
    private long _downloaded;
    private Task? _readLoop;
    private Task? _writeLoop;

    public PeerWireChannel(PeerLink link, IActorRef owner, TorrentStorage storage, int batchesInFlight, IReadOnlyList<RateLimit> downloadLimits, IReadOnlyList<RateLimit> uploadLimits, SendBudget budget)
    {
        _budget = budget;
        _downloadLimits = downloadLimits;
        _uploadLimits = uploadLimits;
        _link = link;
        _stream = link.Stream;
        _owner = owner;
        _storage = storage;
        _pieceLength = storage.Metainfo.PieceLength;
        _batchesInFlight = new SemaphoreSlim(batchesInFlight, batchesInFlight);
    }

    /// <summary>Payload bytes of piece messages sent so far (read by the actor for rates).</summary>
    public long Uploaded => Interlocked.Read(ref _uploaded);

    public long Downloaded => Interlocked.Read(ref _downloaded);

    /// <summary>Bytes queued for the write loop now (charged to the node's budget).</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_queueGate)
            {
                return _queuedBytes;
            }
        }
    }

    public void Start(PeerWireLimits limits, int batchSize)
    {
        _readLoop = Task.Run(() => ReadLoop(limits, batchSize));
        _writeLoop = Task.Run(WriteLoop);
    }

    /// <summary>Called by the actor once it has handled a batch, letting the reader deliver another.</summary>
    public void BatchHandled() => _batchesInFlight.Release();

    /// <summary>Queues a message; false when the queue is full (or closed) and it was dropped.</summary>
    public bool Send(PeerMessage message) => Enqueue(message, SendBudget.CostOf(message));

    public async ValueTask DisposeAsync()
    {
        _outbound.Writer.TryComplete();
        await _cts.CancelAsync();
        _link.Shutdown();
        _link.Dispose();
        if (_writeLoop is not null)
        {
            // The loop ends on the cancellation; only then is the channel ours to empty.
            await _writeLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        CloseQueue();
        while (_outbound.Reader.TryRead(out _))
        {
        }

        _cts.Dispose();
    }

    private bool Enqueue(object item, int cost)
    {
        long queued;
        lock (_queueGate)
        {
            if (_queueClosed)
            {
                return false;
            }

            if (_budget.TryTake(_queuedBytes, cost))
            {
                _queuedBytes += cost;
                _outbound.Writer.TryWrite(item);
                return true;
            }

            queued = _queuedBytes;
        }

        // Full: the peer is not reading what we owe it. Nothing more is queued; the owner disconnects it, and the
        // disposal gives the queued bytes back to the node.
        CloseQueue();
        _owner.Tell(new SendQueueFull(queued));
        return false;
    }

    private void Dequeued(int cost)
    {
        lock (_queueGate)
        {
            if (!_queueClosed)
            {
                _queuedBytes -= cost;
                _budget.Return(cost);
            }
        }
    }

    /// <summary>Stops queueing and gives everything still queued back to the node's budget, once.</summary>
    private void CloseQueue()
    {
        lock (_queueGate)
        {
            if (_queueClosed)
            {
                return;
            }

            _queueClosed = true;
            _budget.Return(_queuedBytes);
            _queuedBytes = 0;
        }
    }

    private static int CostOf(object item) => item switch
    {
        PeerMessage m => SendBudget.CostOf(m),
        byte[] raw => SendBudget.ItemOverhead + raw.Length,
        UploadBatch b => SendBudget.ItemOverhead * b.Blocks.Count,
        _ => SendBudget.ItemOverhead,
    };

    private async Task ReadLoop(PeerWireLimits limits, int batchSize)
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadSegmentSize, minimumReadSize: MinimumReadSize));
        Exception? error = null;
        try
        {
            while (!_cts.IsCancellationRequested)
            {
                var result = await reader.ReadAsync(_cts.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var batch = new List<PeerMessage>();
                var wait = TimeSpan.Zero;
                while (PeerMessageReader.TryRead(ref buffer, limits, out var message))
                {
                    if (message is null)
                    {
                        continue;
                    }

                    if (message is PieceBlock block)
                    {
                        Interlocked.Add(ref _downloaded, block.Data.Length);
                        var w = TransferLimits.Reserve(_downloadLimits, block.Data.Length);
                        wait = w > wait ? w : wait;
                    }

                    batch.Add(message);
                    if (batch.Count >= batchSize)
                    {
                        await Deliver(batch).ConfigureAwait(false);
                        batch = [];
                    }
                }

                if (batch.Count > 0)
                {
                    await Deliver(batch).ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }

                if (wait > TimeSpan.Zero)
                {
                    // Not reading lets the socket buffers fill, and TCP slows the peer down to our limit.
                    await Task.Delay(wait, _cts.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        if (!_cts.IsCancellationRequested)
        {
            _owner.Tell(new ReaderStopped(error));
        }
    }

    private async Task Deliver(List<PeerMessage> batch)
    {
        await _batchesInFlight.WaitAsync(_cts.Token).ConfigureAwait(false);
        _owner.Tell(new MessagesArrived(batch));
    }

    private async Task WriteLoop()
    {
        var writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        Exception? error = null;
        try
        {
            var channel = _outbound.Reader;
            while (await channel.WaitToReadAsync(_cts.Token).ConfigureAwait(false))
            {
                while (channel.TryRead(out var item))
                {
                    Dequeued(CostOf(item));
                    switch (item)
                    {
                        case PeerMessage m:
                            PeerMessageWriter.Write(writer, m);
                            break;
                        case byte[] raw:
                            writer.Write(raw);
                            break;
                        case UploadBatch b:
                            await ServeUploads(writer, channel, b).ConfigureAwait(false);
                            break;
                    }

                    if (writer.UnflushedBytes >= FlushBytes)
                    {
                        await writer.FlushAsync(_cts.Token).ConfigureAwait(false);
                    }
                }

                var flushed = await writer.FlushAsync(_cts.Token).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            error = e;
        }

        if (!_cts.IsCancellationRequested)
        {
            _owner.Tell(new WriterStopped(error));
        }
    }

    /// <summary>Writes raw bytes (the handshake) ahead of any framed message.</summary>
    public bool SendRaw(byte[] bytes) => Enqueue(bytes, SendBudget.ItemOverhead + bytes.Length);
}
