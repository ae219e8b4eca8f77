using System.Net;
using System.Net.Sockets;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>A TCP relay on loopback in front of a peer. It counts the bytes the peer sends, whichever connection they
/// were for and however it ended (what a kill costs the swarm), and it can hold every connection until a gate opens, so
/// that a test orders two peers' arrival by a fact rather than by a head start.</summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly Task _gate;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly Task _accepting;
    private long _sent;

    /// <param name="targetPort">The peer's port on 127.0.0.1.</param>
    /// <param name="gate">Connections are accepted at once but joined to the peer only once this completes.</param>
    public TcpRelay(int targetPort, Task? gate = null)
    {
        _targetPort = targetPort;
        _gate = gate ?? Task.CompletedTask;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Bytes the peer behind the relay has sent, over every connection.</summary>
    public long TargetSent => Interlocked.Read(ref _sent);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] relays;
        lock (_relays)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_relays)
                {
                    _relays.Add(RelayAsync(client));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var target = new TcpClient();
        using (client)
        {
            if (!await OpenedAsync())
            {
                return;
            }

            try
            {
                await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                // Either side closing (a kill resets the client's) ends both.
                await Task.WhenAny(
                    PumpAsync(client.GetStream(), target.GetStream(), count: false),
                    PumpAsync(target.GetStream(), client.GetStream(), count: true));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
            {
                // The peer refused, or the test is over.
            }
        }
    }

    /// <summary>False when the test ends first or the gate fails (a peer the test waited for never came): the
    /// connection is then closed without ever reaching the peer, and the test's own assertions say why.</summary>
    private async Task<bool> OpenedAsync()
    {
        try
        {
            await _gate.WaitAsync(_stop.Token);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool count)
    {
        var buffer = new byte[64 << 10];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (count)
                {
                    Interlocked.Add(ref _sent, n);
                }

                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // This side or the other went away.
        }
    }
}
