using System.Net;
using System.Security.Cryptography;

namespace Swarm.Protocol.Dht;

/// <summary>announce_peer tokens (BEP 5): an HMAC of the requester's IP under a secret that rotates every few minutes;
/// a token from the current or the previous secret is accepted, so it lives between one and two rotations and
/// needs no per-requester state. Only the address that asked get_peers can announce with it.</summary>
public sealed record TokenIssuer(byte[] Current, byte[] Previous, DateTimeOffset RotatedAt)
{
    public const int TokenLength = 8;

    public static TokenIssuer Create(DateTimeOffset now) => new(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), now);

    /// <summary>A new secret when <paramref name="every"/> has passed since the last rotation, else this issuer.</summary>
    public TokenIssuer RotateIfDue(DateTimeOffset now, TimeSpan every) =>
        now - RotatedAt >= every ? new TokenIssuer(RandomNumberGenerator.GetBytes(32), Current, now) : this;

    public byte[] Issue(IPAddress requester) => Mac(Current, requester);

    public bool IsValid(IPAddress requester, ReadOnlySpan<byte> token) =>
        token.Length == TokenLength && (CryptographicOperations.FixedTimeEquals(token, Mac(Current, requester)) || CryptographicOperations.FixedTimeEquals(token, Mac(Previous, requester)));

    private static byte[] Mac(byte[] secret, IPAddress requester)
    {
        var a = requester.IsIPv4MappedToIPv6 ? requester.MapToIPv4() : requester;
        return HMACSHA256.HashData(secret, a.GetAddressBytes())[..TokenLength];
    }
}
