using System.Globalization;
using System.Numerics;

namespace Swarm.Protocol.Mse;

/// <summary>One side's MSE Diffie-Hellman key pair over the spec's 768-bit prime with generator 2, and the shared
/// secret S it makes with the other side's public value (which is checked: 0, 1 and anything ≥ P-1 give a secret
/// an attacker can predict).</summary>
public sealed class DiffieHellman
{
    /// <summary>The MSE prime P (the 768-bit Oakley group 1 prime).</summary>
    public static readonly BigInteger P = BigInteger.Parse(
        "0FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563",
        NumberStyles.HexNumber,
        CultureInfo.InvariantCulture);

    public static readonly BigInteger G = 2;

    private readonly BigInteger _private;

    private DiffieHellman(BigInteger privateKey)
    {
        _private = privateKey;
        PublicKey = ToKeyBytes(BigInteger.ModPow(G, privateKey, P));
    }

    /// <summary>Our public value (Ya or Yb), 96 bytes big-endian.</summary>
    public byte[] PublicKey { get; }

    /// <summary>A key pair with a 160-bit private exponent drawn from <paramref name="random"/>.</summary>
    public static DiffieHellman Create(FillRandom random)
    {
        Span<byte> bytes = stackalloc byte[MseLimits.PrivateKeyLength];
        while (true)
        {
            random(bytes);
            var x = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            if (x > 1)
            {
                return new DiffieHellman(x);
            }
        }
    }

    /// <summary>A key pair from a given private exponent (big-endian), for known-answer tests.</summary>
    public static DiffieHellman FromPrivateKey(ReadOnlySpan<byte> privateKey) =>
        new(new BigInteger(privateKey, isUnsigned: true, isBigEndian: true));

    /// <summary>S, 96 bytes big-endian, from the other side's public value; <see cref="MseException"/> when that value
    /// is not in 2..P-2 or is not 96 bytes.</summary>
    public byte[] SharedSecret(ReadOnlySpan<byte> remotePublicKey)
    {
        if (remotePublicKey.Length != MseLimits.KeyLength)
        {
            throw new MseException($"a public key is {MseLimits.KeyLength} bytes, not {remotePublicKey.Length}");
        }

        var y = new BigInteger(remotePublicKey, isUnsigned: true, isBigEndian: true);
        if (y <= BigInteger.One || y >= P - BigInteger.One)
        {
            throw new MseException("invalid Diffie-Hellman public key (must be between 2 and P-2)");
        }

        return ToKeyBytes(BigInteger.ModPow(y, _private, P));
    }

    private static byte[] ToKeyBytes(BigInteger value)
    {
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var bytes = new byte[MseLimits.KeyLength];
        raw.CopyTo(bytes, MseLimits.KeyLength - raw.Length);
        return bytes;
    }
}
