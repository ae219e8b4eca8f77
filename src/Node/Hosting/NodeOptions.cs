namespace Swarm.Node.Hosting;

/// <summary>What every node-running command (node, get, seed) accepts.</summary>
public sealed record NodeOptions(string? ConfigFile, string? DataDir, int? Port, string? Bind)
{
    /// <summary>Join (or found) a cluster: `swarm node` only; `get` and `seed` run a local actor system.</summary>
    public bool Cluster { get; init; }

    public int? ClusterPort { get; init; }

    /// <summary>The torrent and folder of a one-shot command (`get`, `seed`); null for `swarm node`. With the default
    /// state location it picks the run's own state folder (<see cref="StateFolder"/>).</summary>
    public TransferKey? Transfer { get; init; }

    /// <summary>HOST:PORT or full Akka addresses from --seed-node, ahead of swarm.cluster.seed-nodes.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>HTTP surface (issue 18): --rpc-port, --rpc-bind and --watch-dir, ahead of swarm.rpc and swarm.watch.</summary>
    public int? RpcPort { get; init; }

    public string? RpcBind { get; init; }

    public string? WatchDir { get; init; }

    /// <summary>--dht-bootstrap HOST:PORT entries: they replace swarm.dht.bootstrap-nodes (issue 15).</summary>
    public IReadOnlyList<string> DhtBootstrap { get; init; } = [];

    /// <summary>--no-dht: swarm.dht.enabled = off.</summary>
    public bool NoDht { get; init; }

    /// <summary>--encryption prefer|require|disable: swarm.peer.encryption (issue 16).</summary>
    public string? Encryption { get; init; }

    public IReadOnlyDictionary<string, string> Overrides()
    {
        var o = new Dictionary<string, string>();
        if (RpcPort is { } rp)
        {
            o["swarm.rpc.port"] = rp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (RpcBind is { } rb)
        {
            o["swarm.rpc.bind-address"] = SwarmConfiguration.Quote(rb);
        }

        if (WatchDir is { } w)
        {
            o["swarm.watch.dir"] = SwarmConfiguration.Quote(Path.GetFullPath(w));
        }

        if (Port is { } p)
        {
            o["swarm.peer.port"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Bind is { } b)
        {
            o["swarm.peer.bind-address"] = SwarmConfiguration.Quote(b);
        }

        if (DataDir is { } d)
        {
            o["swarm.data-dir"] = SwarmConfiguration.Quote(Path.GetFullPath(d));
        }

        if (ClusterPort is { } cp)
        {
            o["swarm.cluster.port"] = cp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (SeedNodes.Count > 0)
        {
            o["swarm.cluster.seed-nodes"] = "[" + string.Join(", ", SeedNodes.Select(SwarmConfiguration.Quote)) + "]";
        }

        if (DhtBootstrap.Count > 0)
        {
            o["swarm.dht.bootstrap-nodes"] = "[" + string.Join(", ", DhtBootstrap.Select(SwarmConfiguration.Quote)) + "]";
        }

        if (NoDht)
        {
            o["swarm.dht.enabled"] = "off";
        }

        if (Encryption is { } enc)
        {
            o["swarm.peer.encryption"] = SwarmConfiguration.Quote(enc);
        }

        return o;
    }
}
