using Akka.Configuration;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (storage): preallocation and gathered writes as hocon/swarm.conf gives them, and each turned off.</summary>
public sealed class StorageSettingsTests
{
    [Fact]
    public void New_files_are_preallocated_and_writes_gathered_up_to_1_MiB_by_default()
    {
        var storage = TestNodes.Settings.Storage;
        Assert.True(storage.Preallocate);
        Assert.Equal(1024 * 1024, storage.WriteRunBytes);
    }

    [Fact]
    public void Each_can_be_turned_off()
    {
        var off = SwarmSettings.From(ConfigurationFactory.ParseString("swarm.storage { preallocate = off, write-run-bytes = 0 }").WithFallback(TestNodes.Config)).Storage;
        Assert.False(off.Preallocate);
        Assert.Equal(0, off.WriteRunBytes);
    }
}
