using System.Collections.Concurrent;
using System.Net;
using Swarm.Protocol.Mse;

namespace Swarm.Actors.Peers.Encryption;

/// <summary>How the next dial to an endpoint speaks, node-wide. Under `prefer` a dial offers MSE (RC4 and plaintext);
/// a peer that drops it (a plain-only client closes on bytes that are not a handshake) is dialled plain next time, and
/// one that then drops the plain handshake too gets MSE again — libtorrent's alternation. `require` always dials
/// MSE with RC4, `disable` always plain. Thread-safe: dials run off the actors.</summary>
public sealed class EncryptionFallbacks(EncryptionPolicy policy)
{
    /// <summary>Endpoints remembered at most; past it the memory starts over (a plain-only peer then costs one more
    /// refused MSE dial), so a flood of peer addresses cannot grow it.</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<IPEndPoint, byte> _plainNext = new();

    public EncryptionPolicy Policy { get; } = policy;

    /// <summary>What to offer when dialling <paramref name="peer"/>; <see cref="CryptoMethods.None"/> is a plain handshake.</summary>
    public CryptoMethods Offer(IPEndPoint peer) => Policy switch
    {
        EncryptionPolicy.Require => CryptoMethods.Rc4,
        EncryptionPolicy.Prefer when !_plainNext.ContainsKey(peer) => CryptoMethods.Rc4 | CryptoMethods.Plaintext,
        _ => CryptoMethods.None,
    };

    /// <summary>The peer took the connection and then dropped the handshake we offered (<paramref name="offered"/>).</summary>
    public void Dropped(IPEndPoint peer, CryptoMethods offered)
    {
        if (Policy != EncryptionPolicy.Prefer)
        {
            return;
        }

        if (offered == CryptoMethods.None)
        {
            _plainNext.TryRemove(peer, out _);
            return;
        }

        if (_plainNext.Count >= Capacity)
        {
            _plainNext.Clear();
        }

        _plainNext[peer] = 0;
    }
}
