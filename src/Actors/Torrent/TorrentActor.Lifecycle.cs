using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Persistence;
using Swarm.Actors.Pieces;
using Swarm.Actors.TrackerClient;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.Persistence.TorrentJournalMessages;
using static Swarm.Actors.Storage.StorageMessages;
using static Swarm.Actors.Torrent.TorrentMessages;
using static Swarm.Actors.TrackerClient.TrackerClientMessages;

namespace Swarm.Actors.Torrent;

// The torrent's lifecycle: one behaviour per phase, and status shows the phase.
//   Recovering   reads the journal's history     -> Checking; Failed when the history cannot be read
//   Checking     storage checks the data         -> Downloading, Seeding, or Paused when journaled so; Failed on bad seed data;
//                                                   HashingWritten after a quick check (the journal's pieces kept)
//   HashingWritten  storage hashes the pieces the journal lacks whose files hold data (shown as checking)
//                                                -> as Checking
//   Downloading  fetches and serves pieces       -> Seeding when complete; Paused; Checking on a re-check
//   Seeding      serves pieces                   -> Paused; Checking on a re-check
//   Paused       checked, not networking         -> Downloading or Seeding on resume; Checking on a re-check
//   Failed       a visible error, not networking -> resume: Downloading or Seeding (Checking if nothing was checked yet);
//                                                   re-check: Checking; a history read after all: Checking
// A disk error or the storage actor stopping fails the torrent from any phase. A pause while recovering or checking
// shows at once; the check still runs, and the torrent stays paused after it.
public sealed partial class TorrentActor
{
    /// <summary>Waiting for the journal's history.</summary>
    /// <param name="rehash">Hash everything instead of trusting the history (--recheck, or a re-check asked for meanwhile).</param>
    /// <param name="paused">Paused meanwhile: shown as paused; the check still runs once the history is there.</param>
    private void Recovering(bool rehash, bool paused) => Enter(paused ? TorrentState.Paused : TorrentState.Checking, paused ? _journaled.PauseReason : null, () =>
    {
        Receive<JournalRecovered>(r => OnRecovered(r, rehash, paused));
        Receive<JournalFailed>(f =>
        {
            // Unreadable history: this torrent stops, the others recover. Its journal keeps trying under its
            // backoff supervisor; should the history come after all, the torrent goes on from it.
            _outbox = _outbox.Failed(f.Error);
            Fail(f.Error, r => OnRecovered(r, rehash, paused: false));
        });
        Receive<Pause>(p => PauseWhile(paused, p, () => Recovering(rehash, paused: true)));
        Receive<Resume>(_ => ResumeWhile(paused, () => Recovering(rehash, paused: false)));
        Receive<Recheck>(_ => Recovering(rehash: true, paused));
        Always();
    });

    private void OnRecovered(JournalRecovered r, bool rehash, bool paused)
    {
        // What was journaled meanwhile (a pause) reaches the journal only now that it is recovered: apply it again.
        _journaled = _outbox.PendingEvents.Aggregate(r.State, (state, e) => state.Apply(e));
        if (r.LastSequenceNr == 0 || rehash)
        {
            StartFullCheck(paused);
            return;
        }

        _storageActor.Tell(new QuickCheck(_journaled.ToPieceSet(), CreateFiles: !_options.SeedOnly));
        Checking(quick: true, rehashAfter: false, paused);
    }

    /// <summary>Storage checks the data: a full check hashes everything; a quick one trusts the journal's pieces
    /// whose files are still there at full length.</summary>
    /// <param name="rehashAfter">A re-check was asked for during a quick check: hash everything once it ends.</param>
    /// <param name="paused">Paused meanwhile (shown as paused); whether the torrent stays paused after the check is
    /// what the journal says (a paused torrent being re-checked shows "checking", then is paused again).</param>
    private void Checking(bool quick, bool rehashAfter, bool paused) => Enter(paused ? TorrentState.Paused : TorrentState.Checking, paused ? _journaled.PauseReason : null, () =>
    {
        Receive<CheckCompleted>(c =>
        {
            if (quick && rehashAfter)
            {
                StartFullCheck(paused);
            }
            else if (c.FromJournal && !c.Verified.IsComplete)
            {
                // Issue 14: a complete torrent has nothing unjournaled to look for; it skips this phase (a behaviour
                // and a storage round trip each, for a thousand seeds recovering at once).
                _storageActor.Tell(new HashWrittenPieces(c.Verified.Clone()));
                HashingWritten(c, rehashAfter: false, paused);
            }
            else
            {
                OnChecked(c, written: null);
            }
        });
        Receive<Pause>(p => PauseWhile(paused, p, () => Checking(quick, rehashAfter, paused: true)));
        Receive<Resume>(_ => ResumeWhile(paused, () => Checking(quick, rehashAfter, paused: false)));
        Receive<Recheck>(_ =>
        {
            if (quick)
            {
                Checking(quick, rehashAfter: true, paused);
            }
        });
        Always();
    });

