namespace Swarm.Protocol.Metainfo;

/// <summary>A torrent file that cannot be used; the message says what is wrong in one line.</summary>
public sealed class InvalidTorrentException(string message, Exception? inner = null) : Exception(message, inner);
