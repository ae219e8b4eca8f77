using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Tests.Support;

/// <summary>Random content on disk and its torrent, in a temp folder deleted on dispose.</summary>
public sealed class TestTorrent : IDisposable
{
    public TestTorrent(int length, int pieceLength, int seed = 42)
    {
        Root = Directory.CreateTempSubdirectory("swarm-actors-").FullName;
        SeedDir = Path.Combine(Root, "seed");
        Directory.CreateDirectory(SeedDir);
        Content = new byte[length];
        new Random(seed).NextBytes(Content);
        var file = Path.Combine(SeedDir, "content.bin");
        File.WriteAllBytes(file, Content);
        Metainfo = MetainfoParser.Parse(TorrentBuilder.Create("content.bin", Content, new TorrentBuildOptions([], pieceLength)));
    }

    public string Root { get; }

    public string SeedDir { get; }

    public byte[] Content { get; }

    public TorrentMetainfo Metainfo { get; }

    public string NewDir(string name)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Deletes the folder; retried, because a node still shutting down may create files in it meanwhile.</summary>
    public void Dispose()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100);
            }
        }
    }
}
