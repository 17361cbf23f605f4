using Akka.Actor;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using Serilog;

namespace ClusterTrainer.Training.Tests;

/// <summary>Akka remoting over TLS between real ActorSystems on 127.0.0.1: the cluster port is closed to nodes without the certificate.</summary>
public class RemotingTlsTests
{
    private static readonly ILogger Silent = new LoggerConfiguration().CreateLogger();

    // Short, so the refused nodes give up quickly; generous against a loaded machine for the node that may join.
    private static readonly TimeSpan RefusedJoinTimeout = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task A_node_without_the_cluster_certificate_should_be_refused_and_one_with_it_should_join()
    {
        using var certificates = new TempDirectory();
        var cluster = RemotingCertificateFiles.Create(certificates.Combine("cluster"));
        var other = RemotingCertificateFiles.Create(certificates.Combine("other"));
        var port = LocalPorts.Free();
        var seed = $"akka.ssl.tcp://clustertrainer@127.0.0.1:{port}";
        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []) { Tls = cluster }, Silent);
        var members = new MemberLog(coordinator.System);

        // Plain TCP against the TLS port, and TLS with a certificate of its own: neither may become a member.
        await using var plain = await ClusterNodeHost.StartAsync(
            new NodeOptions(["worker"], "127.0.0.1", 0, null, [$"akka.tcp://clustertrainer@127.0.0.1:{port}"]) { JoinTimeout = RefusedJoinTimeout }, Silent);
        await using var stranger = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]) { Tls = other, JoinTimeout = RefusedJoinTimeout }, Silent);
        await Task.WhenAll(plain.System.WhenTerminated, stranger.System.WhenTerminated).WaitAsync(TimeSpan.FromSeconds(90));

        // Each gave up on its own: the plain node after its join timeout, the stranger at its failed handshake
        // (Akka.Remote shuts a node down when its TLS handshake fails); neither took the coordinator down.
        AssertRefused(plain.System);
        AssertRefused(stranger.System);
        Assert.Null(CoordinatedShutdown.Get(coordinator.System).ShutdownReason);
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(plain.System).SelfAddress, members.Seen);
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(stranger.System).SelfAddress, members.Seen);

        // The same certificate: the node joins and the coordinator sees it Up.
        await using var member = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]) { Tls = cluster }, Silent);
        var address = Akka.Cluster.Cluster.Get(member.System).SelfAddress;
        await members.WaitForAsync(address, TimeSpan.FromSeconds(60));
    }

    private static void AssertRefused(ActorSystem node)
    {
        var reason = CoordinatedShutdown.Get(node).ShutdownReason;
        Assert.True(reason is CoordinatedShutdown.ClusterJoinUnsuccessfulReason || reason?.GetType().Name == NodeExit.TlsHandshakeFailure,
            $"the node stopped for another reason than a refused join: {reason}");
        Assert.Equal(NodeExit.LostCluster, NodeExit.For(reason, null, stopRequested: false, TimeSpan.FromSeconds(12)).Code);
    }

    [Fact]
    public void A_missing_certificate_file_should_be_a_settings_error_naming_the_file_and_the_fix()
    {
        using var directory = new TempDirectory();
        var error = Assert.Throws<SettingsException>(() => new RemotingTls(directory.Combine("tls.crt"), directory.Combine("tls.key")).Load());

        Assert.Equal("--tls-cert", error.Setting);
        Assert.Contains(directory.Combine("tls.crt"), error.Message, StringComparison.Ordinal);
        Assert.Contains("remoting-cert", error.Message, StringComparison.Ordinal);
    }

}
