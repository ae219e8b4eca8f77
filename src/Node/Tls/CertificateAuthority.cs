using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Swarm.Node.Tls;

/// <summary>The cluster's own certificate authority: a key and a PEM certificate in one folder (`swarm tls init`),
/// which issues the certificates members and consoles present to each other (`swarm tls issue`).</summary>
public sealed class CertificateAuthority : IDisposable
{
    public const string CertificateFile = "ca.pem";

    public const string KeyFile = "ca.key";

    /// <summary>Long enough that a cluster never has to roll its CA in normal life; the key stays on one machine.</summary>
    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);

    /// <summary>Two years: long enough not to surprise an operator, short enough that a lost machine's key ages out.</summary>
    public static readonly TimeSpan IssuedLifetime = TimeSpan.FromDays(730);

    /// <summary>Certificates are valid from a little before their issue, so that a member whose clock is a few minutes
    /// behind the issuing machine's does not refuse a fresh one.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(10);

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly ECDsa _key;

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Makes a new CA in <paramref name="folder"/> (created if missing); refuses to replace an existing one,
    /// whose certificates would all stop being trusted.</summary>
    public static CertificateAuthority Create(string folder, string name, TimeProvider clock)
    {
        var certPath = Path.Combine(folder, CertificateFile);
        var keyPath = Path.Combine(folder, KeyFile);
        if (File.Exists(certPath) || File.Exists(keyPath))
        {
            throw new IOException($"{folder} already holds a CA ({CertificateFile}/{KeyFile}); every certificate it issued would stop being trusted if it were replaced");
        }

        Directory.CreateDirectory(folder);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Escape(name)}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = clock.GetUtcNow();
        var certificate = request.CreateSelfSigned(now - ClockSkew, now + AuthorityLifetime);

        // The key first, readable by its owner only from the moment it exists.
        WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, certificate.ExportCertificatePem() + "\n");
        return new CertificateAuthority(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    /// <summary>The CA made by <see cref="Create"/> in <paramref name="folder"/>.</summary>
    public static CertificateAuthority Load(string folder)
    {
        var certPath = Path.Combine(folder, CertificateFile);
        var keyPath = Path.Combine(folder, KeyFile);
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            throw new FileNotFoundException($"{folder} holds no CA ({CertificateFile} and {KeyFile}); make one with `swarm tls init {folder}`");
        }

        var certificate = LoadPem(certPath);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(keyPath));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"{keyPath} is not an ECDSA private key in PEM: {e.Message}", e);
        }

        using (var pub = certificate.GetECDsaPublicKey())
        {
            if (pub is null || !pub.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                key.Dispose();
                throw new InvalidDataException($"{keyPath} is not the key of {certPath}");
            }
        }

        return new CertificateAuthority(certificate, key);
    }

    /// <summary>A certificate for a member or a console (both ends of a mutual TLS connection present one, so it
    /// carries both the server and the client usage), with <paramref name="name"/> as its common and DNS name and
    /// <paramref name="addresses"/> as IP names. It holds its private key.</summary>
    public X509Certificate2 Issue(string name, IReadOnlyList<IPAddress> addresses, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("a certificate needs a name (--name)");
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Escape(name)}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var names = new SubjectAlternativeNameBuilder();
        if (Uri.CheckHostName(name) is UriHostNameType.Dns)
        {
            names.AddDnsName(name);
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        var now = clock.GetUtcNow();
        var notAfter = now + IssuedLifetime < Certificate.NotAfter ? now + IssuedLifetime : new DateTimeOffset(Certificate.NotAfter.ToUniversalTime());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // a positive serial number
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now - ClockSkew, notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes <paramref name="certificate"/> and its key as PKCS#12, readable by its owner only.</summary>
    public static void WritePkcs12(X509Certificate2 certificate, string path, string password)
    {
        var bytes = certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password);
        var temp = path + ".tmp";
        WritePrivate(temp, bytes);
        File.Move(temp, path, overwrite: false);
    }

    /// <summary>The first certificate of a PEM file.</summary>
    public static X509Certificate2 LoadPem(string path)
    {
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"{path} is not a PEM certificate: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    private static void WritePrivate(string path, string text) => WritePrivate(path, System.Text.Encoding.ASCII.GetBytes(text));

    private static void WritePrivate(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }

    /// <summary>A name as one RDN value: the characters X.500 gives a meaning are quoted.</summary>
    private static string Escape(string value) =>
        value.IndexOfAny([',', '+', '"', '\\', '<', '>', ';', '=']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
