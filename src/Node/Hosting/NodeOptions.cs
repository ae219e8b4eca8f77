namespace Swarm.Node.Hosting;

/// <summary>What every node-running command (node, get, seed) accepts.</summary>
public sealed record NodeOptions(string? ConfigFile, string? DataDir, int? Port, string? Bind)
{
    public IReadOnlyDictionary<string, string> Overrides()
    {
        var o = new Dictionary<string, string>();
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

        return o;
    }
}
