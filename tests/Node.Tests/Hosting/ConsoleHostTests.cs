using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Akka.Actor;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Configuration;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Node.ConsoleClient;
using Swarm.Node.Hosting;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.Hosting;

/// <summary>The console's own actor system over real loopback remoting: who a refused request is logged as.</summary>
public sealed partial class ConsoleHostTests
{
    [Fact]
    public async Task A_refused_request_is_logged_with_the_connections_real_source_not_the_address_the_console_declares()
    {
        var config = SwarmConfiguration.Load(null, new Dictionary<string, string>());
        var settings = SwarmSettings.From(config).Console with { Port = 0, Secret = "s3cret" };
        var log = new CapturedLog();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
        var nodeSystem = ActorSystem.Create("console-host-test");
        try
        {
            var info = new ConsoleNodeInfo("n", "127.0.0.1:1", "/tmp", "in-memory", "/tmp", DateTime.UtcNow, nodeSystem, () => { });
            await using var host = ConsoleHost.Start(config, settings, 0, info, ActorRefs.Nobody, loggers);
            await using var console = await ConsoleConnection.ConnectAsync($"127.0.0.1:{host.EndPoint.Port}", "guess", settings);

            Assert.IsType<Refused>(await console.SendAsync(new GetNodeStatus()));

            var line = await log.LineAsync(l => l.Contains("refused", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            // The client listens on one ephemeral port (what it declares) and connects from another (what it is).
            var match = Refusal().Match(line);
            Assert.True(match.Success, line);
            Assert.Equal("127.0.0.1", match.Groups["host"].Value);
            Assert.NotEqual(match.Groups["declaredPort"].Value, match.Groups["port"].Value);
            Assert.Contains("swarm-console-client@127.0.0.1:", line);
        }
        finally
        {
            await nodeSystem.Terminate();
        }
    }

    [Fact]
    public void The_declared_origin_is_read_from_an_associate_frame_and_anything_else_has_none()
    {
        var origin = Message((1, Text("swarm-console-client")), (2, Text("10.1.2.3")), (3, Varint(4711)), (4, Text("tcp")));
        var handshake = Message((1, Bytes(origin)), (2, Fixed64(99)));
        var control = Message((1, Varint(1)), (2, Bytes(handshake)));
        var frame = Message((2, Bytes(control)));

        Assert.Equal(new Address("akka.tcp", "swarm-console-client", "10.1.2.3", 4711), ConsoleTransport.DeclaredOrigin(ByteString.CopyFrom(frame)));
        Assert.Null(ConsoleTransport.DeclaredOrigin(ByteString.CopyFrom(Message((1, Bytes([1, 2, 3]))))));
        Assert.Null(ConsoleTransport.DeclaredOrigin(ByteString.CopyFrom([0xff, 0xff, 0xff])));
        Assert.Null(ConsoleTransport.DeclaredOrigin(ByteString.Empty));
    }

    [Fact]
    public void Only_messages_to_the_console_endpoint_or_selections_from_the_root_go_up()
    {
        const string node = "akka.tcp://swarm-console@127.0.0.1:7000";

        static byte[] Envelope(string recipient, uint serializerId)
        {
            var message = Message((1, Bytes([1, 2])), (2, Varint(serializerId)), (3, Text("")));
            var envelope = Message((1, Bytes(Message((1, Text(recipient))))), (2, Bytes(message)));
            return Message((1, Bytes(Message((2, Bytes(envelope))))));
        }

        Assert.True(ConsoleTransport.Admits(ByteString.CopyFrom(Envelope(node + "/user/console#42", 9)), out _));
        Assert.True(ConsoleTransport.Admits(ByteString.CopyFrom(Envelope(node + "/", 6)), out _));
        // A heartbeat (a control frame) and a bare acknowledgement carry no envelope.
        Assert.True(ConsoleTransport.Admits(ByteString.CopyFrom(Message((2, Bytes(Message((1, Varint(3))))))), out _));
        var ack = Message((1, Bytes(Message((1, Varint(1))))));
        Assert.True(ConsoleTransport.Admits(ByteString.CopyFrom(Message((1, Bytes(ack)))), out _));

        foreach (var (recipient, serializer) in new[] { (node + "/", 9u), (node + "/system/remote-watcher", 6u), (node + "/user", 6u), (node + "/user/console/child", 9u), (node + "/user/node", 9u), ("not a path", 9u) })
        {
            Assert.False(ConsoleTransport.Admits(ByteString.CopyFrom(Envelope(recipient, serializer)), out var refused), recipient);
            Assert.Equal(recipient, refused);
        }

        Assert.False(ConsoleTransport.Admits(ByteString.CopyFrom([0x0a, 0x05, 0x12, 0xff, 0xff]), out _));
    }

    [Fact]
    public void A_connections_source_is_written_as_an_endpoint_with_ipv4_peers_as_ipv4()
    {
        Assert.Equal("127.0.0.1:38420", ConsoleTransport.SourceOf(new Address("tcp", "swarm-console", "[::ffff:127.0.0.1]", 38420)));
        Assert.Equal("10.0.0.7:5", ConsoleTransport.SourceOf(new Address("tcp", "swarm-console", "10.0.0.7", 5)));
        Assert.Equal("[2001:db8::1]:6", ConsoleTransport.SourceOf(new Address("tcp", "swarm-console", "[2001:db8::1]", 6)));
    }

    [GeneratedRegex(@"from (?<host>[0-9.]+):(?<port>\d+) \(declaring akka\.tcp://swarm-console-client@[0-9.]+:(?<declaredPort>\d+)\) refused: wrong secret")]
    private static partial Regex Refusal();

    // A protobuf message written by hand: each field is (number, wire type + encoded value).
    private static byte[] Message(params (int Number, (WireFormat.WireType Type, Action<CodedOutputStream> Write) Value)[] fields)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var (number, (type, write)) in fields)
        {
            output.WriteTag(number, type);
            write(output);
        }

        output.Flush();
        return buffer.ToArray();
    }

    private static (WireFormat.WireType, Action<CodedOutputStream>) Text(string s) => (WireFormat.WireType.LengthDelimited, o => o.WriteString(s));

    private static (WireFormat.WireType, Action<CodedOutputStream>) Bytes(byte[] b) => (WireFormat.WireType.LengthDelimited, o => o.WriteBytes(ByteString.CopyFrom(b)));

    private static (WireFormat.WireType, Action<CodedOutputStream>) Varint(uint v) => (WireFormat.WireType.Varint, o => o.WriteUInt32(v));

    private static (WireFormat.WireType, Action<CodedOutputStream>) Fixed64(ulong v) => (WireFormat.WireType.Fixed64, o => o.WriteFixed64(v));


    /// <summary>Every line logged, for the test to wait on.</summary>
    private sealed class CapturedLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public ILogger CreateLogger(string categoryName) => new Logger(_lines);

        public async Task<string> LineAsync(Func<string, bool> wanted, TimeSpan within)
        {
            var until = DateTime.UtcNow + within;
            while (DateTime.UtcNow < until)
            {
                if (_lines.FirstOrDefault(wanted) is { } line)
                {
                    return line;
                }

                await Task.Delay(20);
            }

            throw new TimeoutException($"no such line within {within}; logged: {string.Join(" | ", _lines)}");
        }

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
