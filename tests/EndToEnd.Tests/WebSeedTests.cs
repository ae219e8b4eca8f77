using System.Globalization;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Web seeds (issue 17, BEP 19) against Debian's nginx, which honours Range requests (python3's http.server
/// does not): a torrent made with `swarm torrent create --web-seed` downloads from nginx alone, byte-exact; a web seed
/// serving wrong bytes (a second nginx location over a corrupted copy) is banned while an honest libtorrent seeder
/// finishes the download.</summary>
public sealed class WebSeedTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Swarm_downloads_from_nginx_as_its_only_source(PayloadKind kind)
    {
        var content = Payload.Create(kind, Dir.Sub("www"));
        var nginx = Own(await Nginx.StartAsync(Log, Dir.Sub("nginx"), content.Parent, lies: null));
        var torrent = await CreateAsync(content, nginx.Url);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent, outDir, FreePort.Next(), StateDir("leecher")));
        await leecher.WaitForCompleteAsync(Metainfo.Load(torrent).InfoHash);

        TreeHash.AssertSame(content.Path, Path.Combine(outDir, content.Name));
        Assert.DoesNotContain(leecher.Stderr, l => l.Contains("web seed", StringComparison.Ordinal));
        Assert.Contains(nginx.AccessLog(), l => l.Contains(" 206 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lying_web_seed_is_banned_while_an_honest_libtorrent_peer_finishes_the_download()
    {
        var content = Payload.Create(PayloadKind.MultiFile, Dir.Sub("www"));
        var lies = Dir.Sub("lies");
        foreach (var file in Directory.EnumerateFiles(content.Path, "*", SearchOption.AllDirectories))
        {
            // Same names and lengths, other bytes: every header the server sends is honest, the data is not.
            var copy = Path.Combine(lies, content.Name, Path.GetRelativePath(content.Path, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            Payload.WriteRandomFile(copy, new FileInfo(file).Length, seed: 99);
        }

        var nginx = Own(await Nginx.StartAsync(Log, Dir.Sub("nginx"), content.Parent, lies));
        var torrent = await CreateAsync(content, nginx.Url + "lies/");
        var infoHash = Metainfo.Load(torrent).InfoHash;
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrent, content.Parent, seedPort));

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(infoHash);

        TreeHash.AssertSame(content.Path, Path.Combine(outDir, content.Name));
        Assert.Contains(leecher.Stderr, l => l.Contains($"banning web seed {nginx.Url}lies/", StringComparison.Ordinal));
        Assert.Contains(nginx.AccessLog(), l => l.Contains("GET /lies/", StringComparison.Ordinal) && l.Contains(" 206 ", StringComparison.Ordinal));
    }

    /// <summary>`swarm torrent create --web-seed URL` in 64 KiB pieces (several pieces even for the smallest files).</summary>
    private async Task<string> CreateAsync(Content content, string webSeed)
    {
        var torrent = Path.Combine(Dir.Path, $"{content.Name}.torrent");
        var created = await SwarmCli.RunAsync(Log, Timeouts.Start, "torrent", "create", content.Path, "-o", torrent, "--piece-length", "65536", "--web-seed", webSeed);
        created.EnsureSuccess();
        return torrent;
    }

    /// <summary>nginx in the foreground, one process (no workers), from a config in the test's folder: its pid, logs
    /// and temp files stay there, and it is killed with the test.</summary>
    private sealed class Nginx(ManagedProcess process, string prefix, int port) : IAsyncDisposable
    {
        public string Url => $"http://127.0.0.1:{port}/";

        public static async Task<Nginx> StartAsync(ITestOutputHelper log, string prefix, string root, string? lies)
        {
            var port = FreePort.Next();
            var conf = Path.Combine(prefix, "nginx.conf");
            var liesLocation = lies is null ? string.Empty : $"location /lies/ {{ alias {lies}/; }}";
            // As root, nginx would serve as 'nobody', which cannot read the test's private temp folder.
            var user = Environment.UserName == "root" ? "user root;" : string.Empty;
            await File.WriteAllTextAsync(conf, string.Create(CultureInfo.InvariantCulture, $$"""
                daemon off;
                master_process off;
                {{user}}
                pid {{prefix}}/nginx.pid;
                error_log {{prefix}}/error.log info;
                events { worker_connections 64; }
                http {
                  access_log {{prefix}}/access.log;
                  client_body_temp_path {{prefix}}/client_body;
                  proxy_temp_path {{prefix}}/proxy;
                  fastcgi_temp_path {{prefix}}/fastcgi;
                  uwsgi_temp_path {{prefix}}/uwsgi;
                  scgi_temp_path {{prefix}}/scgi;
                  sendfile on;
                  server {
                    listen 127.0.0.1:{{port}};
                    location / { root {{root}}; }
                    {{liesLocation}}
                  }
                }
                """));
            var process = ManagedProcess.Start($"nginx :{port}", "/usr/sbin/nginx", ["-c", conf, "-p", prefix, "-e", Path.Combine(prefix, "error.log")], log);
            try
            {
                await ListeningPorts.UntilListeningAsync(port, process, Timeouts.Start);
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }

            return new Nginx(process, prefix, port);
        }

        public IReadOnlyList<string> AccessLog() => File.ReadAllLines(Path.Combine(prefix, "access.log"));

        public ValueTask DisposeAsync() => process.DisposeAsync();
    }
}
