namespace Swarm.Protocol.Bencode;

public sealed class BencodeException(string message, int offset) : FormatException($"{message} at byte {offset}")
{
    public int Offset { get; } = offset;
}
