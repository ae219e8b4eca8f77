using System.Diagnostics;
using Spectre.Console;
using Swarm.Actors.Torrent;
using Swarm.Protocol;
using Swarm.Protocol.Metainfo;

namespace Swarm.Node.Cli;

/// <summary>Download progress on stderr: a live Spectre.Console bar on a terminal, one plain line per second otherwise.</summary>
internal abstract class ProgressReporter : IDisposable
{
    public static ProgressReporter Create(TorrentMetainfo meta) =>
        Console.IsErrorRedirected ? new PlainProgress() : new BarProgress(meta);

    public abstract void Report(TorrentStatus status);

    public virtual void Finish()
    {
    }

    public virtual void Dispose()
    {
    }

    protected static string Line(TorrentStatus s) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{s.Progress * 100:0.0}% {s.VerifiedPieces}/{s.PieceCount} pieces, down {Format.Rate(s.DownloadRate)}, up {Format.Rate(s.UploadRate)}, {s.Peers.Count} peers, {s.State.ToString().ToLowerInvariant()}, {s.Downloaded} bytes received{(s.JournalError is { } j ? $", journal failing: {j}" : string.Empty)}{(s.TrackerError is { } t ? $", trackers failing: {t}" : string.Empty)}");

    private sealed class PlainProgress : ProgressReporter
    {
        private readonly Stopwatch _since = Stopwatch.StartNew();
        private int _lastPieces = -1;
        private TorrentStatus? _latest;

        /// <summary>The final state, so scripts see the totals of the run.</summary>
        public override void Finish()
        {
            if (_latest is { } s)
            {
                Console.Error.WriteLine(Line(s));
                _latest = null;
            }
        }

        public override void Report(TorrentStatus status)
        {
            _latest = status;
            if (_since.Elapsed >= TimeSpan.FromSeconds(1) || (_lastPieces < 0 && status.State != TorrentState.Checking))
            {
                _since.Restart();
                _lastPieces = status.VerifiedPieces;
                Console.Error.WriteLine(Line(status));
            }
        }
    }

    private sealed class BarProgress : ProgressReporter
    {
        private readonly TorrentMetainfo _meta;
        private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        private readonly TaskCompletionSource _done = new();
        private readonly Task _render;
        private TorrentStatus? _latest;

        public BarProgress(TorrentMetainfo meta)
        {
            _meta = meta;
            _render = _console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(Printable.ForTerminal(_meta.Name)), maxValue: _meta.TotalLength);
                    while (!_done.Task.IsCompleted)
                    {
                        if (_latest is { } s)
                        {
                            task.Value = Math.Min(_meta.TotalLength, (double)s.VerifiedPieces * _meta.PieceLength);
                            task.Description = Markup.Escape($"{Printable.ForTerminal(_meta.Name)} ({s.Peers.Count} peers)");
                        }

                        await Task.WhenAny(_done.Task, Task.Delay(200));
                    }

                    task.Value = _latest?.VerifiedPieces == _meta.PieceCount ? _meta.TotalLength : task.Value;
                    task.StopTask();
                });
        }

        public override void Report(TorrentStatus status) => _latest = status;

        public override void Finish()
        {
            _done.TrySetResult();
            _render.GetAwaiter().GetResult();
        }

        public override void Dispose() => Finish();
    }
}
