namespace Swarm.Protocol.Bencode;

/// <summary>Caps that keep a hostile document from exhausting the stack or memory.
/// Defaults follow libtorrent (depth 100, 2,000,000 tokens).</summary>
public sealed record BencodeLimits(int MaxDepth = 100, int MaxTokens = 2_000_000, int MaxStringLength = 64 * 1024 * 1024)
{
    public static BencodeLimits Default { get; } = new();
}
