namespace Swarm.Protocol.PeerWire;

/// <summary>The remote peer broke the protocol; the connection must be closed.</summary>
public sealed class PeerProtocolException(string message) : Exception(message);
