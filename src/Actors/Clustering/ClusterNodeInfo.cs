namespace Swarm.Actors.Clustering;

/// <summary>What the cluster actors know about their own node.</summary>
/// <param name="PeerEndPoint">Where other members dial this node's peer port (cluster host and peer port).</param>
/// <param name="DefaultSavePath">Where copies made for resilient seeding (and adds by info-hash without a folder) go.</param>
public sealed record ClusterNodeInfo(string NodeId, string PeerEndPoint, string DefaultSavePath);
