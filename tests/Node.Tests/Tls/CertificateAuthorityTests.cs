using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Swarm.Node.Tls;
using Xunit;

namespace Swarm.Node.Tests.Tls;

/// <summary>`swarm tls init` and `swarm tls issue` as files on disk, and which certificates a peer check accepts.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class CertificateAuthorityTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"swarm-ca-{Guid.NewGuid():N}");

    [Fact]
    public void Init_writes_a_private_key_only_its_owner_reads_and_refuses_to_replace_an_existing_ca()
    {
        using (CertificateAuthority.Create(_dir, "test CA", TimeProvider.System))
        {
        }

        var key = Path.Combine(_dir, CertificateAuthority.KeyFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(key), StringComparison.Ordinal);
        var pem = CertificateAuthority.LoadPem(Path.Combine(_dir, CertificateAuthority.CertificateFile));
        Assert.Equal("CN=test CA", pem.Subject);
        Assert.True(pem.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);

        var before = File.ReadAllBytes(key);
        var again = Assert.Throws<IOException>(() => CertificateAuthority.Create(_dir, "other", TimeProvider.System));
        Assert.Contains("already holds a CA", again.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(key));
    }

    [Fact]
    public void An_issued_certificate_names_the_member_serves_both_ends_and_round_trips_through_pkcs12()
    {
        using var ca = CertificateAuthority.Create(_dir, "test CA", TimeProvider.System);
        using var issued = ca.Issue("node-a", [IPAddress.Parse("10.77.0.2"), IPAddress.IPv6Loopback], TimeProvider.System);
        var file = Path.Combine(_dir, "a.pfx");
        CertificateAuthority.WritePkcs12(issued, file, "pw");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var loaded = X509CertificateLoader.LoadPkcs12FromFile(file, "pw");
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal("CN=node-a", loaded.Subject);
        Assert.Equal(ca.Certificate.Subject, loaded.Issuer);
        var san = loaded.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["node-a"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.77.0.2"), IPAddress.IPv6Loopback], san.EnumerateIPAddresses());
        var usages = loaded.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], usages.Order());
        Assert.False(loaded.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => X509CertificateLoader.LoadPkcs12FromFile(file, "wrong"));
        Assert.Throws<IOException>(() => CertificateAuthority.WritePkcs12(issued, file, "pw"));
    }

    [Fact]
    public void A_loaded_ca_issues_what_the_check_accepts_and_a_key_from_elsewhere_is_refused()
    {
        using (CertificateAuthority.Create(_dir, "test CA", TimeProvider.System))
        {
        }

        using var ca = CertificateAuthority.Load(_dir);
        using var issued = ca.Issue("console", [], TimeProvider.System);
        Assert.Null(new PeerCertificateCheck(ca.Certificate, TimeProvider.System).Refusal(issued));

        var other = Path.Combine(_dir, "other");
        using (CertificateAuthority.Create(other, "other CA", TimeProvider.System))
        {
        }

        File.Copy(Path.Combine(other, CertificateAuthority.KeyFile), Path.Combine(_dir, CertificateAuthority.KeyFile), overwrite: true);
        var e = Assert.Throws<InvalidDataException>(() => CertificateAuthority.Load(_dir));
        Assert.Contains("is not the key of", e.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => CertificateAuthority.Load(Path.Combine(_dir, "none")));
    }

    [Fact]
    public void The_check_refuses_another_cas_certificate_the_ca_itself_none_and_an_expired_one()
    {
        using var ours = CertificateAuthority.Create(Path.Combine(_dir, "ours"), "ours", TimeProvider.System);
        using var theirs = CertificateAuthority.Create(Path.Combine(_dir, "theirs"), "theirs", TimeProvider.System);
        var check = new PeerCertificateCheck(ours.Certificate, TimeProvider.System);
        using var stranger = theirs.Issue("node-x", [], TimeProvider.System);
        using var member = ours.Issue("node-a", [], TimeProvider.System);

        Assert.Null(check.Refusal(member));
        Assert.Contains("does not chain to our CA 'CN=ours'", check.Refusal(stranger), StringComparison.Ordinal);
        Assert.Equal("it presented no certificate", check.Refusal(null));
        Assert.Equal("it presented the CA's own certificate", check.Refusal(ours.Certificate));

        var later = new FixedClock(DateTimeOffset.UtcNow + CertificateAuthority.IssuedLifetime + TimeSpan.FromDays(1));
        Assert.Contains("does not chain to our CA", new PeerCertificateCheck(ours.Certificate, later).Refusal(member), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
