using Swarm.EndToEnd.Tests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Base for tests that start processes: everything passed to <see cref="Own{T}"/> is disposed in
/// reverse order (so a tracker outlives its peers) and the test's temp dir is deleted, pass or fail.
/// </summary>
public abstract class EndToEndTest : IAsyncLifetime
{
    private readonly Stack<IAsyncDisposable> _owned = new();

    protected EndToEndTest(ITestOutputHelper log)
    {
        Log = log;
        Dir = new TempDir(GetType().Name);
    }

    protected ITestOutputHelper Log { get; }

    protected TempDir Dir { get; }

    protected T Own<T>(T resource) where T : IAsyncDisposable
    {
        _owned.Push(resource);
        return resource;
    }

    /// <summary>A fresh `--data-dir` for one swarm process.</summary>
    protected string StateDir(string name) => Dir.Sub(Path.Combine("state", name));

    /// <summary>A payload, its mktorrent torrent announcing to a fresh opentracker, and that tracker.</summary>
    protected async Task<(OpenTracker Tracker, TestTorrent Torrent)> CreateTrackedTorrentAsync(PayloadKind kind)
    {
        var port = FreePort.Next();
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log, OpenTracker.AnnounceUrlFor(port));
        var tracker = Own(await OpenTracker.StartAsync(Log, Dir.Sub("tracker"), port, torrent.InfoHash));
        return (tracker, torrent);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        while (_owned.TryPop(out var resource))
        {
            await resource.DisposeAsync();
        }

        Dir.Dispose();
    }
}
