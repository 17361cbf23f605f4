using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Hosting;
using Akka.Remote.Transport.DotNetty;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// Akka remoting over TLS with one certificate that every node of the cluster shares (a Kubernetes TLS Secret,
/// a generated file in compose), as PEM files: the certificate and its private key.
/// </summary>
/// <remarks>
/// Both ends of every connection present the certificate (mutual TLS) and accept only a peer whose certificate
/// is that same one (pinned by thumbprint); a TLS handshake also proves the peer holds its private key. So a
/// node without the certificate can neither connect nor be connected to. Host names are not checked: the
/// certificate is shared by nodes whose addresses change with every pod, and the pin already names it exactly.
/// </remarks>
public sealed record RemotingTls(string CertificateFile, string KeyFile)
{
    /// <summary>Names of the files in a Kubernetes TLS Secret and in the directory `remoting-cert` writes.</summary>
    public const string CertificateFileName = "tls.crt";
    public const string KeyFileName = "tls.key";

    /// <exception cref="SettingsException">naming the file that is missing or unreadable, and how to make one.</exception>
    public X509Certificate2 Load()
    {
        Require(CertificateFile, "--tls-cert");
        Require(KeyFile, "--tls-key");
        try
        {
            return X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);
        }
        catch (CryptographicException error)
        {
            throw new SettingsException("--tls-cert", $"'{CertificateFile}' with key '{KeyFile}' is not a PEM certificate and its private key ({error.Message}); make a pair with `clustertrainer remoting-cert --out DIR`");
        }
    }

    /// <summary>The remoting SSL settings: mutual authentication, only this certificate accepted on either side.</summary>
    public static SslOptions SslOptionsFor(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new SslOptions
        {
            X509Certificate = certificate,
            SuppressValidation = false,
            RequireMutualAuthentication = true,
            ValidateCertificateHostname = false,
            CustomValidator = CertificateValidation.PinnedCertificate(certificate.Thumbprint),
        };
    }

    private static void Require(string path, string setting)
    {
        if (!File.Exists(path))
        {
            throw new SettingsException(setting, $"'{path}' does not exist; make a certificate and key with `clustertrainer remoting-cert --out DIR` (or openssl), and give every node of the cluster the same pair");
        }
    }
}
