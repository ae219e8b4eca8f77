using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using Swarm.Node.Hosting;
using Swarm.Node.Tls;

namespace Swarm.Node.Cli;

/// <summary>`swarm tls init DIR` and `swarm tls issue --ca DIR --name NAME [--ip IP]... -o FILE.pfx`: the cluster's
/// CA and the certificates of its members and consoles.</summary>
internal static class TlsCommands
{
    public static Command Build()
    {
        return new Command("tls", "Certificates for mutual TLS between cluster members and consoles") { Init(), Issue() };
    }

    private static Command Init()
    {
        var dir = new Argument<string>("DIR") { Description = "Folder for the CA's key (ca.key, readable by you only) and certificate (ca.pem)" };
        var name = new Option<string>("--name") { Description = "The CA's common name (default: swarm CA and a random tag, so that two CAs never read alike in a refusal)", DefaultValueFactory = _ => $"swarm CA {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}" };
        var cmd = new Command("init", "Make a certificate authority for one cluster") { dir, name };
        cmd.SetAction(r => Run(() =>
        {
            var folder = Path.GetFullPath(r.GetValue(dir)!);
            using var ca = CertificateAuthority.Create(folder, r.GetValue(name)!, TimeProvider.System);
            Console.Out.WriteLine($"ca {Path.Combine(folder, CertificateAuthority.CertificateFile)}");
            Console.Out.WriteLine($"key {Path.Combine(folder, CertificateAuthority.KeyFile)}");
            Console.Error.WriteLine($"swarm: copy {CertificateAuthority.CertificateFile} to every member and console (swarm.tls.ca); keep {CertificateAuthority.KeyFile} on this machine only");
        }));
        return cmd;
    }

    private static Command Issue()
    {
        var ca = new Option<string>("--ca") { Description = "Folder made by `swarm tls init`", Required = true };
        var name = new Option<string>("--name") { Description = "The member's or console's name (common name; also a DNS name when it is one)", Required = true };
        var ips = new Option<string[]>("--ip") { Description = "An IP address the member is reached at (repeatable)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--output", "-o") { Description = "The PKCS#12 file to write (swarm.tls.certificate)", Required = true };
        var cmd = new Command("issue", $"Issue a member or console certificate, protected by the {TlsSettings.PasswordVariable} password (empty when unset)") { ca, name, ips, output };
        cmd.SetAction(r => Run(() =>
        {
            var addresses = new List<IPAddress>();
            foreach (var text in r.GetValue(ips) ?? [])
            {
                addresses.Add(IPAddress.TryParse(text, out var ip) ? ip : throw new CliException($"--ip '{text}' is not an IP address"));
            }

            var file = Path.GetFullPath(r.GetValue(output)!);
            if (File.Exists(file))
            {
                throw new CliException($"{file} already exists; remove it first to issue a new certificate");
            }

            using var authority = CertificateAuthority.Load(Path.GetFullPath(r.GetValue(ca)!));
            using var certificate = authority.Issue(r.GetValue(name)!, addresses, TimeProvider.System);
            var password = Environment.GetEnvironmentVariable(TlsSettings.PasswordVariable) ?? string.Empty;
            CertificateAuthority.WritePkcs12(certificate, file, password);
            Console.Out.WriteLine($"certificate {file}");
            Console.Out.WriteLine($"valid-until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}");
            if (password.Length == 0)
            {
                Console.Error.WriteLine($"swarm: {Path.GetFileName(file)} has no password (set {TlsSettings.PasswordVariable} to give it one); only its owner may read it");
            }
        }));
        return cmd;
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is CliException or ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"swarm: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            Console.Error.WriteLine($"swarm: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
