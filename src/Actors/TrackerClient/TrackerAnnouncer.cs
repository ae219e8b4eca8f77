using System.Net.Sockets;
using Swarm.Actors.Configuration;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerClient;

/// <summary>Talks to HTTP and UDP trackers; the codecs live in Swarm.Protocol. UDP connection ids are cached
/// per tracker for their one-minute lifetime (BEP 15). Announces leave from <see cref="TrackerSettings.SourceAddress"/>
/// when the node is bound to one address (<paramref name="http"/> serves the unbound case when local trackers are
/// allowed). What a hostile tracker can cost is bounded: bodies by <see cref="TrackerSettings.MaxResponseSize"/>
/// (<see cref="BoundedBody"/>), redirects by <see cref="TrackerRedirects"/>, peers per answer by
/// <see cref="TrackerSettings.MaxPeersPerReply"/>, UDP replies by the datagram size.</summary>
/// <param name="http">A client from <see cref="TrackerHttp"/> (redirects not followed by the handler).</param>
/// <param name="clock">Ages the cached UDP connection ids; the node's clock (<see cref="NodeContext.Clock"/>).</param>
public sealed class TrackerAnnouncer(TrackerSettings settings, HttpClient http, TimeProvider? clock = null)
{
    private readonly HttpClient _http = settings.SourceAddress is null && !settings.RefusePrivateAddresses
        ? http
        : TrackerHttp.For(settings.SourceAddress, settings.RefusePrivateAddresses);

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
        var body = await GetAsync(HttpTrackerCodec.BuildAnnounceUri(url, request), timeout.Token).ConfigureAwait(false);
        return HttpTrackerCodec.ParseAnnounce(body, settings.MaxPeersPerReply);
    }

    /// <summary>The body of the answer to <paramref name="uri"/>, following redirects one by one.</summary>
    private async Task<byte[]> GetAsync(Uri uri, CancellationToken ct)
    {
        for (var followed = 0; ; followed++)
        {
            HttpResponseMessage response;
            try
            {
                // Headers only: the body is read below as a stream, within the cap.
                response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw TrackerHttp.Unwrap(e);
            }

            using (response)
            {
                if (TrackerRedirects.IsRedirect(response.StatusCode))
                {
                    uri = TrackerRedirects.Next(uri, response.Headers.Location, followed, settings.MaxRedirects);
                    continue;
                }

                await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                var body = await BoundedBody.ReadAsync(stream, response.Content.Headers.ContentLength, settings.MaxResponseSize, ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode && body.Length == 0)
                {
                    throw new TrackerException($"tracker answered HTTP {(int)response.StatusCode}");
                }

                return body;
            }
        }
    }

    private async Task<AnnounceResponse> AnnounceUdpAsync(string url, AnnounceRequest request, CancellationToken ct)
    {
        var endpoint = UdpTrackerCodec.Resolve(url, System.Net.Dns.GetHostAddresses) ?? throw new TrackerException($"cannot resolve '{url}'");
        TrackerAddresses.Allowed(new Uri(url).Host, [endpoint.Address], settings.RefusePrivateAddresses);
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

            return UdpTrackerCodec.ParseAnnounce(answer, txa, settings.MaxPeersPerReply);
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
