using System.Buffers.Binary;
using System.Net;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Asks an HTTP tracker which addresses it records for a torrent, as a peer would learn them: an announce
/// from a port where nothing listens, withdrawn at once with event=stopped so no one dials it for long.</summary>
public static class TrackerPeers
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static async Task<IReadOnlyList<IPEndPoint>> ListAsync(string announceUrl, string infoHash)
    {
        var escaped = string.Concat(Convert.FromHexString(infoHash).Select(b => $"%{b:X2}"));
        var peerId = string.Concat("-TE0001-".Select(c => $"%{(byte)c:X2}")) + string.Concat(Enumerable.Range(0, 12).Select(i => $"%{0x30 + i:X2}"));
        var port = FreePort.Next();
        var query = $"{announceUrl}?info_hash={escaped}&peer_id={peerId}&port={port}&uploaded=0&downloaded=0&left=1&compact=1&numwant=50";
        var body = await GetAsync($"{query}&event=started");
        await GetAsync($"{query}&event=stopped");
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

    private static async Task<byte[]> GetAsync(string url)
    {
        // opentracker closes every connection after its answer without saying so: a pooled one would be reset.
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { ConnectionClose = true } };
        using var response = await Http.SendAsync(request);
        return await response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync();
    }
}