    /// <summary>After a quick check, the pieces written before the last stop and never journaled (a kill between a
    /// write and its batch's journal row) are found on disk and hashed, instead of being fetched again.</summary>
    /// <param name="quick">What the quick check kept from the journal.</param>
    private void HashingWritten(CheckCompleted quick, bool rehashAfter, bool paused) => Enter(paused ? TorrentState.Paused : TorrentState.Checking, paused ? _journaled.PauseReason : null, () =>
    {
        Receive<WrittenPiecesHashed>(h =>
        {
            if (rehashAfter)
            {
                StartFullCheck(paused);
            }
            else
            {
                OnChecked(quick, h);
            }
        });
        Receive<Pause>(p => PauseWhile(paused, p, () => HashingWritten(quick, rehashAfter, paused: true)));
        Receive<Resume>(_ => ResumeWhile(paused, () => HashingWritten(quick, rehashAfter, paused: false)));
        Receive<Recheck>(_ => HashingWritten(quick, rehashAfter: true, paused));
        Always();
    });

    /// <param name="written">After a quick check: the written pieces the journal lacked, hashed.</param>
    private void OnChecked(CheckCompleted c, WrittenPiecesHashed? written)
    {
        var bad = _options.SeedOnly && c.BadPieces.Count > 0;
        if (written is { Hashed: > 0 })
        {
            _log.Info("{0}: hashed {1} piece(s) found on disk but not in the journal (written before the last stop): {2} verified, {3} to fetch again, in {4:F1}s", Tag, written.Hashed, written.Verified.Count, written.Hashed - written.Verified.Count, written.Elapsed.TotalSeconds);
        }

        if (c.FromJournal)
        {
            _resumedPieces = c.Verified.Count;
            _log.Info("{0}: resumed {1}/{2} verified pieces from the journal (files checked, not re-hashed)", Tag, c.Verified.Count, _meta.PieceCount);
            if (c.MissingFiles is { Count: > 0 } missing)
            {
                _log.Warning("{0}: {1} file(s) vanished or shrank since last run, {2} piece(s) will be fetched again: {3}", Tag, missing.Count, c.BadPieces.Count, string.Join(", ", missing.Take(10)));
            }
        }
        else
        {
            _log.Info("{0}: checked {1}/{2} pieces present in {3:F1}s", Tag, c.Verified.Count, _meta.PieceCount, c.Elapsed.TotalSeconds);
            if (!bad)
            {
                // Hashed in full: this replaces what the journal knew, and the next start trusts it.
                Journal(new PiecesRechecked([.. c.Verified.Indices()]));
            }
        }

        if (bad)
        {
            var files = c.BadPieces.SelectMany(_storage.FilesOf).Distinct().Take(10);
            Fail($"data does not match the torrent: {c.BadPieces.Count} of {_meta.PieceCount} pieces are bad, in {string.Join(", ", files)}");
            return;
        }

        var verified = c.Verified.Clone();
        foreach (var piece in written?.Verified.Indices() ?? [])
        {
            // Hashed, and written long ago: flushed and journaled like a piece just written.
            verified.Add(piece);
            _outbox = _outbox.PieceWritten(piece);
        }

        FlushAndResend();
        _picker = new PiecePicker(_meta.PieceCount, _meta.PieceSize, _node.Settings.Peer.BlockLength, _node.Settings.Picker, verified, _options.Sequential, groupWholeBlocks: GroupWholeBlocks(_meta));
        Context.System.EventStream.Publish(new TorrentReadyForPeers(_meta.InfoHash.Hex));
        if (!_meta.IsPrivate)
        {
            // DHT (issue 15): looked up and announced; never for a private torrent (BEP 27: its tracker only).
            Context.System.EventStream.Publish(new Dht.DhtMessages.TrackOnDht(_meta.InfoHash.Hex, Self, Announce: true));
        }

        if (_journaled.Paused)
        {
            Paused();
        }
        else
        {
            GoActive();
        }
    }

    /// <summary>Fetching pieces and serving them.</summary>
    private void Downloading() => Enter(TorrentState.Downloading, null, () =>
    {
        Receive<NeedBlocks>(n => AnswerNeedBlocks(n, pick: true));
        Receive<BlockArrived>(OnBlockArrived);
        Receive<BlocksArrived>(OnBlocksArrived); // issue 14: a connection's blocks of one batch
        Receive<PieceWritten>(w =>
        {
            if (RecordWritten(w) && _picker!.Have.IsComplete)
            {
                _log.Info("{0}: download complete", Tag);
                Seeding();
                SendTrackerProgress();
                _tracker.Tell(new AnnounceNow(AnnounceEvent.Completed));
            }
        });
        Networking(seeding: false);
    });

    /// <summary>Every piece verified: serving only, and known seeds are not dialled.</summary>
    private void Seeding() => Enter(TorrentState.Seeding, null, () => Networking(seeding: true));

