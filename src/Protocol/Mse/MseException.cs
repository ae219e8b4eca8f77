namespace Swarm.Protocol.Mse;

/// <summary>The remote side broke the MSE handshake (invalid key, no sync within its limit, unknown torrent, no
/// common crypto method); the connection must be dropped.</summary>
public sealed class MseException(string message) : Exception(message);
