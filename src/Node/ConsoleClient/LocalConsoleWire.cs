using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>A reply frame the console cannot read (a node of another version, a damaged frame).</summary>
internal sealed class LocalWireException(string message) : Exception(message);

/// <summary>The console protocol on the node's local socket (issue 14: a one-shot command without an actor system in
/// the console). Where the socket lives, and how a request and its reply are framed: a 4-byte big-endian length, then
/// UTF-8 JSON <c>{"Secret":…, "Type":"GetNodeStatus", "Value":{…}}</c> one way and <c>{"Type":…, "Value":{…}}</c> or
/// <c>{"Unanswered":SECONDS}</c> the other. Only the console protocol's own records are read (the source-generated
/// <see cref="LocalConsoleJson"/> knows no other type), the same rule the Akka wire keeps with ConsoleWireSerializer.</summary>
internal static class LocalConsoleWire
{
    /// <summary>Names sockets are looked up by when the console targets a loopback address: a node bound to every
    /// interface answers there too.</summary>
    private static readonly IPAddress[] Wildcards = [IPAddress.Any, IPAddress.IPv6Any];

    // Built on first use: the command and reply records of the console protocol by their short names.
    private static Dictionary<string, Type>? s_types;

    /// <summary>The folder of this user's node sockets: $XDG_RUNTIME_DIR/swarm (the user's own, mode 0700) or, without
    /// one, swarm/console under the user's local application data. Only the user reaches either, so a socket in it
    /// answers only the user that runs the node, and no other user can put a socket there to catch a secret.</summary>
    public static string Folder()
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return runtime is { Length: > 0 } && Directory.Exists(runtime)
            ? Path.Combine(runtime, "swarm")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "swarm", "console");
    }

    /// <summary>The socket of the node whose console listens on <paramref name="ip"/>:<paramref name="port"/>.</summary>
    public static string SocketPath(string folder, IPAddress ip, int port) =>
        Path.Combine(folder, $"{ip.ToString().Replace(':', '_')}-{port}.sock");

    /// <summary>Whether a console bound to <paramref name="consoleAddress"/> can be named by a loopback target, the only
    /// kind that takes the local socket (<see cref="LocalConsoleLink.TryConnectAsync"/>): a loopback or wildcard bind.
    /// A node bound to a network address alone opens no socket nobody would use.</summary>
    public static bool ServesLoopback(IPAddress consoleAddress) => IPAddress.IsLoopback(consoleAddress) || Wildcards.Contains(consoleAddress);

    /// <summary>Sockets that answer for a console at <paramref name="ip"/>:<paramref name="port"/>, in order: the node
    /// bound to that address, then (for a loopback address) a node bound to every interface.</summary>
    public static IEnumerable<string> Candidates(string folder, IPAddress ip, int port)
    {
        yield return SocketPath(folder, ip, port);
        if (IPAddress.IsLoopback(ip))
        {
            foreach (var any in Wildcards)
            {
                yield return SocketPath(folder, any, port);
            }
        }
    }

    public static byte[] EncodeRequest(ConsoleRequest request) => Encode(w =>
    {
        w.WriteString("Secret", request.Secret);
        WriteValue(w, request.Command);
    });

    /// <exception cref="LocalWireException">Not a request of the console protocol.</exception>
    public static ConsoleRequest DecodeRequest(ReadOnlySpan<byte> frame)
    {
        var (root, secret) = Parse(frame, e => e.TryGetProperty("Secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null);
        using (root)
        {
            return ReadValue(root.RootElement) is IConsoleCommand command && secret is not null
                ? new ConsoleRequest(secret, command)
                : throw new LocalWireException("not a console request");
        }
    }

    public static byte[] EncodeReply(IConsoleReply reply) => Encode(w => WriteValue(w, reply));

    /// <summary>The node's endpoint did not answer within <paramref name="bound"/>.</summary>
    public static byte[] EncodeUnanswered(TimeSpan bound) => Encode(w => w.WriteNumber("Unanswered", bound.TotalSeconds));

    /// <summary>The reply, or (null, seconds) when the node's endpoint did not answer within that many seconds.</summary>
    /// <exception cref="LocalWireException">Not a reply of the console protocol.</exception>
    public static (IConsoleReply? Reply, double UnansweredSeconds) DecodeReply(ReadOnlySpan<byte> frame)
    {
        var (root, unanswered) = Parse(frame, e => e.TryGetProperty("Unanswered", out var u) && u.ValueKind == JsonValueKind.Number ? u.GetDouble() : (double?)null);
        using (root)
        {
            if (unanswered is { } seconds)
            {
                return (null, seconds);
            }

            return ReadValue(root.RootElement) is IConsoleReply reply ? (reply, 0) : throw new LocalWireException("not a console reply");
        }
    }

    public static async Task WriteFrameAsync(Stream stream, byte[] payload, CancellationToken cancel)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, payload.Length);
        await stream.WriteAsync(header, cancel).ConfigureAwait(false);
        await stream.WriteAsync(payload, cancel).ConfigureAwait(false);
        await stream.FlushAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>The next frame, or null when the other side closed before one began.</summary>
    /// <exception cref="LocalWireException">Longer than <paramref name="maximum"/> bytes, or cut short.</exception>
    public static async Task<byte[]?> ReadFrameAsync(Stream stream, long maximum, CancellationToken cancel)
    {
        var header = new byte[4];
        var first = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancel).ConfigureAwait(false);
        if (first == 0)
        {
            return null;
        }

        var length = first == header.Length ? BinaryPrimitives.ReadInt32BigEndian(header) : throw new LocalWireException("frame cut short");
        if (length < 0 || length > maximum)
        {
            throw new LocalWireException($"frame of {length} bytes (at most {maximum})");
        }

        var payload = new byte[length];
        var read = await stream.ReadAtLeastAsync(payload, length, throwOnEndOfStream: false, cancel).ConfigureAwait(false);
        return read == length ? payload : throw new LocalWireException("frame cut short");
    }

    /// <summary>The command and reply records of the console protocol, by name: what a frame's "Type" may name.</summary>
    public static IReadOnlyDictionary<string, Type> Types => s_types ??= typeof(Swarm.Actors.ConsoleEndpoint.ConsoleMessages)
        .GetNestedTypes()
        .Where(t => !t.IsInterface && (typeof(IConsoleCommand).IsAssignableFrom(t) || typeof(IConsoleReply).IsAssignableFrom(t)))
        .ToDictionary(t => t.Name, StringComparer.Ordinal);

    private static byte[] Encode(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter w, object value)
    {
        var type = value.GetType();
        w.WriteString("Type", type.Name);
        w.WritePropertyName("Value");
        JsonSerializer.Serialize(w, value, TypeInfo(type));
    }

    private static (JsonDocument Root, T Field) Parse<T>(ReadOnlySpan<byte> frame, Func<JsonElement, T> field)
    {
        JsonDocument root;
        try
        {
            root = JsonDocument.Parse(frame.ToArray());
        }
        catch (JsonException e)
        {
            throw new LocalWireException($"not JSON: {e.Message}");
        }

        if (root.RootElement.ValueKind != JsonValueKind.Object)
        {
            root.Dispose();
            throw new LocalWireException("not a JSON object");
        }

        return (root, field(root.RootElement));
    }

    private static object? ReadValue(JsonElement root)
    {
        if (!root.TryGetProperty("Type", out var name) || name.ValueKind != JsonValueKind.String || !root.TryGetProperty("Value", out var value))
        {
            throw new LocalWireException("no Type and Value");
        }

        var typeName = name.GetString()!;
        if (!Types.TryGetValue(typeName, out var type))
        {
            throw new LocalWireException($"unknown console record '{typeName}'");
        }

        try
        {
            return value.Deserialize(TypeInfo(type));
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new LocalWireException($"unreadable {typeName}: {e.Message}");
        }
    }

    private static JsonTypeInfo TypeInfo(Type type) =>
        LocalConsoleJson.Default.GetTypeInfo(type) ?? throw new LocalWireException($"the local wire does not carry {type.Name}");
}

