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

    private (PiecePicker? Picker, int Have, long Bytes) _left;

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

    /// <summary>Bytes still missing; summed over the pieces only when the set of pieces we have changed.</summary>
    private long Left()
    {
        if (_picker is null)
        {
            return _meta.TotalLength;
        }

        if (_left.Picker != _picker || _left.Have != _picker.Have.Count)
        {
            var have = _picker.Have.IsComplete ? _meta.TotalLength : _picker.Have.Indices().Sum(i => (long)_meta.PieceSize(i));
            _left = (_picker, _picker.Have.Count, _meta.TotalLength - have);
        }

        return _left.Bytes;
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
