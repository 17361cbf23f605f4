using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// Makes the certificate a cluster's nodes share for remoting over TLS: self-signed (the nodes pin it, no CA is
/// involved), RSA 2048, valid for server and client authentication, written as PEM files the way a Kubernetes
/// TLS Secret holds them (tls.crt, tls.key).
/// </summary>
public static class RemotingCertificateFiles
{
    /// <summary>Long, because rotating means giving every node a new pair at once (see README, "A closed cluster port").</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(3650);

    /// <summary>Writes tls.crt and tls.key into <paramref name="directory"/>, each atomically; the key readable by its owner only.</summary>
    public static RemotingTls Create(string directory)
    {
        var tls = new RemotingTls(Path.Combine(directory, RemotingTls.CertificateFileName), Path.Combine(directory, RemotingTls.KeyFileName));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=clustertrainer-remoting", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([Oids.ServerAuthentication, Oids.ClientAuthentication], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Validity));

        AtomicFile.Write(tls.KeyFile, stream =>
        {
            if (!OperatingSystem.IsWindows() && stream is FileStream file)
            {
                File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        });
        AtomicFile.WriteAllText(tls.CertificateFile, certificate.ExportCertificatePem());
        return tls;
    }

    private static class Oids
    {
        public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
        public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    }
}
