using System.Security.Cryptography;
using System.Text;

namespace Swarm.Protocol.Mse;

/// <summary>The SHA-1 values of the MSE handshake: the sync marker HASH('req1', S), the obfuscated torrent
/// HASH('req2', SKEY) xor HASH('req3', S), and the RC4 keys HASH('keyA', S, SKEY) (initiator → receiver) and
/// HASH('keyB', S, SKEY) (receiver → initiator). SKEY is the info-hash.</summary>
public static class MseKeys
{
    public static byte[] Req1(ReadOnlySpan<byte> secret) => Hash("req1", secret, []);

    /// <summary>HASH('req2', SKEY): what the receiver compares, per torrent, against req2^req3 ^ HASH('req3', S).</summary>
    public static byte[] Req2(ReadOnlySpan<byte> skey) => Hash("req2", skey, []);

    public static byte[] Req3(ReadOnlySpan<byte> secret) => Hash("req3", secret, []);

    /// <summary>HASH('req2', SKEY) xor HASH('req3', S), as the initiator sends it.</summary>
    public static byte[] Req2Xor3(ReadOnlySpan<byte> skey, ReadOnlySpan<byte> secret)
    {
        var req2 = Req2(skey);
        Xor(req2, Req3(secret));
        return req2;
    }

    /// <summary>The RC4 key for what the initiator sends.</summary>
    public static byte[] KeyA(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> skey) => Hash("keyA", secret, skey);

    /// <summary>The RC4 key for what the receiver sends.</summary>
    public static byte[] KeyB(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> skey) => Hash("keyB", secret, skey);

    internal static void Xor(Span<byte> target, ReadOnlySpan<byte> with)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] ^= with[i];
        }
    }

    private static byte[] Hash(string label, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var input = new byte[label.Length + first.Length + second.Length];
        Encoding.ASCII.GetBytes(label, input);
        first.CopyTo(input.AsSpan(label.Length));
        second.CopyTo(input.AsSpan(label.Length + first.Length));
        return SHA1.HashData(input);
    }
}
