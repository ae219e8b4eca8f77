using Swarm.Protocol.Mse;

namespace Swarm.Actors.Peers.Encryption;

/// <summary>Message stream encryption (MSE/PE) on peer connections (`swarm.peer.encryption`, `--encryption`).</summary>
public enum EncryptionPolicy
{
    /// <summary>Dial with MSE offering RC4 and plaintext (RC4 chosen when the peer allows it), and fall back to a plain
    /// handshake on the next dial when a peer drops our MSE; accept both kinds.</summary>
    Prefer,

    /// <summary>MSE with RC4 only, both ways: a plain handshake is refused and never sent.</summary>
    Require,

    /// <summary>Plain BitTorrent handshakes only, both ways.</summary>
    Disable,
}

/// <summary>Parsing and the MSE crypto methods each policy offers and accepts.</summary>
public static class EncryptionPolicies
{
    public static EncryptionPolicy Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "prefer" => EncryptionPolicy.Prefer,
        "require" => EncryptionPolicy.Require,
        "disable" => EncryptionPolicy.Disable,
        _ => throw new ArgumentException($"encryption '{text}' is not one of prefer, require, disable"),
    };

    public static string Name(this EncryptionPolicy policy) => policy.ToString().ToLowerInvariant();

    /// <summary>What we offer (dialling) or accept (answering) in an MSE handshake; none for <see cref="EncryptionPolicy.Disable"/>.</summary>
    public static CryptoMethods Methods(this EncryptionPolicy policy) => policy switch
    {
        EncryptionPolicy.Prefer => CryptoMethods.Rc4 | CryptoMethods.Plaintext,
        EncryptionPolicy.Require => CryptoMethods.Rc4,
        _ => CryptoMethods.None,
    };
}
