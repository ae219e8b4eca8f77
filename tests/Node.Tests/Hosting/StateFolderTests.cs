using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

public sealed class StateFolderTests : IDisposable
{
    private const string Hash = "376640819b61a9ef74dff6590dce18a4a07192da";
    private readonly string _dir = Directory.CreateTempSubdirectory("swarm-state-").FullName;

    [Fact]
    public void A_configured_folder_is_used_as_it_is_for_every_command()
    {
        var configured = Path.Combine(_dir, "mine");
        Assert.Equal(configured, StateFolder.Resolve(configured, null));
        Assert.Equal(configured, StateFolder.Resolve(configured, new TransferKey(Hash, "/srv/videos")));
    }

    [Fact]
    public void By_default_the_node_and_each_torrent_and_folder_have_their_own()
    {
        var node = StateFolder.Resolve(null, null);
        var videos = StateFolder.Resolve(string.Empty, new TransferKey(Hash, "/srv/videos"));
        var dl = StateFolder.Resolve(string.Empty, new TransferKey(Hash, "/tmp/dl"));
        var other = StateFolder.Resolve(string.Empty, new TransferKey(new string('a', 40), "/srv/videos"));

        Assert.Equal(Path.Combine(StateFolder.DefaultRoot, "node"), node);
        Assert.Equal(Path.Combine(StateFolder.DefaultRoot, "transfers"), Path.GetDirectoryName(videos));
        Assert.Matches($"^{Hash}-[0-9a-f]{{16}}$", Path.GetFileName(videos));
        Assert.Equal(4, new[] { node, videos, dl, other }.Distinct().Count());
    }

    [Fact]
    public void The_same_save_folder_however_written_is_the_same_transfer()
    {
        var absolute = StateFolder.TransferFolderName(new TransferKey(Hash, Path.Combine(_dir, "dl")));
        Assert.Equal(absolute, StateFolder.TransferFolderName(new TransferKey(Hash, Path.Combine(_dir, "dl") + "/")));
        Assert.Equal(absolute, StateFolder.TransferFolderName(new TransferKey(Hash.ToUpperInvariant(), Path.Combine(_dir, "x", "..", "dl"))));
    }

    [Fact]
    public void A_folder_is_held_by_one_holder_at_a_time_and_free_again_once_released()
    {
        var path = Path.Combine(_dir, "held");
        var transfer = new TransferKey(Hash, "/tmp/dl");
        using (var first = StateFolder.Acquire(path, transfer))
        {
            Assert.Equal(path, first.Path);
            var refused = Assert.Throws<IOException>(() => StateFolder.Acquire(path, transfer));
            Assert.Equal($"another swarm process (pid {Environment.ProcessId}) is already working on torrent {Hash} in /tmp/dl; stop it or wait for it to finish", refused.Message);
            var node = Assert.Throws<IOException>(() => StateFolder.Acquire(path, null));
            Assert.StartsWith($"the state folder {path} is in use by another swarm process (pid {Environment.ProcessId})", node.Message, StringComparison.Ordinal);
        }

        using var again = StateFolder.Acquire(path, transfer);
    }

    [Fact]
    public void A_folder_that_cannot_be_made_is_a_clear_error_not_a_lock_conflict()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a folder");

        var error = Assert.Throws<IOException>(() => StateFolder.Acquire(Path.Combine(file, "state"), null));
        Assert.StartsWith($"cannot use the state folder {Path.Combine(file, "state")}: ", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
