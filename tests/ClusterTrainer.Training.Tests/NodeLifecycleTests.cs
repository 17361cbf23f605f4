using Akka.Actor;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Cluster.Nodes;
using ClusterTrainer.Cluster.Workers;
using ClusterTrainer.Core;

namespace ClusterTrainer.Training.Tests;

/// <summary>The pure decisions behind a node's life: whom it may join, when its cluster is lost, how it exits, its threads.</summary>
public class NodeLifecycleTests
{
    private static readonly TimeSpan Join = TimeSpan.FromSeconds(120);

    [Fact]
    public void A_node_that_lost_its_cluster_should_exit_with_a_failure_code_so_it_is_restarted()
    {
        Assert.Equal(NodeExit.LostCluster, NodeExit.For(CoordinatedShutdown.ClusterDowningReason.Instance, null, stopRequested: false, Join).Code);
        Assert.Equal(NodeExit.LostCluster, NodeExit.For(CoordinatedShutdown.ClusterJoinUnsuccessfulReason.Instance, null, stopRequested: false, Join).Code);
        Assert.Equal(NodeExit.LostCluster, NodeExit.For(CoordinatorLostReason.Instance, null, stopRequested: false, Join).Code);
        // Downed while a stop signal also arrived (Akka stops the host as it shuts down): still a failure.
        Assert.Equal(NodeExit.LostCluster, NodeExit.For(CoordinatedShutdown.ClusterDowningReason.Instance, null, stopRequested: true, Join).Code);
        Assert.Contains("120 s", NodeExit.For(CoordinatedShutdown.ClusterJoinUnsuccessfulReason.Instance, null, false, Join).Failure, StringComparison.Ordinal);
        Assert.Contains("Split Brain Resolver", NodeExit.For(CoordinatedShutdown.ClusterDowningReason.Instance, null, false, Join).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_stopped_on_request_should_exit_0_and_a_refused_worker_3()
    {
        Assert.Equal(new NodeExit(NodeExit.Success, null), NodeExit.For(CoordinatedShutdown.ClusterLeavingReason.Instance, null, stopRequested: true, Join));
        Assert.Equal(new NodeExit(NodeExit.Success, null), NodeExit.For(null, null, stopRequested: true, Join));
        Assert.Equal(new NodeExit(NodeExit.Refused, null), NodeExit.For(CoordinatedShutdown.ClusterLeavingReason.Instance, "version 2 vs 3", stopRequested: false, Join));
        Assert.Equal(NodeExit.LostCluster, NodeExit.For(null, null, stopRequested: false, Join).Code);
    }

    [Fact]
    public void The_coordinator_should_count_as_lost_only_after_one_was_seen_and_every_one_is_gone()
    {
        var presence = new CoordinatorPresence();
        Assert.False(presence.Removed("akka.tcp://clustertrainer@a:4053"));
        Assert.False(presence.Lost);

        presence.Up("akka.tcp://clustertrainer@a:4053");
        presence.Up("akka.tcp://clustertrainer@b:4053");
        Assert.False(presence.Removed("akka.tcp://clustertrainer@a:4053"));
        Assert.False(presence.Lost);
        Assert.True(presence.Removed("akka.tcp://clustertrainer@b:4053"));
        Assert.True(presence.Lost);
    }

    [Fact]
    public void A_worker_should_take_its_node_cores_shared_by_the_workers_on_it_unless_the_job_sets_threads()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Cnn);
        Assert.Equal(4, new WorkerPlacement("n", 4, 1).ThreadsFor(settings));
        Assert.Equal(2, new WorkerPlacement("n", 4, 2).ThreadsFor(settings));
        Assert.Equal(1, new WorkerPlacement("n", 2, 4).ThreadsFor(settings));
        Assert.Equal(3, new WorkerPlacement("n", 16, 1).ThreadsFor(settings with { Threads = 3 }));
    }

    [Fact]
    public void Only_a_coordinator_may_found_the_cluster()
    {
        var worker = new NodeOptions(["worker"], "10.0.0.7", 4053, null, ["akka.tcp://clustertrainer@10.0.0.7:4053"]);
        var error = Assert.Throws<SettingsException>(() => worker.Validate());
        Assert.Equal("--seed-nodes", error.Setting);
        Assert.Contains("only a coordinator founds the cluster", error.Message, StringComparison.Ordinal);

        var alone = new NodeOptions(["worker"], "10.0.0.7", 4053, null, []);
        Assert.Equal("--seed-nodes", Assert.Throws<SettingsException>(() => alone.Validate()).Setting);

        // The coordinator may seed itself (the manifests do: its own stable DNS name).
        new NodeOptions(["coordinator"], "0.0.0.0", 4053, "coordinator-0.coordinator", ["akka.tcp://clustertrainer@coordinator-0.coordinator:4053"]).Validate();
    }

    [Fact]
    public void A_seed_address_of_the_wrong_transport_should_be_refused_with_the_right_spelling()
    {
        var tls = new RemotingTls("/certs/tls.crt", "/certs/tls.key");
        var plainSeed = new NodeOptions(["worker"], "0.0.0.0", 4053, "w", ["akka.tcp://clustertrainer@coordinator:4053"]) { Tls = tls };
        var error = Assert.Throws<SettingsException>(() => plainSeed.Validate());
        Assert.Contains("akka.ssl.tcp://clustertrainer@coordinator:4053", error.Message, StringComparison.Ordinal);

        var tlsSeed = new NodeOptions(["worker"], "0.0.0.0", 4053, "w", ["akka.ssl.tcp://clustertrainer@coordinator:4053"]);
        Assert.Contains("--tls-cert", Assert.Throws<SettingsException>(() => tlsSeed.Validate()).Message, StringComparison.Ordinal);
    }
}
