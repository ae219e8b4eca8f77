namespace Swarm.Protocol.Mse;

/// <summary>The crypto_provide / crypto_select bits of the MSE handshake: what carries the stream after it.</summary>
[Flags]
public enum CryptoMethods : uint
{
    None = 0,

    /// <summary>The handshake is encrypted, the payload stream is not.</summary>
    Plaintext = 0x01,

    /// <summary>The payload stream stays RC4-encrypted.</summary>
    Rc4 = 0x02,
}
