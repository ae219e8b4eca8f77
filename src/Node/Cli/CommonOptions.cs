using System.CommandLine;
using System.Net;
using Swarm.Node.Hosting;

namespace Swarm.Node.Cli;

/// <summary>Options shared by the commands that run a node (node, get, seed).</summary>
internal sealed class CommonOptions
{
    public Option<string?> Config { get; } = new("--config") { Description = "HOCON file layered over hocon/swarm.conf" };

    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Folder for the node's state (default ~/.local/share/swarm)" };

    public Option<int?> Port { get; } = new("--port") { Description = "TCP port for peer connections (0 = any free port)" };

    public Option<string?> Bind { get; } = new("--bind") { Description = "Address the peer port binds to (default 0.0.0.0)" };

    public Option<string[]> Peers { get; } = new("--peer") { Description = "Peer to dial, IP:PORT (repeatable)", AllowMultipleArgumentsPerToken = false };

    public Option<string[]> DhtBootstrap { get; } = new("--dht-bootstrap") { Description = "DHT node to start from, HOST:PORT (repeatable; replaces swarm.dht.bootstrap-nodes)", AllowMultipleArgumentsPerToken = false };

    public Option<bool> NoDht { get; } = new("--no-dht") { Description = "Run without the DHT (peers only from trackers, --peer and the link)" };

    public Option<string?> Encryption { get; } = new Option<string?>("--encryption")
    {
        Description = "Message stream encryption on peer connections: prefer (default), require or disable",
    }.AcceptOnlyFromAmong("prefer", "require", "disable");

    public void AddTo(Command command, bool withPeers)
    {
        command.Add(Encryption);
        command.Add(DhtBootstrap);
        command.Add(NoDht);
        command.Add(Config);
        command.Add(DataDir);
        command.Add(Port);
        command.Add(Bind);
        if (withPeers)
        {
            command.Add(Peers);
        }
    }

    public NodeOptions Node(ParseResult r) => new(r.GetValue(Config), r.GetValue(DataDir), r.GetValue(Port), r.GetValue(Bind))
    {
        DhtBootstrap = [.. (r.GetValue(DhtBootstrap) ?? []).Select(CheckedHostPort)],
        NoDht = r.GetValue(NoDht),
        Encryption = r.GetValue(Encryption),
    };

    /// <summary>HOST:PORT with a port in 1..65535 (IPv6 in brackets); an <see cref="ArgumentException"/> otherwise.</summary>
    private static string CheckedHostPort(string entry)
    {
        var colon = entry.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(entry.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535 || entry[..colon].Trim('[', ']').Length == 0)
        {
            throw new ArgumentException($"--dht-bootstrap '{entry}' is not HOST:PORT");
        }

        return entry;
    }

    public IReadOnlyList<IPEndPoint> PeerEndPoints(ParseResult r)
    {
        var list = new List<IPEndPoint>();
        foreach (var p in r.GetValue(Peers) ?? [])
        {
            if (!IPEndPoint.TryParse(p, out var ep) || ep.Port == 0)
            {
                throw new CliException($"--peer '{p}' is not IP:PORT");
            }

            list.Add(ep);
        }

        return list;
    }
}

/// <summary>A user error reported as one line on stderr with <see cref="ExitCodes.InvalidInput"/>.</summary>
internal sealed class CliException(string message) : Exception(message);
