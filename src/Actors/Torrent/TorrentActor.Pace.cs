using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Pieces;
using static Swarm.Actors.Torrent.TorrentMessages;
using static Swarm.Actors.TrackerClient.TrackerClientMessages;

namespace Swarm.Actors.Torrent;

// The pace of a networking torrent: its periodic timers run only while it has work for them (TorrentPace), and its
// tracker client hears of its progress only when the figures change.
public sealed partial class TorrentActor
{
    private const string TickTimer = "tick";
    private const string RechokeTimer = "rechoke";
    private const string OptimisticTimer = "optimistic";
    private const string PexTimer = "pex";

    /// <summary>What the tracker client was last told (null: nothing yet, or a new client).</summary>
    private TransferProgress? _sentProgress;

    /// <summary>The periodic timers run (see <see cref="Pace"/>).</summary>
    private bool _awake;

    /// <summary>Tells the tracker client our progress when it changed since it last heard it: an idle torrent sends
    /// nothing, and a client that restarted asks for it (<see cref="TransferProgressWanted"/>).</summary>
    private void SendTrackerProgress()
    {
        if (!_tracker.IsNobody() && Progress() is var progress && progress != _sentProgress)
        {
            _sentProgress = progress;
            _tracker.Tell(progress);
        }
    }

    private TransferProgress Progress()
    {
        var (down, up) = Totals();
        return new TransferProgress(up, down, Left());
    }

    /// <summary>Bytes still missing. Every piece is a full piece but the last (<see cref="Swarm.Protocol.Metainfo.TorrentMetainfo.PieceSize"/>),
    /// so this is the have-count's bytes, not a sum over the pieces: it is asked after every change of that count, and a
    /// torrent of 262,144 pieces walked them all each time (issue 14).</summary>
    private long Left()
    {
        if (_picker is null)
        {
            return _meta.TotalLength;
        }

        var last = _meta.PieceCount - 1;
        var have = ((long)_picker.Have.Count * _meta.PieceLength) - (last >= 0 && _picker.Have[last] ? _meta.PieceLength - _meta.PieceSize(last) : 0);
        return _meta.TotalLength - have;
    }

    /// <summary>Runs the periodic timers while the torrent has work for them, else stops them and sleeps until its
    /// next candidate's backoff ends (see <see cref="TorrentPace"/>). Called after everything that changes the
    /// connections or candidates while networking.</summary>
    private void Pace(bool seeding)
    {
        var pace = TorrentPace.Decide(_peers.Count, _webSeeds.Downloaded.Any(), () => _candidates.NextDial(Now, seeding), Now);
        if (pace.Awake)
        {
            Wake();
            return;
        }

        if (_awake)
        {
            _log.Debug("{0}: idle, timers stopped", Tag);
        }

        SendTrackerProgress(); // the last figures before the tick stops: the tracker client announces them meanwhile
        Sleep();
        if (pace.WakeIn is { } wakeIn)
        {
            Timers.StartSingleTimer(TickTimer, ProgressAndDialTick.Instance, wakeIn);
        }
    }

    private void Wake()
    {
        if (_awake)
        {
            return; // started already: restarting would push the next tick away with every event
        }

        _awake = true;
        Timers.StartPeriodicTimer(TickTimer, ProgressAndDialTick.Instance, _node.Settings.StatsInterval);
        Timers.StartPeriodicTimer(RechokeTimer, new Rechoke(false), _node.Settings.Choker.RechokeInterval);
        Timers.StartPeriodicTimer(OptimisticTimer, new Rechoke(true), _node.Settings.Choker.OptimisticInterval);
        if (PexShared)
        {
            Timers.StartPeriodicTimer(PexTimer, PexTick.Instance, _node.Settings.Pex.CheckInterval); // issue 15
        }
    }

    private void Sleep()
    {
        _awake = false;
        Timers.Cancel(TickTimer);
        Timers.Cancel(RechokeTimer);
        Timers.Cancel(OptimisticTimer);
        Timers.Cancel(PexTimer);
    }
}
