namespace Swarm.Protocol.PeerWire;

/// <summary>A peer-wire message (BEP 3, BEP 6 fast extension, BEP 10 extension protocol).</summary>
public abstract record PeerMessage;

public sealed record KeepAlive : PeerMessage
{
    public static KeepAlive Instance { get; } = new();
}

public sealed record Choke : PeerMessage
{
    public static Choke Instance { get; } = new();
}

public sealed record Unchoke : PeerMessage
{
    public static Unchoke Instance { get; } = new();
}

public sealed record Interested : PeerMessage
{
    public static Interested Instance { get; } = new();
}

public sealed record NotInterested : PeerMessage
{
    public static NotInterested Instance { get; } = new();
}

public sealed record Have(int Piece) : PeerMessage;

public sealed record Bitfield(byte[] Bits) : PeerMessage;

public sealed record Request(int Piece, int Begin, int Length) : PeerMessage;

public sealed record PieceBlock(int Piece, int Begin, byte[] Data) : PeerMessage
{
    /// <summary>Data is a <see cref="BlockBuffers"/> array: the piece that copies it in gives it back.</summary>
    public bool Pooled { get; init; }
}

public sealed record Cancel(int Piece, int Begin, int Length) : PeerMessage;

public sealed record DhtPort(ushort Port) : PeerMessage;

public sealed record SuggestPiece(int Piece) : PeerMessage;

public sealed record HaveAll : PeerMessage
{
    public static HaveAll Instance { get; } = new();
}

public sealed record HaveNone : PeerMessage
{
    public static HaveNone Instance { get; } = new();
}

public sealed record RejectRequest(int Piece, int Begin, int Length) : PeerMessage;

public sealed record AllowedFast(int Piece) : PeerMessage;

/// <param name="ExtendedId">0 is the BEP 10 handshake; other ids are those the receiver assigned.</param>
public sealed record Extended(byte ExtendedId, byte[] Payload) : PeerMessage;

internal static class MessageId
{
    public const byte Choke = 0;
    public const byte Unchoke = 1;
    public const byte Interested = 2;
    public const byte NotInterested = 3;
    public const byte Have = 4;
    public const byte Bitfield = 5;
    public const byte Request = 6;
    public const byte Piece = 7;
    public const byte Cancel = 8;
    public const byte Port = 9;
    public const byte SuggestPiece = 13;
    public const byte HaveAll = 14;
    public const byte HaveNone = 15;
    public const byte RejectRequest = 16;
    public const byte AllowedFast = 17;
    public const byte Extended = 20;
}
