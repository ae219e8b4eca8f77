using System.Net;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>Everything a connection actor needs; <see cref="Accepted"/> is set for incoming connections,
/// whose handshake the listener already read.</summary>
public sealed record PeerConnectionArgs(
    int Peer,
    IPEndPoint EndPoint,
    TorrentMetainfo Metainfo,
    TorrentStorage Storage,
    PieceSet OurPieces,
    NodeContext Node,
    TransferLimits Limits,
    PeerLink? Accepted = null,
    Handshake? AcceptedHandshake = null);
