using System.Runtime.Serialization;
using Akka.Event;
using Swarm.Actors.Serialization;
using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

public sealed class WireRefusalLineTests
{
    private const string Reader = "akka.tcp://swarm-console@127.0.0.1:4050/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Fintruder%40127.0.0.1%3A40425-1/endpointWriter/endpointReader-akka.tcp%3A%2F%2Fintruder%40127.0.0.1%3A40425-1";

    [Fact]
    public void A_refused_type_is_one_line_naming_the_type_and_the_remote()
    {
        var cause = new SerializationException(WireSerializer.RefusalPrefix + "System.Version, System.Private.CoreLib: not a type of swarm's console protocol, dropped");
        var e = new Warning(cause, Reader, typeof(WireRefusalLineTests), "Deserialization failed for message with serializer id [-5] and manifest [].");

        Assert.Equal(
            "refused a message holding System.Version, System.Private.CoreLib: not a type of swarm's console protocol, dropped (from akka.tcp://intruder@127.0.0.1:40425; the connection stays up)",
            WireRefusalLine.Of(e));
    }

    [Fact]
    public void Other_serialization_failures_keep_akkas_line()
    {
        Assert.Null(WireRefusalLine.Of(new Warning(new SerializationException("Failed to deserialize instance"), Reader, typeof(WireRefusalLineTests), "Deserialization failed")));
        Assert.Null(WireRefusalLine.Of(new Warning(Reader, typeof(WireRefusalLineTests), "Association with remote system has failed")));
    }
}
