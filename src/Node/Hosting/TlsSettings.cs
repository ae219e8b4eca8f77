using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using Swarm.Node.Tls;

namespace Swarm.Node.Hosting;

/// <summary>swarm.tls: this process's certificate and the CA its remoting peers must chain to. Read once at start;
/// every mistake (missing file, wrong password, a certificate from another CA) is one clear error before anything
/// listens.</summary>
public sealed class TlsSettings
{
    public const string PasswordVariable = "SWARM_TLS_PASSWORD";

    private TlsSettings(X509Certificate2 certificate, PeerCertificateCheck check)
    {
        Certificate = certificate;
        Check = check;
    }

    /// <summary>This process's own certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public PeerCertificateCheck Check { get; }

    /// <summary>Null when swarm.tls.certificate is empty (remoting speaks plain TCP).</summary>
    public static TlsSettings? From(Config config, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var certificatePath = config.GetString("swarm.tls.certificate", string.Empty);
        var caPath = config.GetString("swarm.tls.ca", string.Empty);
        if (string.IsNullOrEmpty(certificatePath))
        {
            return string.IsNullOrEmpty(caPath)
                ? null
                : throw new ArgumentException("swarm.tls.ca is set but swarm.tls.certificate is not: both are needed for TLS (swarm tls issue makes the certificate)");
        }

        if (string.IsNullOrEmpty(caPath))
        {
            throw new ArgumentException("swarm.tls.certificate is set but swarm.tls.ca is not: name the PEM of the CA whose certificates are trusted");
        }

        var password = Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : config.GetString("swarm.tls.password", string.Empty);
        X509Certificate2 authority;
        try
        {
            authority = CertificateAuthority.LoadPem(caPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ArgumentException($"swarm.tls.ca '{caPath}': {e.Message}", e);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"swarm.tls.certificate '{certificatePath}': {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"swarm.tls.certificate '{certificatePath}' cannot be read (not PKCS#12, or the wrong password: set swarm.tls.password or {PasswordVariable}): {e.Message}", e);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"swarm.tls.certificate '{certificatePath}' holds no private key");
        }

        var check = new PeerCertificateCheck(authority, clock);
        if (check.Refusal(certificate) is { } refusal)
        {
            throw new ArgumentException($"swarm.tls.certificate '{certificatePath}' would be refused by the cluster: {refusal.Replace("its certificate", "the certificate", StringComparison.Ordinal)}");
        }

        return new TlsSettings(certificate, check);
    }

    /// <summary>What DotNetty's TLS handler uses: our certificate, mutual authentication, and the peer's certificate
    /// judged by <see cref="PeerCertificateCheck"/> alone (the operating system's trust store plays no part; host
    /// names are not compared, since every certificate from the CA is trusted as member or console alike).</summary>
    public DotNettySslSetup Setup() => new(
        Certificate,
        suppressValidation: false,
        requireMutualAuthentication: true,
        validateCertificateHostname: false,
        customValidator: Validate);

    private bool Validate(X509Certificate2? peer, X509Chain? chain, string remote, System.Net.Security.SslPolicyErrors errors, ILoggingAdapter log)
    {
        if (Check.Refusal(peer) is not { } refusal)
        {
            return true;
        }

        log.Warning("TLS: refused {0}: {1}", remote, refusal);
        return false;
    }
}
