using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>A reply frame the console cannot read (a node of another version, a damaged frame).</summary>
internal sealed class LocalWireException(string message) : Exception(message);

/// <summary>The console protocol on the node's local socket (issue 14: a one-shot command without an actor system in
/// the console). Where the socket lives, and how a request and its reply are framed: a 4-byte big-endian length, then
/// UTF-8 JSON <c>{"Secret":…, "Type":"GetNodeStatus", "Value":{…}}</c> one way and <c>{"Type":…, "Value":{…}}</c> or
/// <c>{"Unanswered":SECONDS}</c> the other. Only the console protocol's own records are read (<see cref="LocalConsoleCodec"/>
/// knows no other name), the same rule the Akka wire keeps with ConsoleWireSerializer.</summary>
internal static class LocalConsoleWire
{
    /// <summary>Names (as <see cref="IPAddress.ToString"/> spells them) sockets are looked up by when the console
    /// targets a loopback address: a node bound to every interface answers there too. Text, so that a one-shot console
    /// naming 127.0.0.1 or localhost never loads System.Net's address types (issue 14).</summary>
    private const string AnyV4 = "0.0.0.0";

    private const string AnyV6 = "::";

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
    public static string SocketPath(string folder, IPAddress ip, int port) => SocketPath(folder, ip.ToString(), port);

    /// <param name="address">The address as <see cref="IPAddress.ToString"/> spells it.</param>
    private static string SocketPath(string folder, string address, int port) =>
        Path.Combine(folder, $"{address.Replace(':', '_')}-{port}.sock");

    /// <summary>Whether a console bound to <paramref name="consoleAddress"/> can be named by a loopback target, the only
    /// kind that takes the local socket (<see cref="LocalConsoleLink.TryConnect"/>): a loopback or wildcard bind.
    /// A node bound to a network address alone opens no socket nobody would use.</summary>
    public static bool ServesLoopback(IPAddress consoleAddress) =>
        IPAddress.IsLoopback(consoleAddress) || consoleAddress.Equals(IPAddress.Any) || consoleAddress.Equals(IPAddress.IPv6Any);

    /// <summary>Sockets that answer for a console at the loopback address <paramref name="loopback"/> (as
    /// <see cref="IPAddress.ToString"/> spells it):<paramref name="port"/>, in order: the node bound to that address,
    /// then a node bound to every interface.</summary>
    public static string[] Candidates(string folder, string loopback, int port) =>
        [SocketPath(folder, loopback, port), SocketPath(folder, AnyV4, port), SocketPath(folder, AnyV6, port)];

    /// <summary>The loopback address <paramref name="host"/> names (an IP literal or localhost), spelt as
    /// <see cref="IPAddress.ToString"/> spells it; null for any other host.</summary>
    public static string? Loopback(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "127.0.0.1";
        }

