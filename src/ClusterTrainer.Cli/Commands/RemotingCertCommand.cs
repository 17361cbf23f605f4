using System.ComponentModel;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// `clustertrainer remoting-cert --out DIR`: makes the certificate and key a cluster's nodes share for remoting
/// over TLS (tls.crt, tls.key). An existing pair is kept, so compose can run it on every `up`.
/// </summary>
public sealed class RemotingCertCommand(IAnsiConsole console) : Command<RemotingCertCommand.Options>
{
    public sealed class Options : CommandSettings
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Directory for tls.crt and tls.key (created if missing)")]
        public string? Out { get; init; }

        [CommandOption("--force")]
        [Description("Replace an existing pair (every node then needs the new one)")]
        public bool Force { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out: give the directory for tls.crt and tls.key") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var directory = Path.GetFullPath(settings.Out!);
        var existing = new RemotingTls(Path.Combine(directory, RemotingTls.CertificateFileName), Path.Combine(directory, RemotingTls.KeyFileName));
        var present = (Certificate: File.Exists(existing.CertificateFile), Key: File.Exists(existing.KeyFile));
        if (!settings.Force && present is (true, true))
        {
            using var certificate = existing.Load();
            console.MarkupLineInterpolated($"kept the existing remoting certificate {existing.CertificateFile} (thumbprint {certificate.Thumbprint}, valid until {certificate.NotAfter:yyyy-MM-dd}); --force replaces it");
            return 0;
        }

        if (!settings.Force && (present.Certificate || present.Key))
        {
            throw new SettingsException("--out", $"'{directory}' holds only one of {RemotingTls.CertificateFileName} and {RemotingTls.KeyFileName}; remove it or pass --force to make a new pair");
        }

        var created = RemotingCertificateFiles.Create(directory);
        using var loaded = created.Load();
        console.MarkupLineInterpolated($"wrote {created.CertificateFile} and {created.KeyFile} (thumbprint {loaded.Thumbprint}, valid until {loaded.NotAfter:yyyy-MM-dd})");
        console.MarkupLineInterpolated($"give every node the same pair: --tls-cert {created.CertificateFile} --tls-key {created.KeyFile}");
        return 0;
    }
}
