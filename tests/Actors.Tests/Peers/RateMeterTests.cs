using Swarm.Actors.Peers;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class RateMeterTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Each_sample_moves_the_rate_halfway_to_the_last_intervals()
    {
        var meter = RateMeter.Zero.Sample(downloaded: 1000, uploaded: 400, Second);
        Assert.Equal((500.0, 200.0), (meter.DownloadRate, meter.UploadRate));

        meter = meter.Sample(2000, 400, Second); // another 1000 down, nothing up
        Assert.Equal((750.0, 100.0), (meter.DownloadRate, meter.UploadRate));
    }

    [Fact]
    public void Rates_are_per_second_whatever_the_interval()
    {
        var meter = RateMeter.Zero.Sample(1000, 0, TimeSpan.FromMilliseconds(200));
        Assert.Equal(2500.0, meter.DownloadRate, 6); // 5000 B/s, halfway
    }

    [Fact]
    public void A_quiet_connection_decays_towards_zero()
    {
        var meter = RateMeter.Zero.Sample(8000, 0, Second);
        var rates = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            meter = meter.Sample(8000, 0, Second);
            rates.Add(meter.DownloadRate);
        }

        Assert.Equal([2000.0, 1000.0, 500.0], rates);
    }
}
