namespace Swarm.Node.Hosting;

/// <summary>"HOST:PORT" as operators type it (--node, --seed-node): the host before the last colon, a port 1–65535.</summary>
public static class HostPort
{
    public static bool TryParse(string text, out string host, out int port)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out port) || port is <= 0 or > 65535)
        {
            host = string.Empty;
            port = 0;
            return false;
        }

        host = text[..colon];
        return true;
    }
}
