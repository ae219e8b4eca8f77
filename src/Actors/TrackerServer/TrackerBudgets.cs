using Swarm.Actors.Configuration;

namespace Swarm.Actors.TrackerServer;

/// <summary>The room one tracker has for peers: a share per source address (<c>max-peers-per-address</c>) inside the
/// node-wide budget (<c>max-peers</c>), taken together and given back together by the tracked-torrent actors.</summary>
public sealed class TrackerBudgets(TrackerServerSettings settings)
{
    public PeerBudget Peers { get; } = new(settings.MaxPeers);

    public AddressBudget PerAddress { get; } = new(settings.MaxPeersPerAddress);

    /// <summary>Room for one more peer from <paramref name="address"/>: its share first, then the node's budget.</summary>
    public bool TryTakePeer(PeerAddress address)
    {
        if (!PerAddress.TryTake(address))
        {
            return false;
        }

        if (Peers.TryTake())
        {
            return true;
        }

        PerAddress.Give(address);
        return false;
    }

    public void GivePeer(PeerAddress address)
    {
        PerAddress.Give(address);
        Peers.Give(1);
    }
}