/// <summary>Source-generated JSON for the console protocol's records: no reflection at run time (a one-shot console
/// pays no serializer start-up), and no type outside this list can be read. Rates may be NaN or infinite.</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(GetNodeStatus))]
[JsonSerializable(typeof(ListNodeTorrents))]
[JsonSerializable(typeof(AddTorrentFile))]
[JsonSerializable(typeof(AddByLink))]
[JsonSerializable(typeof(PauseTorrent))]
[JsonSerializable(typeof(ResumeTorrent))]
[JsonSerializable(typeof(RemoveNodeTorrent))]
[JsonSerializable(typeof(ShowTorrent))]
[JsonSerializable(typeof(ListPeers))]
[JsonSerializable(typeof(RecheckTorrent))]
[JsonSerializable(typeof(SetLimits))]
[JsonSerializable(typeof(SetLogLevel))]
[JsonSerializable(typeof(GetCluster))]
[JsonSerializable(typeof(Search))]
[JsonSerializable(typeof(ListClusterTorrents))]
[JsonSerializable(typeof(Replicas))]
[JsonSerializable(typeof(Shutdown))]
[JsonSerializable(typeof(GetDht))]
[JsonSerializable(typeof(Refused))]
[JsonSerializable(typeof(CommandFailed))]
[JsonSerializable(typeof(Done))]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(TorrentListing))]
[JsonSerializable(typeof(PeerListing))]
[JsonSerializable(typeof(TorrentDetail))]
[JsonSerializable(typeof(Limits))]
[JsonSerializable(typeof(SearchListing))]
[JsonSerializable(typeof(ClusterInfo))]
[JsonSerializable(typeof(ClusterTorrentListing))]
[JsonSerializable(typeof(ReplicaInfo))]
[JsonSerializable(typeof(DhtInfo))]
internal sealed partial class LocalConsoleJson : JsonSerializerContext;
