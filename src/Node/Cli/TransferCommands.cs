using System.CommandLine;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Torrent;
using Swarm.Node.Hosting;
using Swarm.Protocol.Metainfo;

namespace Swarm.Node.Cli;

/// <summary>`swarm get`, `swarm seed` and `swarm node`: each runs a node in this process.</summary>
internal static class TransferCommands
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The shortest wait between two status polls near the end of a download (issue 14): a dozen asks at most.</summary>
    private static readonly TimeSpan MinPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>A signal may come while the node is still starting (its journal check waits up to 10 s).</summary>
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(15);

    public static Command Get(StopSignals signals)
    {
        var common = new CommonOptions();
        var torrent = new Argument<string>("TORRENT") { Description = "The .torrent file, or a magnet link (quoted)" };
        var output = new Option<string>("--output", "-o") { Description = "Folder the content is saved in", Required = true };
        var seed = new Option<bool>("--seed") { Description = "Keep seeding after the download completes" };
        var sequential = new Option<bool>("--sequential") { Description = "Download pieces in order (for streaming)" };
        var recheck = RecheckOption();
        var cmd = new Command("get", "Download a torrent, then exit (or keep seeding with --seed)") { torrent, output, seed, sequential, recheck };
        common.AddTo(cmd, withPeers: true);
        cmd.SetAction((r, ct) => RunNode(
            signals,
            () => (LoadOrMagnet(r.GetValue(torrent)!), new TorrentOptions(r.GetValue(sequential), SeedOnly: false, common.PeerEndPoints(r), r.GetValue(recheck)), Path.GetFullPath(r.GetValue(output)!)),
            input => common.Node(r) with { Transfer = new TransferKey(InfoHashOf(input.Item1), input.Item3) },
            async (node, input) =>
        {
            var (source, options, savePath) = input;
            TorrentMetainfo meta;
            string hash;
            if (source is Protocol.Magnet.MagnetLink magnet)
            {
                Console.Error.WriteLine($"swarm: fetching the metadata of {magnet.InfoHash.Hex} from peers");
                hash = await AddMagnet(node, magnet, savePath, options);
                meta = await Metainfo(node, hash);
            }
            else
            {
                meta = (TorrentMetainfo)source;
                hash = await Add(node, meta, savePath, options);
            }

            using var progress = ProgressReporter.Create(meta);
            var completed = false;
            await foreach (var status in Follow(node, hash))
            {
                progress.Report(status);
                if (status.State == TorrentState.Error)
                {
                    progress.Finish();
                    Console.Error.WriteLine($"swarm: {status.Error}");
                    return ExitCodes.Failed;
                }

                if (!completed && status.State == TorrentState.Seeding)
                {
                    completed = true;
                    await SyncJournal(node, hash);
                    progress.Finish();
                    Console.Out.WriteLine($"complete {hash}");
                    Console.Out.Flush();
                    if (!r.GetValue(seed))
                    {
                        return ExitCodes.Ok;
                    }
                }
            }

            // Stopped before the download completed: 128 + the signal, as a shell reports a command a signal ended
            // (the journal is saved: the same command resumes).
            return completed ? ExitCodes.Ok : signals.Received is { } signal ? StopSignals.ExitCodeFor(signal) : ExitCodes.Failed;
        }));
        return cmd;
    }

    public static Command Seed(StopSignals signals)
    {
        var common = new CommonOptions();
        var torrent = new Argument<string>("TORRENT") { Description = "The .torrent file" };
        var data = new Option<string>("--data") { Description = "Folder holding the content (as `get -o` leaves it)", Required = true };
        var recheck = RecheckOption();
        var cmd = new Command("seed", "Verify existing data and seed it until stopped") { torrent, data, recheck };
        common.AddTo(cmd, withPeers: true);
        cmd.SetAction((r, ct) => RunNode(
            signals,
            () =>
            {
                var dir = Path.GetFullPath(r.GetValue(data)!);
                if (!Directory.Exists(dir))
                {
                    throw new CliException($"--data '{dir}' does not exist");
                }

                return (TorrentCommands.Load(r.GetValue(torrent)!), dir, common.PeerEndPoints(r), r.GetValue(recheck));
            },
            input => common.Node(r) with { Transfer = new TransferKey(input.Item1.InfoHash.Hex, input.dir) },
            async (node, input) =>
        {
            var (meta, dir, peers, full) = input;
            var hash = await Add(node, meta, dir, new TorrentOptions(false, SeedOnly: true, peers, full));
            var announced = false;
            await foreach (var status in Follow(node, hash))
            {
                if (status.State == TorrentState.Error)
                {
                    Console.Error.WriteLine($"swarm: {status.Error}");
                    return ExitCodes.Failed;
                }

                if (!announced && status.State == TorrentState.Seeding)
                {
                    announced = true;
                    // As `get` does before "complete": the check's result is journaled before we say "seeding", so a
                    // kill after that line never costs a re-hash.
                    await SyncJournal(node, hash);
                    Console.Out.WriteLine($"seeding {hash}");
                    Console.Out.Flush();
                }
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    public static Command Node(StopSignals signals)
    {
        var common = new CommonOptions();
        var consolePort = new Option<int?>("--console-port") { Description = "Port of the console endpoint on 127.0.0.1 (0 = any free port; default swarm.console.port)" };
        var clusterPort = new Option<int?>("--cluster-port") { Description = "Port of this member's cluster address (0 = any free port; default swarm.cluster.port)" };
        var seedNodes = new Option<string[]>("--seed-node") { Description = "A cluster member to join, HOST:PORT or akka.tcp://swarm@HOST:PORT (repeatable; none = found a cluster)" };
        var rpcPort = new Option<int?>("--rpc-port") { Description = "Port of the HTTP surface: Transmission RPC, /metrics, /health (0 = any free port; default swarm.rpc.port, 9091)" };
        var rpcBind = new Option<string?>("--rpc-bind") { Description = "IP the HTTP surface listens on (default swarm.rpc.bind-address, 127.0.0.1; beyond loopback needs credentials)" };
        var watchDir = new Option<string?>("--watch-dir") { Description = "Folder whose dropped .torrent and .magnet files are added (renamed NAME.added or NAME.invalid)" };
        var cmd = new Command("node", "Run a long-lived node, a member of a cluster, driven with `swarm console`") { consolePort, clusterPort, seedNodes, rpcPort, rpcBind, watchDir };
        common.AddTo(cmd, withPeers: false);
        cmd.SetAction(async (r, ct) =>
        {
            var options = common.Node(r) with
            {
                Cluster = true,
                ClusterPort = r.GetValue(clusterPort),
                SeedNodes = r.GetValue(seedNodes) ?? [],
                RpcPort = r.GetValue(rpcPort),
                RpcBind = r.GetValue(rpcBind),
                WatchDir = r.GetValue(watchDir),
            };
            while (true)
            {
                var rejoin = false;
                var code = await RunNode(signals, () => 0, _ => options, async (node, _) =>
                {
                    try
                    {
                        if (node.Settings.Console.Enabled)
                        {
                            // Printed once the endpoint accepts commands: scripts wait for this line.
                            Console.Out.WriteLine($"console {node.StartConsole(r.GetValue(consolePort))}");
                        }

                        if (await node.StartHttpAsync() is { } http)
                        {
                            // Printed once the surface answers: scripts and tests read the port from it.
                            Console.Out.WriteLine($"rpc {http.EndPoint}");
                        }

                        if (node.StartWatchFolder() is { } watch)
                        {
                            Console.Out.WriteLine($"watch {watch.Dir}");
                        }

                        if (node.Settings.TrackerServer.InNode)
                        {
                            TrackerCommand.Print(await node.StartTrackerAsync());
                        }

                        if (node.ClusterEndPoint is { } cluster)
                        {
                            Console.Out.WriteLine($"cluster {cluster}");
                        }

                        Console.Out.WriteLine($"peers {node.Listen}");
                        Console.Out.WriteLine($"data {node.DataDir}");
                        Console.Out.WriteLine($"journal {node.Journal.Description}");
                    }
                    catch (Exception)
                    {
                        // The cluster stopping this member's system while its surfaces start (a seed refused its TLS
                        // certificate at once) is handled below as a removal; anything else is a failure to start.
                        if (await Task.WhenAny(node.System.WhenTerminated, Task.Delay(SwarmNode.StopBound)) != node.System.WhenTerminated)
                        {
                            throw;
                        }
                    }

                    Console.Out.Flush();
                    var stopping = Task.Delay(Timeout.Infinite, node.Stopping).ContinueWith(_ => { }, TaskScheduler.Default);
                    await Task.WhenAny(stopping, node.RemovedFromCluster, node.System.WhenTerminated);
                    if (node.RemovedFromCluster.IsCompleted || node.System.WhenTerminated.IsCompleted)
                    {
                        // A stop we were asked for also ends with leaving the cluster; give its signal a moment to land.
                        await Task.WhenAny(stopping, Task.Delay(500));
                        if (node.RefusedByCluster.IsCompleted)
                        {
                            Console.Error.WriteLine($"swarm: {await node.RefusedByCluster}");
                            return ExitCodes.Failed;
                        }

                        rejoin = !node.StopRequested && !signals.Token.IsCancellationRequested;
                        if (rejoin && !node.JoinedCluster.IsCompleted)
                        {
                            // Restarting in a loop would hammer the seeds; a supervisor (systemd's Restart=on-failure)
                            // retries at its own pace, once the cause above (a certificate, a seed) is fixed.
                            Console.Error.WriteLine($"swarm: this node never joined the cluster through its seed nodes ({string.Join(", ", node.Settings.Cluster.SeedNodes)}) and its cluster system stopped; see the lines above (a refused TLS handshake, another cluster name)");
                            rejoin = false;
                            return ExitCodes.Failed;
                        }
                    }

                    if (rejoin)
                    {
                        Console.Error.WriteLine("swarm: this node was removed from the cluster (downed after being unreachable, or by the split-brain resolver); restarting to rejoin with the same data");
                    }

                    return ExitCodes.Ok;
                });
                if (!rejoin)
                {
                    return code;
                }
            }
        });
        return cmd;
    }

    private static Option<bool> RecheckOption() =>
        new("--recheck") { Description = "Hash all data on disk again instead of trusting the journal" };

    /// <summary>Validates the input first (a bad torrent never starts a node), then runs <paramref name="body"/> on a
    /// node that stops on the process's first SIGINT/SIGTERM.</summary>
    private static async Task<int> RunNode<T>(StopSignals signals, Func<T> validate, Func<T, NodeOptions> options, Func<SwarmNode, T, Task<int>> body)
    {
        signals.StopsGracefullyWithin(StartBound + SwarmNode.StopBound);
        T input;
        try
        {
            input = validate();
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"swarm: {e.Message}");
            return ExitCodes.InvalidInput;
        }

        SwarmNode node;
        try
        {
            node = await SwarmNode.StartAsync(options(input), signals.Token);
        }
        catch (Exception e) when (e is IOException or ArgumentException or Akka.Configuration.ConfigurationException)
        {
            Console.Error.WriteLine($"swarm: {e.Message}");
            return e is IOException ? ExitCodes.Failed : ExitCodes.InvalidInput;
        }

        await using (node)
        {
            try
            {
                return await body(node, input);
            }
            catch (Exception e) when (e is CliException or InvalidTorrentException or ArgumentException)
            {
                Console.Error.WriteLine($"swarm: {e.Message}");
                return ExitCodes.InvalidInput;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"swarm: {e.Message}");
                return ExitCodes.Failed;
            }
            catch (AskTimeoutException e)
            {
                Console.Error.WriteLine($"swarm: the node did not answer in time ({e.Message}); its journal is {node.Journal.Description}");
                return ExitCodes.Failed;
            }
        }
    }

    /// <summary>The info-hash of a .torrent or magnet link, known before any node starts.</summary>
    private static string InfoHashOf(object source) => source switch
    {
        TorrentMetainfo meta => meta.InfoHash.Hex,
        Protocol.Magnet.MagnetLink magnet => magnet.InfoHash.Hex,
        _ => throw new InvalidOperationException($"unexpected source {source}"),
    };

    /// <summary>A .torrent file, or a magnet link (BEP 9) whose metadata the node fetches from peers.</summary>
    private static object LoadOrMagnet(string source)
    {
        if (!source.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase))
        {
            return TorrentCommands.Load(source);
        }

        try
        {
            return Protocol.Magnet.MagnetLink.Parse(source);
        }
        catch (FormatException e)
        {
            throw new CliException($"invalid magnet link: {e.Message}");
        }
    }

    private static async Task<string> AddMagnet(SwarmNode node, Protocol.Magnet.MagnetLink magnet, string savePath, TorrentOptions options)
    {
        var wait = node.Settings.Magnet.MetadataTimeout + AskTimeout;
        var reply = await node.Root.Ask(new CatalogMessages.AddMagnet(magnet, savePath, options), wait);
        return reply switch
        {
            CatalogMessages.TorrentAccepted a => a.InfoHash,
            CatalogMessages.AddTorrentRejected r => throw new IOException(r.Reason),
            _ => throw new InvalidOperationException($"unexpected reply {reply}"),
        };
    }

    private static async Task<TorrentMetainfo> Metainfo(SwarmNode node, string hash)
    {
        var reply = await node.Root.Ask<CatalogMessages.InfoDictionary>(new CatalogMessages.GetInfoDictionary(hash), AskTimeout);
        // A v2-only torrent's piece layers live beside its info dictionary: without them its pieces can't verify.
        return PieceLayers.Attach(MetainfoParser.ParseInfoDictionary(reply.Bytes, Protocol.InfoHash.Parse(hash)), reply.PieceLayers);
    }

    private static async Task<string> Add(SwarmNode node, TorrentMetainfo meta, string savePath, TorrentOptions options)
    {
        // The catalog answers once it has recovered from the journal and journaled the torrent: on a cold start of a
        // loaded machine that is seconds, so this waits as long as a node waits for its catalog.
        var reply = await node.Root.Ask(new CatalogMessages.AddTorrent(meta, savePath, options), node.Settings.Catalog.RecoveryTimeout);
        return reply switch
        {
            CatalogMessages.TorrentAccepted a => a.InfoHash,
            CatalogMessages.AddTorrentRejected r => throw new CliException(r.Reason),
            _ => throw new InvalidOperationException($"unexpected reply {reply}"),
        };
    }

    /// <summary>Waits until every verified piece is journaled, so that exiting right after `complete` loses nothing.</summary>
    private static async Task SyncJournal(SwarmNode node, string hash)
    {
        try
        {
            await node.Root.Ask<TorrentMessages.JournalSynced>(new CatalogMessages.ForTorrent(hash, new TorrentMessages.SyncJournal()), node.Settings.Persistence.RestartMaxBackoff);
        }
        catch (Exception e) when (e is TaskCanceledException or TimeoutException or AskTimeoutException)
        {
            Console.Error.WriteLine("swarm: warning: the journal did not confirm every verified piece; they will be checked again on the next start");
        }
    }

    /// <summary>Status of one torrent, polled until the process is asked to stop.</summary>
    private static async IAsyncEnumerable<TorrentStatus> Follow(SwarmNode node, string hash)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Min(250, node.Settings.StatsInterval.TotalMilliseconds));
        // Start-up (issue 14): a one-shot node's port opens when its torrent has checked its data; asked again then, not
        // at the next tick, `seed` says "seeding" as soon as it is.
        var ready = node.Root.Ask<Actors.NodeMessages.PeerPortOpened>(new Actors.NodeMessages.AwaitPeerPort(), node.Settings.Catalog.RecoveryTimeout)
            .ContinueWith(_ => { }, TaskScheduler.Default);
        while (!node.Stopping.IsCancellationRequested)
        {
            object? reply = null;
            try
            {
                reply = await node.Root.Ask(new CatalogMessages.ForTorrent(hash, new TorrentMessages.GetStatus()), AskTimeout);
            }
            catch (Exception e) when (node.Stopping.IsCancellationRequested && e is AskTimeoutException or OperationCanceledException)
            {
                // The node stopped while we asked: the stop ends the command, not a missing answer.
            }
            catch (AskTimeoutException)
            {
                // A busy torrent (a long check on a loaded machine) answers late: ask again, the progress line waits.
            }

            var wait = interval;
            if (reply is TorrentStatus status)
            {
                yield return status;
                wait = NextPoll(status, interval);
            }

            try
            {
                var tick = Task.Delay(wait, node.Stopping);
                if (!ready.IsCompleted && await Task.WhenAny(tick, ready) == ready)
                {
                    continue;
                }

                await tick;
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>When to ask for a downloading torrent's status again: at <paramref name="interval"/>, or sooner when the
    /// rest should arrive before that (issue 14: `get` ends as soon as the download is complete, not up to a tick later).</summary>
    internal static TimeSpan NextPoll(TorrentStatus status, TimeSpan interval)
    {
        if (status.State != TorrentState.Downloading || status.DownloadRate <= 0 || status.PieceCount == 0)
        {
            return interval;
        }

        var left = (double)(status.PieceCount - status.VerifiedPieces) * status.TotalLength / status.PieceCount;
        var eta = TimeSpan.FromSeconds(left / status.DownloadRate);
        return eta < interval ? TimeSpan.FromTicks(Math.Max(eta.Ticks, MinPoll.Ticks)) : interval;
    }
}
