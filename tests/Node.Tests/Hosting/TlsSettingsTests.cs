using System.Net;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Swarm.Node.Hosting;
using Swarm.Node.Tls;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

/// <summary>swarm.tls read into a certificate and a peer check, and two real actor systems over loopback TLS: one
/// with a certificate from our CA reaches an actor, one from another CA and one without TLS do not.</summary>
public sealed class TlsSettingsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"swarm-tls-{Guid.NewGuid():N}");

    [Fact]
    public void No_tls_keys_means_plain_tcp_and_one_key_alone_is_an_error()
    {
        Assert.Null(TlsSettings.From(Load(string.Empty)));
        Assert.Contains("swarm.tls.ca is set but swarm.tls.certificate is not", Assert.Throws<ArgumentException>(() => TlsSettings.From(Load("swarm.tls.ca = \"/x.pem\""))).Message, StringComparison.Ordinal);
        Assert.Contains("swarm.tls.ca is not", Assert.Throws<ArgumentException>(() => TlsSettings.From(Load("swarm.tls.certificate = \"/x.pfx\""))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_loads_with_its_password_and_each_mistake_is_one_clear_error()
    {
        var (ca, pfx) = Issue("ours", "node-a", "pw");
        Assert.NotNull(TlsSettings.From(Tls(pfx, ca, "pw"))!.Certificate.GetECDsaPrivateKey());

        Assert.Contains("wrong password", Assert.Throws<ArgumentException>(() => TlsSettings.From(Tls(pfx, ca, "nope"))).Message, StringComparison.Ordinal);
        Assert.Contains("swarm.tls.certificate '/nowhere.pfx'", Assert.Throws<ArgumentException>(() => TlsSettings.From(Tls("/nowhere.pfx", ca, "pw"))).Message, StringComparison.Ordinal);
        Assert.Contains("swarm.tls.ca '/nowhere.pem'", Assert.Throws<ArgumentException>(() => TlsSettings.From(Tls(pfx, "/nowhere.pem", "pw"))).Message, StringComparison.Ordinal);
        var (otherCa, _) = Issue("theirs", "node-x", "pw");
        var refused = Assert.Throws<ArgumentException>(() => TlsSettings.From(Tls(pfx, otherCa, "pw")));
        Assert.Contains("would be refused by the cluster", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_peer_with_a_certificate_from_our_ca_reaches_an_actor_over_tls()
    {
        var (ca, serverPfx) = Issue("ours", "server", string.Empty);
        var clientPfx = IssueFrom("ours", "client");
        var (otherCa, strangerPfx) = Issue("theirs", "stranger", string.Empty);

        using var server = Remote("server", TlsSettings.From(Tls(serverPfx, ca, string.Empty)));
        server.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var port = ((ExtendedActorSystem)server).Provider.DefaultAddress.Port!.Value;
        var echo = $"{RemotingConfig.TlsScheme}://server@127.0.0.1:{port}/user/echo";

        using var member = Remote("client", TlsSettings.From(Tls(clientPfx, ca, string.Empty)));
        Assert.NotNull(Identify(member, echo));

        using var stranger = Remote("client", TlsSettings.From(Tls(strangerPfx, otherCa, string.Empty)));
        Assert.Null(Identify(stranger, echo));

        using var plain = Remote("client", null);
        Assert.Null(Identify(plain, $"{RemotingConfig.PlainScheme}://server@127.0.0.1:{port}/user/echo"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static IActorRef? Identify(ActorSystem system, string path)
    {
        try
        {
            var identity = system.ActorSelection(path).Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            return identity.Subject;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    private static ActorSystem Remote(string name, TlsSettings? tls)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp {
              hostname = 127.0.0.1
              port = 0
              {{RemotingConfig.TransportSsl(tls is not null)}}
            }
            """);
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config));
        return ActorSystem.Create(name, tls is null ? setup : setup.And(tls.Setup()));
    }

    private static Config Load(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(SwarmConfiguration.Load(null, new Dictionary<string, string>()));

    private static Config Tls(string pfx, string ca, string password) =>
        Load($"swarm.tls {{ certificate = {SwarmConfiguration.Quote(pfx)}, ca = {SwarmConfiguration.Quote(ca)}, password = {SwarmConfiguration.Quote(password)} }}");

    private (string Ca, string Pfx) Issue(string caName, string name, string password)
    {
        var folder = Path.Combine(_dir, caName);
        if (!File.Exists(Path.Combine(folder, CertificateAuthority.CertificateFile)))
        {
            CertificateAuthority.Create(folder, caName, TimeProvider.System).Dispose();
        }

        using var ca = CertificateAuthority.Load(folder);
        using var certificate = ca.Issue(name, [IPAddress.Loopback], TimeProvider.System);
        var pfx = Path.Combine(folder, name + ".pfx");
        CertificateAuthority.WritePkcs12(certificate, pfx, password);
        return (Path.Combine(folder, CertificateAuthority.CertificateFile), pfx);
    }

    private string IssueFrom(string caName, string name) => Issue(caName, name, string.Empty).Pfx;

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(m => Sender.Tell(m));
    }
}
