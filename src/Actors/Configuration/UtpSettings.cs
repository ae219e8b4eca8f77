using Akka.Configuration;
using Swarm.Protocol.Utp;

namespace Swarm.Actors.Configuration;

/// <summary>uTP (issue 16, BEP 29): whether peers are reached and accepted over uTP on the UDP peer port
/// (<c>swarm.peer.utp</c>), and the `swarm.utp` block of its limits and connection tunables.</summary>
public sealed record UtpSettings(bool Enabled, UtpOptions Connection, UtpLimits Limits, TimeSpan TickInterval, int StreamBuffer)
{
    /// <summary>Dial uTP before TCP for a peer not reached before (`swarm.utp.dial-first = utp`); TCP first otherwise.</summary>
    public bool DialUtpFirst { get; init; }

    /// <summary>uTP speed: SO_RCVBUF asked for the UDP peer port (`swarm.utp.socket-receive-buffer`); 0 keeps the OS's.</summary>
    public int SocketReceiveBuffer { get; init; } = 2 * 1024 * 1024;

    /// <summary>uTP speed: SO_SNDBUF asked for the UDP peer port (`swarm.utp.socket-send-buffer`); 0 keeps the OS's.</summary>
    public int SocketSendBuffer { get; init; } = 2 * 1024 * 1024;

    /// <summary>uTP speed: datagrams read from the socket per wakeup at most (`swarm.utp.receive-batch`).</summary>
    public int ReceiveBatch { get; init; } = 64;

    public static UtpSettings Default { get; } = new(false, UtpOptions.Default, new UtpLimits(), TimeSpan.FromMilliseconds(50), 256 * 1024);

    public static UtpSettings From(Config peer, Config? utp)
    {
        var enabled = peer.GetBoolean("utp", false);
        if (utp is null || utp.IsEmpty)
        {
            return Default with { Enabled = enabled };
        }

        var connection = new UtpOptions(
            MaxPayload: utp.GetInt("packet-payload"),
            ReceiveBuffer: (int)(utp.GetByteSize("receive-buffer") ?? UtpOptions.Default.ReceiveBuffer),
            SendBuffer: (int)(utp.GetByteSize("send-buffer") ?? UtpOptions.Default.SendBuffer),
            TargetDelay: Micros(utp.GetTimeSpan("target-delay")),
            MinTimeout: Micros(utp.GetTimeSpan("min-timeout")),
            SynResends: utp.GetInt("syn-resends"),
            DataResends: utp.GetInt("data-resends"),
            Keepalive: Micros(utp.GetTimeSpan("keepalive")),
            IdleTimeout: Micros(utp.GetTimeSpan("idle-timeout")),
            HalfOpenTimeout: Micros(utp.GetTimeSpan("half-open-timeout")));
        try
        {
            connection.Validated();
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"swarm.utp: {e.Message}");
        }

        var limits = new UtpLimits(true, utp.GetInt("max-half-open"), utp.GetInt("max-connections"), utp.GetInt("resets-per-second"));
        if (limits.MaxHalfOpen < 1 || limits.MaxConnections < 1 || limits.ResetsPerSecond < 0)
        {
            throw new ConfigurationException("swarm.utp: max-half-open and max-connections must be at least 1, resets-per-second not negative");
        }

        var first = utp.GetString("dial-first", "tcp");
        if (first is not ("tcp" or "utp"))
        {
            throw new ConfigurationException($"swarm.utp.dial-first must be tcp or utp, not '{first}'");
        }

        // uTP speed: socket buffers and receive batching (absent keys keep the defaults).
        var socketReceive = utp.GetByteSize("socket-receive-buffer") ?? Default.SocketReceiveBuffer;
        var socketSend = utp.GetByteSize("socket-send-buffer") ?? Default.SocketSendBuffer;
        var receiveBatch = utp.GetInt("receive-batch", Default.ReceiveBatch);
        if (socketReceive is < 0 or > int.MaxValue || socketSend is < 0 or > int.MaxValue || receiveBatch < 1)
        {
            throw new ConfigurationException("swarm.utp: socket buffers must be 0 (system default) or a size under 2 GiB, receive-batch at least 1");
        }

        return new UtpSettings(enabled, connection, limits, utp.GetTimeSpan("tick-interval"), (int)(utp.GetByteSize("stream-buffer") ?? 256 * 1024))
        {
            DialUtpFirst = first == "utp",
            SocketReceiveBuffer = (int)socketReceive,
            SocketSendBuffer = (int)socketSend,
            ReceiveBatch = receiveBatch,
        };
    }

    private static long Micros(TimeSpan t) => t.Ticks / 10;
}
