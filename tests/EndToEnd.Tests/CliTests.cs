using System.Text.Json;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>`swarm torrent create` and `swarm torrent info`, checked against mktorrent's output.</summary>
public sealed class CliTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private const string Tracker = "http://127.0.0.1:6969/announce";
    private const int PieceLength = 1 << 18;

    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Create_writes_the_same_info_dictionary_as_mktorrent(PayloadKind kind)
    {
        var content = Payload.Create(kind, Dir.Sub("data"));
        var reference = await MkTorrent.CreateAsync(content.Path, Dir.File("mktorrent.torrent"), Log, Tracker, pieceLengthLog2: 18);

        var created = Dir.File("swarm.torrent");
        (await SwarmCli.RunAsync(Log, Timeouts.Start,
            "torrent", "create", content.Path, "-o", created, "--tracker", Tracker, "--piece-length", PieceLength.ToString())).EnsureSuccess();

        var ours = Metainfo.Load(created);
        Assert.True(reference.RawInfo.AsSpan().SequenceEqual(ours.RawInfo),
            $"The info dictionaries differ, so the info-hashes do ({reference.InfoHash} vs {ours.InfoHash}):\n" +
            Metainfo.DescribeInfoDifference(reference, ours));
        Assert.Equal(new[] { Tracker }, ours.Trackers);
    }

    [Fact]
    public async Task Create_private_with_comment_matches_mktorrent()
    {
        var content = Payload.Create(PayloadKind.MultiFile, Dir.Sub("data"));
        const string comment = "end-to-end comment";
        var reference = await MkTorrent.CreateAsync(content.Path, Dir.File("mktorrent.torrent"), Log, Tracker, 18, isPrivate: true, comment);

        var created = Dir.File("swarm.torrent");
        (await SwarmCli.RunAsync(Log, Timeouts.Start,
            "torrent", "create", content.Path, "-o", created, "--tracker", Tracker, "--piece-length", PieceLength.ToString(),
            "--private", "--comment", comment)).EnsureSuccess();

        var ours = Metainfo.Load(created);
        Assert.True(ours.IsPrivate, "--private did not set info.private = 1.");
        Assert.True(reference.RawInfo.AsSpan().SequenceEqual(ours.RawInfo),
            $"The info dictionaries differ ({reference.InfoHash} vs {ours.InfoHash}):\n{Metainfo.DescribeInfoDifference(reference, ours)}");
        Assert.True(ours.Root.TryGetValue("comment", out var written), "No top-level \"comment\".");
        Assert.Equal(comment, System.Text.Encoding.UTF8.GetString((byte[])written));

        var info = await InfoJsonAsync(created);
        Assert.True(info.GetProperty("private").GetBoolean());
    }

    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Info_json_describes_a_torrent_made_by_mktorrent(PayloadKind kind)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log, Tracker);
        var expected = torrent.Metainfo;

        var info = await InfoJsonAsync(torrent.TorrentPath);

        Assert.Equal(expected.InfoHash, info.GetProperty("infoHash").GetString());
        Assert.Equal(expected.Name, info.GetProperty("name").GetString());
        Assert.Equal(expected.PieceLength, info.GetProperty("pieceLength").GetInt64());
        Assert.Equal(expected.PieceCount, info.GetProperty("pieces").GetInt32());
        Assert.Equal(expected.Length, info.GetProperty("length").GetInt64());
        var files = info.GetProperty("files").EnumerateArray()
            .Select(f => (f.GetProperty("path").GetString()!, f.GetProperty("length").GetInt64()))
            .ToList();
        Assert.Equal(expected.Files, files);
        Assert.Equal(new[] { Tracker }, info.GetProperty("trackers").EnumerateArray().Select(t => t.GetString()!).ToList());
        Assert.False(info.GetProperty("private").GetBoolean());
    }

    [Fact]
    public async Task Info_without_json_names_the_info_hash()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);

        var result = (await SwarmCli.RunAsync(Log, Timeouts.Start, "torrent", "info", torrent.TorrentPath)).EnsureSuccess();

        Assert.Contains(torrent.InfoHash, result.StdoutText, StringComparison.Ordinal);
    }

    public enum BadInput
    {
        Garbage,
        Truncated,
        Empty,
        Missing,
    }

    [Theory]
    [InlineData(BadInput.Garbage)]
    [InlineData(BadInput.Truncated)]
    [InlineData(BadInput.Empty)]
    [InlineData(BadInput.Missing)]
    public async Task Info_rejects_invalid_input_with_exit_code_2_and_one_line(BadInput input)
    {
        var path = await WriteBadTorrentAsync(input);

        var result = await SwarmCli.RunAsync(Log, Timeouts.Reject, "torrent", "info", path, "--json");

        Assertions.CleanRejection(result, expectedExitCode: 2);
    }

    private async Task<string> WriteBadTorrentAsync(BadInput input)
    {
        var path = Dir.File("bad.torrent");
        switch (input)
        {
            case BadInput.Garbage:
                Payload.WriteRandomFile(path, 4096, seed: 7);
                break;
            case BadInput.Truncated:
                var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log, Tracker);
                var bytes = await File.ReadAllBytesAsync(torrent.TorrentPath);
                await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);
                break;
            case BadInput.Empty:
                await File.WriteAllBytesAsync(path, []);
                break;
            case BadInput.Missing:
                break;
        }

        return path;
    }

    private async Task<JsonElement> InfoJsonAsync(string torrent)
    {
        var result = (await SwarmCli.RunAsync(Log, Timeouts.Start, "torrent", "info", torrent, "--json")).EnsureSuccess();
        try
        {
            return JsonDocument.Parse(result.StdoutText).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"`swarm torrent info --json` did not print one JSON document: {e.Message}\n{result.StdoutText}");
        }
    }
}
