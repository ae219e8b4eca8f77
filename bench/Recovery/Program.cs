using System.Security.Cryptography;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Swarm.Actors.Persistence;
using Swarm.Protocol.Bencode;
using static Swarm.Actors.Persistence.TorrentJournalMessages;

// populate DATA_DIR TORRENTS PIECES PIECE_LENGTH CONNECTION_STRING  (Host=… means PostgreSQL, else SQLite)
// Writes exactly what a node would have journaled after downloading the torrents (catalog + per-torrent journals,
// batches of 64 pieces, snapshots), with sparse content files of full length, under the node id in DATA_DIR/node-id.
if (args.Length != 6 || args[0] != "populate")
{
    Console.Error.WriteLine("usage: populate DATA_DIR TORRENTS PIECES PIECE_LENGTH CONNECTION_STRING");
    return 2;
}

var (dataDir, torrents, pieces, pieceLength, cs) = (args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), args[5]);
var provider = cs.StartsWith("Host=", StringComparison.Ordinal) ? "PostgreSQL.15" : "SQLite.MS";
Directory.CreateDirectory(dataDir);
var nodeId = Guid.NewGuid().ToString("N");
File.WriteAllText(Path.Combine(dataDir, "node-id"), nodeId);
var q = (string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
var config = ConfigurationFactory.ParseString($"""
    akka.loglevel = WARNING
    akka.persistence.journal.sql.connection-string = {q(cs)}
    akka.persistence.journal.sql.provider-name = {q(provider)}
    akka.persistence.snapshot-store.sql.connection-string = {q(cs)}
    akka.persistence.snapshot-store.sql.provider-name = {q(provider)}
    """).WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "swarm.conf"))));
using var system = ActorSystem.Create("populate", config);
var catalog = system.ActorOf(Props.Create(() => new CatalogWriter($"{nodeId}/torrents")));
var content = Path.Combine(dataDir, "content");
Directory.CreateDirectory(content);
var inbox = Inbox.Create(system);
for (var t = 0; t < torrents; t++)
{
    var name = $"t{t:D5}.bin";
    var length = (long)pieces * pieceLength;
    var info = BencodeWriter.Encode(BDictionary.From(
        ("length", new BInteger(length)),
        ("name", new BString(name)),
        ("piece length", new BInteger(pieceLength)),
        ("pieces", new BString(RandomNumberGenerator.GetBytes(pieces * 20)))));
    var hash = Convert.ToHexStringLower(SHA1.HashData(info));
    using (var f = File.Create(Path.Combine(content, name)))
    {
        f.SetLength(length); // sparse: recovery checks existence and length, never content
    }

    var added = new TorrentAdded(hash, Guid.NewGuid().ToString("N"), info, [], content, false, false);
    await catalog.Ask<Done>(added, TimeSpan.FromSeconds(30));
    var journal = system.ActorOf(TorrentJournalActor.Props($"{nodeId}/torrent-{hash}-{added.Generation}", pieces, inbox.Receiver, 100));
    inbox.Receive(TimeSpan.FromSeconds(30)); // Recovered
    var id = 0;
    foreach (var batch in Enumerable.Range(0, pieces).Chunk(64))
    {
        journal.Tell(new WriteJournalEvent(++id, new PiecesVerified(batch)), inbox.Receiver);
    }

    for (var i = 0; i < id; i++)
    {
        if (inbox.Receive(TimeSpan.FromSeconds(60)) is not JournalEventWritten)
        {
            throw new InvalidOperationException("journal write failed");
        }
    }

    system.Stop(journal);
}

Console.WriteLine($"populated {torrents} torrents × {pieces} pieces as node {nodeId}");
await system.Terminate();
return 0;

internal sealed record Done;

internal sealed class CatalogWriter(string id) : UntypedPersistentActor
{
    public override string PersistenceId { get; } = id;

    protected override void OnCommand(object message)
    {
        if (message is TorrentAdded a)
        {
            var sender = Sender;
            Persist(a, _ => sender.Tell(new Done()));
        }
    }

    protected override void OnRecover(object message)
    {
    }
}
