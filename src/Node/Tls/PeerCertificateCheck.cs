using System.Security.Cryptography.X509Certificates;

namespace Swarm.Node.Tls;

/// <summary>Decides whether a TLS peer's certificate is one of ours: it chains to the cluster's CA (and to nothing
/// the operating system happens to trust), is within its validity, and may authenticate a TLS end.</summary>
public sealed class PeerCertificateCheck(X509Certificate2 authority, TimeProvider clock)
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public X509Certificate2 Authority { get; } = authority;

    /// <summary>Null when <paramref name="peer"/> is accepted, else why not (one line, for the refusal's log).</summary>
    public string? Refusal(X509Certificate2? peer)
    {
        if (peer is null)
        {
            return "it presented no certificate";
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(Authority);
        // Our CA has no revocation list, and nothing may be fetched from the network during a handshake.
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = clock.GetLocalNow().DateTime;
        if (!chain.Build(peer))
        {
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return $"its certificate '{peer.Subject}' (issued by '{peer.Issuer}') does not chain to our CA '{Authority.Subject}': {(status.Length > 0 ? status : "untrusted")}";
        }

        var root = chain.ChainElements[^1].Certificate;
        if (!root.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span))
        {
            return $"its certificate '{peer.Subject}' chains to '{root.Subject}', not to our CA";
        }

        if (chain.ChainElements.Count < 2)
        {
            // The CA's own certificate is not a member's: whoever holds the CA key issues certificates instead.
            return "it presented the CA's own certificate";
        }

        var usages = peer.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>()).Select(o => o.Value).ToHashSet();
        if (usages.Count > 0 && !(usages.Contains(ServerAuthentication) && usages.Contains(ClientAuthentication)))
        {
            return $"its certificate '{peer.Subject}' is not for TLS clients and servers (swarm tls issue makes such certificates)";
        }

        return null;
    }
}
