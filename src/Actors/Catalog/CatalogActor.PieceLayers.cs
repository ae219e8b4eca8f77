using Akka.Event;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Catalog;

/// <summary>Keeps the BEP 52 piece layers a running torrent fetched from peers in its catalog row, so that a restart
/// (or a replica made from the row) can verify its pieces without asking again.</summary>
public sealed partial class CatalogActor
{
    private void OnPieceLayersFetched(PieceLayersFetched f)
    {
        if (!_state.Torrents.TryGetValue(f.InfoHash, out var row) || (row.PieceLayers is { } kept && kept.AsSpan().SequenceEqual(f.PieceLayers)))
        {
            return;
        }

        // The row again, with the layers: the same generation, so the torrent's journal and history stay.
        PersistApplied(row with { PieceLayers = f.PieceLayers }, _ => _log.Info("torrent {0}: piece layers fetched from peers kept in the catalog", f.InfoHash[..8]));
    }
}
