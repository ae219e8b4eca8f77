namespace Swarm.Protocol.Mse;

/// <summary>The fixed sizes and bounds of the MSE handshake, and the random source it draws keys and padding from.</summary>
public static class MseLimits
{
    /// <summary>Ya, Yb and the shared secret S: 768 bits, big-endian.</summary>
    public const int KeyLength = 96;

    /// <summary>PadA, PadB, PadC and PadD may each be at most this long (the spec's bound).</summary>
    public const int MaxPad = 512;

    /// <summary>The private exponent: 160 bits, as the spec recommends.</summary>
    public const int PrivateKeyLength = 20;

    /// <summary>The verification constant: 8 zero bytes, encrypted.</summary>
    public const int VcLength = 8;

    /// <summary>HASH('req1', S) and the other SHA-1 values of the handshake.</summary>
    public const int HashLength = 20;

    /// <summary>Bytes after Ya in which the receiver must find HASH('req1', S): PadA and then the hash.</summary>
    public const int Req1SearchLimit = MaxPad + HashLength;

    /// <summary>Bytes after Yb in which the initiator must find the encrypted VC: PadB and then the VC.</summary>
    public const int VcSearchLimit = MaxPad + VcLength;
}

/// <summary>Fills a span with random bytes (the private key and the padding); tests pass a seeded one.</summary>
public delegate void FillRandom(Span<byte> destination);
