using System.Buffers.Binary;
using System.Net;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Talks to an HTTP tracker as a peer would: what addresses it records for a torrent, and announcing a
/// leecher of the test's own.</summary>
public static class TrackerPeers
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The addresses the tracker gives out for the torrent: an announce from a port where nothing listens,
    /// withdrawn at once with event=stopped so no one dials it for long.</summary>
    public static async Task<IReadOnlyList<IPEndPoint>> ListAsync(string announceUrl, string infoHash)
    {
        var port = FreePort.Next();
        var peers = await AnnounceLeecherAsync(announceUrl, infoHash, port);
        try
        {
            await GetAsync($"{Query(announceUrl, infoHash, port)}&event=stopped");
        }
        catch (HttpRequestException)
        {
            // opentracker sometimes resets this second connection (seen once in a full run). The withdrawal is only
            // courtesy: a peer that dials the port finds nothing there and moves on; the answer above is the fact.
        }

        return peers;
    }

    /// <summary>Announces a leecher listening on <paramref name="port"/> (the tracker records the address the request
    /// comes from) and returns the other peers the tracker gave it.</summary>
    public static async Task<IReadOnlyList<IPEndPoint>> AnnounceLeecherAsync(string announceUrl, string infoHash, int port)
    {
        var body = await GetAsync($"{Query(announceUrl, infoHash, port)}&event=started");
        var reply = (Dictionary<string, object>)Bencode.Decode(body);
        if (reply.TryGetValue("failure reason", out var failure))
        {
            throw new InvalidOperationException($"tracker {announceUrl} refused the announce: {System.Text.Encoding.UTF8.GetString((byte[])failure)}");
        }

        var compact = (byte[])reply["peers"];
        var peers = new List<IPEndPoint>();
        for (var i = 0; i + 6 <= compact.Length; i += 6)
        {
            var endpoint = new IPEndPoint(new IPAddress(compact.AsSpan(i, 4)), BinaryPrimitives.ReadUInt16BigEndian(compact.AsSpan(i + 4, 2)));
            if (endpoint.Port != port)
            {
                peers.Add(endpoint);
            }
        }

        return peers;
    }

    private static string Query(string announceUrl, string infoHash, int port)
    {
        var escaped = string.Concat(Convert.FromHexString(infoHash).Select(b => $"%{b:X2}"));
        var peerId = string.Concat("-TE0001-".Select(c => $"%{(byte)c:X2}")) + string.Concat($"{port:D12}".Select(c => $"%{(byte)c:X2}"));
        return $"{announceUrl}?info_hash={escaped}&peer_id={peerId}&port={port}&uploaded=0&downloaded=0&left=1&compact=1&numwant=50";
    }

    private static async Task<byte[]> GetAsync(string url)
    {
        // opentracker closes every connection after its answer without saying so: a pooled one would be reset.
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { ConnectionClose = true } };
        using var response = await Http.SendAsync(request);
        return await response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync();
    }
}
