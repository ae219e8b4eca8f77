using System.Security.Cryptography;
using System.Text;

namespace Swarm.Node.Http;

/// <summary>HTTP Basic authentication against the configured RPC credentials, compared in constant time.</summary>
public sealed class BasicCredentials(string username, string password)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes($"{username}:{password}");

    public bool Required => _expected.Length > 1;

    /// <summary>Whether an Authorization header value carries the credentials (always true when none are required).</summary>
    public bool Accepts(string? authorization)
    {
        if (!Required)
        {
            return true;
        }

        const string scheme = "Basic ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromBase64String(authorization[scheme.Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
