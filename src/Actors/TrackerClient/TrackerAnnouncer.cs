using System.Net.Sockets;
using Swarm.Actors.Configuration;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerClient;

/// <summary>Talks to HTTP and UDP trackers; the codecs live in Swarm.Protocol. UDP connection ids are cached
/// per tracker for their one-minute lifetime (BEP 15). Announces leave from <see cref="TrackerSettings.SourceAddress"/>
/// when the node is bound to one address (<paramref name="http"/> serves the unbound case).</summary>
/// <param name="clock">Ages the cached UDP connection ids; the node's clock (<see cref="NodeContext.Clock"/>).</param>
public sealed class TrackerAnnouncer(TrackerSettings settings, HttpClient http, TimeProvider? clock = null)
{
    private readonly HttpClient _http = OutgoingSockets.Http(settings.SourceAddress, http);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private UdpConnectionIds _connectionIds = new(UdpTrackerCodec.ConnectionIdLifetime);

    public async Task<AnnounceResponse> AnnounceAsync(string url, AnnounceRequest request, CancellationToken ct)
    {
        if (UdpTrackerCodec.IsUdp(url))
        {
            return await AnnounceUdpAsync(url, request, ct).ConfigureAwait(false);
        }

        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new TrackerException($"unsupported tracker scheme in '{url}'");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.HttpTimeout);
        var uri = HttpTrackerCodec.BuildAnnounceUri(url, request);
        using var response = await _http.GetAsync(uri, timeout.Token).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && body.Length == 0)
        {
            throw new TrackerException($"tracker answered HTTP {(int)response.StatusCode}");
        }

        return HttpTrackerCodec.ParseAnnounce(body);
    }

    private async Task<AnnounceResponse> AnnounceUdpAsync(string url, AnnounceRequest request, CancellationToken ct)
    {
        var endpoint = UdpTrackerCodec.Resolve(url, System.Net.Dns.GetHostAddresses) ?? throw new TrackerException($"cannot resolve '{url}'");
        using var udp = OutgoingSockets.Udp(endpoint.AddressFamily, settings.SourceAddress);
        udp.Connect(endpoint);
        for (var attempt = 0; attempt < settings.UdpMaxAttempts; attempt++)
        {
            var wait = settings.UdpRetransmitBase * (1 << attempt);
            if (_connectionIds.Valid(url, _clock.GetUtcNow()) is not { } connectionId)
            {
                var tx = Random.Shared.Next();
                var reply = await ExchangeAsync(udp, UdpTrackerCodec.Connect(tx), wait, ct).ConfigureAwait(false);
                if (reply is null)
                {
                    continue;
                }

                connectionId = UdpTrackerCodec.ParseConnect(reply, tx);
                _connectionIds = _connectionIds.Received(url, connectionId, _clock.GetUtcNow());
            }

            var txa = Random.Shared.Next();
            var answer = await ExchangeAsync(udp, UdpTrackerCodec.Announce(connectionId, txa, request), wait, ct).ConfigureAwait(false);
            if (answer is null)
            {
                _connectionIds = _connectionIds.Forget(url); // the id may have expired on the tracker's side
                continue;
            }

            return UdpTrackerCodec.ParseAnnounce(answer, txa);
        }

        throw new TrackerException($"no answer from {url} after {settings.UdpMaxAttempts} attempts");
    }

    private static async Task<byte[]?> ExchangeAsync(UdpClient udp, byte[] packet, TimeSpan wait, CancellationToken ct)
    {
        await udp.SendAsync(packet, ct).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        try
        {
            var result = await udp.ReceiveAsync(timeout.Token).ConfigureAwait(false);
            return result.Buffer;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return null; // ICMP port unreachable surfaces here; treat it as a lost packet
        }
    }
}