        // The usual spelling, 127.x.y.z in canonical decimal, read without System.Net (issue 14); any other goes
        // through IPAddress, which knows every form (IPv6, mapped, abbreviated).
        return CanonicalLoopbackV4(host) ? host : ParsedLoopback(host);
    }

    private static bool CanonicalLoopbackV4(string host)
    {
        var parts = host.Split('.');
        if (parts.Length != 4 || parts[0] != "127")
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            var value = 0;
            foreach (var c in part)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            if (value > 255)
            {
                return false;
            }
        }

        return true;
    }

    private static string? ParsedLoopback(string host) =>
        IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip) ? ip.ToString() : null;

    public static byte[] EncodeRequest(ConsoleRequest request)
    {
        var w = new WireJsonWriter();
        w.WriteStartObject();
        w.WriteString("Secret", request.Secret);
        LocalConsoleCodec.Write(w, request.Command);
        w.WriteEndObject();
        return w.ToUtf8();
    }

    /// <exception cref="LocalWireException">Not a request of the console protocol.</exception>
    public static ConsoleRequest DecodeRequest(ReadOnlyMemory<byte> frame)
    {
        var root = Parse(frame);
        var secret = root.TryGetProperty("Secret", out var s) && s.Kind == WireJsonKind.String ? s.GetString() : null;
        return ReadValue(root) is IConsoleCommand command && secret is not null
            ? new ConsoleRequest(secret, command)
            : throw new LocalWireException("not a console request");
    }

    public static byte[] EncodeReply(IConsoleReply reply) => Encode(w => LocalConsoleCodec.Write(w, reply));

    /// <summary>The node's endpoint did not answer within <paramref name="bound"/>.</summary>
    public static byte[] EncodeUnanswered(TimeSpan bound) => Encode(w => w.WriteNumber("Unanswered", bound.TotalSeconds));

    /// <summary>The reply, or (null, seconds) when the node's endpoint did not answer within that many seconds.</summary>
    /// <exception cref="LocalWireException">Not a reply of the console protocol.</exception>
    public static (IConsoleReply? Reply, double UnansweredSeconds) DecodeReply(ReadOnlyMemory<byte> frame)
    {
        var root = Parse(frame);
        if (root.TryGetProperty("Unanswered", out var u) && u.Kind == WireJsonKind.Number)
        {
            return (null, u.GetDouble());
        }

        return ReadValue(root) is IConsoleReply reply ? (reply, 0) : throw new LocalWireException("not a console reply");
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

        var length = FrameLength(header, first, maximum);
        var payload = new byte[length];
        var read = await stream.ReadAtLeastAsync(payload, length, throwOnEndOfStream: false, cancel).ConfigureAwait(false);
        return read == length ? payload : throw new LocalWireException("frame cut short");
    }

    /// <summary>The blocking <see cref="WriteFrameAsync"/>, for the one-shot console (see <see cref="LocalConsoleLink"/>).</summary>
    public static void WriteFrame(Stream stream, byte[] payload)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, payload.Length);
        stream.Write(header);
        stream.Write(payload);
        stream.Flush();
    }

    /// <summary>The blocking <see cref="ReadFrameAsync"/>: the next frame, or null when the other side closed before one began.</summary>
    /// <exception cref="LocalWireException">Longer than <paramref name="maximum"/> bytes, or cut short.</exception>
    public static byte[]? ReadFrame(Stream stream, long maximum)
    {
        Span<byte> header = stackalloc byte[4];
        var first = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (first == 0)
        {
            return null;
        }

        var length = FrameLength(header, first, maximum);
        var payload = new byte[length];
        return stream.ReadAtLeast(payload, length, throwOnEndOfStream: false) == length ? payload : throw new LocalWireException("frame cut short");
    }

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

    private static WireJsonValue Parse(ReadOnlyMemory<byte> frame)
    {
        WireJsonValue root;
        try
        {
            root = WireJson.Parse(frame.Span);
        }
        catch (FormatException e)
        {
            throw new LocalWireException($"not JSON: {e.Message}");
        }

        return root.Kind == WireJsonKind.Object ? root : throw new LocalWireException("not a JSON object");
    }

    private static object? ReadValue(WireJsonValue root)
    {
        if (!root.TryGetProperty("Type", out var name) || name.Kind != WireJsonKind.String || !root.TryGetProperty("Value", out var value))
        {
            throw new LocalWireException("no Type and Value");
        }

        var typeName = name.GetString();
        return LocalConsoleCodec.Read(typeName, value) ?? throw new LocalWireException($"unknown console record '{typeName}'");
    }

    /// <summary>The payload length a frame's header announces, checked the same way for both readers.</summary>
    private static int FrameLength(ReadOnlySpan<byte> header, int headerBytesRead, long maximum)
    {
        var length = headerBytesRead == header.Length ? BinaryPrimitives.ReadInt32BigEndian(header) : throw new LocalWireException("frame cut short");
        return length < 0 || length > maximum ? throw new LocalWireException($"frame of {length} bytes (at most {maximum})") : length;
    }
}
