namespace Swarm.Actors.Peers;

/// <summary>One connection's transfer rates, from its running byte counts sampled once per stats interval and
/// smoothed so that one burst or one quiet interval moves a rate only halfway (what the choker ranks peers by).
/// Immutable.</summary>
public readonly record struct RateMeter(long LastDownloaded, long LastUploaded, double DownloadRate, double UploadRate)
{
    /// <summary>Weight of the newest interval in the smoothed rate.</summary>
    private const double NewWeight = 0.5;

    public static RateMeter Zero => default;

    /// <param name="downloaded">Payload bytes received so far (a running total).</param>
    /// <param name="uploaded">Payload bytes sent so far (a running total).</param>
    /// <param name="interval">Time since the previous sample.</param>
    public RateMeter Sample(long downloaded, long uploaded, TimeSpan interval)
    {
        var seconds = interval.TotalSeconds;
        return new RateMeter(
            downloaded,
            uploaded,
            (DownloadRate * (1 - NewWeight)) + ((downloaded - LastDownloaded) / seconds * NewWeight),
            (UploadRate * (1 - NewWeight)) + ((uploaded - LastUploaded) / seconds * NewWeight));
    }
}