    /// <summary>What downloading and seeding share: peers, trackers, the choker.</summary>
    private void Networking(bool seeding)
    {
        Receive<AddPeers>(a =>
        {
            AddCandidates(a.Peers, a.Source);
            ConnectMore(seeding);
            Pace(seeding);
        });
        Receive<PeersFound>(p =>
        {
            AddCandidates(p.Peers, "a tracker");
            ConnectMore(seeding);
            Pace(seeding);
        });
        Receive<IncomingPeer>(p =>
        {
            Accept(p);
            Pace(seeding);
        });
        Receive<PeerInterest>(i => UnchokeNewcomer(OnPeerInterest(i)));
        Receive<Terminated>(t =>
        {
            if (OnTerminated(t) is { } gone)
            {
                if (gone.Unchoked)
                {
                    DoRechoke(rotate: false, seeding);
                }

                ConnectMore(seeding);
            }

            Pace(seeding);
        });
        Receive<ProgressAndDialTick>(_ =>
        {
            ConnectMore(seeding);
            SendTrackerProgress();
            Pace(seeding);
        });
        Receive<TransferProgressWanted>(_ =>
        {
            // A tracker client just started (or restarted after a failure, with nothing remembered): it announces
            // only with these figures, never with a made-up left=0.
            _sentProgress = Progress();
            Sender.Tell(_sentProgress);
        });
        Receive<Rechoke>(r => DoRechoke(r.RotateOptimistic, seeding));
        Receive<Pause>(p =>
        {
            Journal(new TorrentPaused(p.Reason));
            StopNetworking();
            Paused();
        });
        Receive<Recheck>(_ => StartRecheck());
        Always();
    }

    /// <summary>Checked, not networking; pieces still being written are recorded.</summary>
    private void Paused() => Enter(TorrentState.Paused, _journaled.PauseReason, () =>
    {
        Receive<Resume>(_ =>
        {
            Journal(new TorrentResumed());
            GoActive();
        });
        Receive<Recheck>(_ => StartRecheck());
        Always();
    });

    /// <summary>Stopped networking with a visible error, until a resume (or a re-check) starts it again.</summary>
    /// <param name="historyArrived">Failed before the journal's history was read: what to do should it come after all.</param>
    private void Failed(string error, Action<JournalRecovered>? historyArrived) => Enter(TorrentState.Error, error, () =>
    {
        if (historyArrived is not null)
        {
            Receive<JournalRecovered>(historyArrived);
        }

        Receive<Resume>(_ =>
        {
            Journal(new TorrentResumed());
            if (_picker is null)
            {
                // Failed before any piece was known (a mismatch or disk error during the check): check again.
                StartFullCheck(paused: false);
            }
            else
            {
                GoActive();
            }
        });
        Receive<Recheck>(_ => StartRecheck());
        Always();
    });

    private void PauseWhile(bool paused, Pause p, Action becomePaused)
    {
        if (!paused)
        {
            Journal(new TorrentPaused(p.Reason));
            becomePaused();
        }
    }

    private void ResumeWhile(bool paused, Action becomeResumed)
    {
        if (paused)
        {
            Journal(new TorrentResumed());
            becomeResumed();
        }
    }

    private void GoActive()
    {
        var seeding = _picker!.Have.IsComplete;
        if (seeding)
        {
            Seeding();
        }
        else
        {
            Downloading();
        }

        StartNetworking(seeding);
    }

    private void StartFullCheck(bool paused)
    {
        _storageActor.Tell(new PrepareAndCheck(CreateFiles: !_options.SeedOnly));
        Checking(quick: false, rehashAfter: false, paused);
    }

    /// <summary>Disconnect, forget what we have, and hash everything on disk; a paused torrent is paused again after.</summary>
    private void StartRecheck()
    {
        _log.Info("{0}: full re-check requested", Tag);
        StopNetworking();
        StopPieceActors();
        _outbox = _outbox.DropUnflushed();
        _picker = null;
        StartFullCheck(paused: false);
    }

    private void Fail(string error, Action<JournalRecovered>? historyArrived = null)
    {
        _log.Error("{0}: {1}", Tag, error);
        StopNetworking();
        Failed(error, historyArrived);
    }

    private void StartNetworking(bool seeding)
    {
        if (_meta.TrackerTiers.Count > 0 && _tracker.IsNobody())
        {
            // A fresh name each time: the previous supervisor may still be stopping after a quick pause and resume.
            // It asks for our progress as it starts (TransferProgressWanted), and again after each restart.
            _tracker = Context.ActorOf(
                TrackerClientActor.Supervised(_meta.InfoHash, _meta.TrackerTiers, _node, Self, TorrentChildren.Tracker),
                TorrentChildren.TrackerSupervisor(++_trackersStarted));
            _sentProgress = null;
        }

        AddCandidates(_options.Peers ?? [], "the torrent's options");
        ConnectMore(seeding);
        StartWebSeeds(); // issue 17
        Pace(seeding);
    }

    private void StopNetworking()
    {
        StopWebSeeds(); // issue 17
        Sleep();

        foreach (var p in _peers.All)
        {
            Context.Stop(p.Ref);
        }

        if (!_tracker.IsNobody())
        {
            Context.Stop(_tracker);
            _tracker = ActorRefs.Nobody;
        }
    }
}
