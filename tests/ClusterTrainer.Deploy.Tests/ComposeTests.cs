using System.Text.RegularExpressions;

namespace ClusterTrainer.Deploy.Tests;

public sealed partial class ComposeTests
{
    private const string File = Compose.File;

    [Fact]
    public void Should_let_the_worker_service_scale()
    {
        var worker = Compose.Service("worker");

        Assert.True(worker.Get("container_name") is null, $"{File}: service worker sets container_name, so `--scale worker=N` cannot start a second one");
        foreach (var (host, container) in Compose.Ports(worker))
        {
            Assert.True(host is null, $"{File}: service worker publishes host port {host} (for {container}); a second replica could not bind it");
        }

        Assert.False(Compose.Env(worker).ContainsKey("CLUSTERTRAINER_PUBLIC_HOST"),
            $"{File}: service worker sets CLUSTERTRAINER_PUBLIC_HOST; replicas must each advertise their own container IP");
    }

    [Fact]
    public void Should_seed_every_node_with_the_coordinator_service_on_the_remoting_port()
    {
        var coordinatorPort = Compose.Env(Compose.Service("coordinator")).GetValueOrDefault("CLUSTERTRAINER_PORT");
        Assert.True(coordinatorPort == "4053", $"{File}: service coordinator must set CLUSTERTRAINER_PORT=4053, has '{coordinatorPort}'");

        foreach (var (name, service) in Compose.Nodes)
        {
            var seeds = Compose.Env(service).GetValueOrDefault("CLUSTERTRAINER_SEED_NODES") ?? "";
            var match = SeedAddress().Match(seeds);
            Assert.True(match.Success, $"{File}: service {name} has CLUSTERTRAINER_SEED_NODES '{seeds}', expected akka.ssl.tcp://clustertrainer@coordinator:4053");
            Assert.True(match.Groups["tls"].Success, $"{File}: service {name} seeds over plain TCP ('{seeds}'); remoting runs over TLS (akka.ssl.tcp)");
            Assert.True(match.Groups["host"].Value == "coordinator" && match.Groups["port"].Value == coordinatorPort,
                $"{File}: service {name} seeds from {match.Groups["host"].Value}:{match.Groups["port"].Value}, not the coordinator service on {coordinatorPort}");
        }
    }

    [Fact]
    public void Should_advertise_the_coordinator_under_the_address_of_the_first_seed_node()
    {
        // Akka forms a cluster only when the first seed node is exactly the node's own address; a coordinator
        // advertising its container IP would wait forever for a seed that never answers.
        var env = Compose.Env(Compose.Service("coordinator"));
        var first = SeedAddress().Match(env.GetValueOrDefault("CLUSTERTRAINER_SEED_NODES") ?? "");

        Assert.True(first.Success && env.GetValueOrDefault("CLUSTERTRAINER_PUBLIC_HOST") == first.Groups["host"].Value,
            $"{File}: service coordinator advertises '{env.GetValueOrDefault("CLUSTERTRAINER_PUBLIC_HOST")}' but its first seed node is '{first.Groups["host"].Value}'");
    }

    [Fact]
    public void Should_run_seq_with_the_eula_accepted_and_its_ui_on_5341()
    {
        var seq = Compose.Service("seq");

        Assert.True(Compose.IsSeq(seq), $"{File}: service seq runs {seq.Text("image")}, expected datalust/seq");
        Assert.Matches(@"^datalust/seq:\d", seq.Text("image") ?? "");
        Assert.True(Compose.Env(seq).GetValueOrDefault("ACCEPT_EULA") == "Y", $"{File}: service seq must set ACCEPT_EULA=Y or Seq will not start");
        Assert.Contains(("5341", "80"), Compose.Ports(seq));
    }

    [Fact]
    public void Should_send_the_logs_of_every_node_to_the_seq_service()
    {
        foreach (var (name, service) in Compose.Nodes)
        {
            var url = Compose.Env(service).GetValueOrDefault("CLUSTERTRAINER_SEQ_URL");
            Assert.True(Uri.TryCreate(url, UriKind.Absolute, out var uri), $"{File}: service {name} has no CLUSTERTRAINER_SEQ_URL");
            Assert.True(Compose.Services.Get(uri.Host) is { } seq && Compose.IsSeq(seq) && uri.Port == 80,
                $"{File}: service {name} logs to {url}; expected the Seq service on its container port 80");
        }
    }

    [Fact]
    public void Should_build_every_node_from_the_deploy_Dockerfile()
    {
        var nodes = Compose.Nodes.ToList();
        Assert.Contains(nodes, n => n.Name == "coordinator");
        Assert.Contains(nodes, n => n.Name == "worker");

        foreach (var (name, service) in nodes)
        {
            Assert.True(service.Text("build", "context") == "." && service.Text("build", "dockerfile") == "deploy/Dockerfile",
                $"{File}: service {name} must build context '.' with deploy/Dockerfile, has context '{service.Text("build", "context")}' and dockerfile '{service.Text("build", "dockerfile")}'");
            Assert.True(service.Text("image") == Compose.Service("coordinator").Text("image"),
                $"{File}: service {name} tags image {service.Text("image")}; all nodes must share one image");
        }

        Assert.True(System.IO.File.Exists(Repo.PathOf("deploy/Dockerfile")), "deploy/Dockerfile does not exist");
    }

    [Fact]
    public void Should_publish_the_grpc_port_of_the_coordinator_and_give_it_a_token()
    {
        var coordinator = Compose.Service("coordinator");
        var env = Compose.Env(coordinator);

        Assert.True(env.GetValueOrDefault("CLUSTERTRAINER_ROLES")?.Split(',').Contains("coordinator") == true,
            $"{File}: service coordinator does not run role coordinator (roles '{env.GetValueOrDefault("CLUSTERTRAINER_ROLES")}')");
        var grpc = env.GetValueOrDefault("CLUSTERTRAINER_GRPC_PORT") ?? "5000";
        Assert.True(Compose.Ports(coordinator).Any(p => p.Container == grpc && p.Host is not null),
            $"{File}: service coordinator does not publish its gRPC port {grpc}");
        Assert.True(env.ContainsKey("CLUSTERTRAINER_TOKEN") || env.ContainsKey("CLUSTERTRAINER_TOKEN_FILE"),
            $"{File}: service coordinator has no token; every gRPC call beyond loopback needs one");
        Assert.True(Compose.Service("coordinator").Items("volumes").Any(v => v is YamlScalarNode s && s.Value?.EndsWith(":" + (env.GetValueOrDefault("CLUSTERTRAINER_RUNS_DIR") ?? "/runs"), StringComparison.Ordinal) == true),
            $"{File}: service coordinator mounts no volume at its runs directory");
    }

    [Fact]
    public void Should_health_check_a_port_the_node_listens_on()
    {
        foreach (var (name, service) in Compose.Nodes)
        {
            var test = string.Join(' ', service.Items("healthcheck", "test").Select(item => ((YamlScalarNode)item).Value));
            var match = HealthPort().Match(test);
            Assert.True(match.Success, $"{File}: service {name} has no TCP health check (/dev/tcp/127.0.0.1/PORT)");
            var env = Compose.Env(service);
            var listening = new[] { env.GetValueOrDefault("CLUSTERTRAINER_PORT"), env.GetValueOrDefault("CLUSTERTRAINER_GRPC_PORT") };
            Assert.True(listening.Contains(match.Groups["port"].Value),
                $"{File}: service {name} health-checks port {match.Groups["port"].Value}, which it does not configure (remoting {listening[0]}, gRPC {listening[1]})");
        }
    }

    [Fact]
    public void Should_give_every_node_the_certificate_the_remoting_cert_service_makes_in_a_shared_volume()
    {
        var maker = Compose.Service("remoting-cert");
        var command = maker.Items("command").Select(item => ((YamlScalarNode)item).Value).ToList();
        Assert.True(command.Count >= 3 && command[0] == "remoting-cert" && command[1] == "--out", $"{File}: service remoting-cert must run `remoting-cert --out DIR`");
        var directory = command[2]!;
        var volume = VolumeAt(maker, directory);
        Assert.False(volume is null, $"{File}: service remoting-cert writes {directory}, which is not a volume");

        foreach (var (name, service) in Compose.Nodes)
        {
            var env = Compose.Env(service);
            Assert.True(env.GetValueOrDefault("CLUSTERTRAINER_TLS_CERT") == $"{directory}/tls.crt" && env.GetValueOrDefault("CLUSTERTRAINER_TLS_KEY") == $"{directory}/tls.key",
                $"{File}: service {name} must read tls.crt and tls.key from {directory}");
            Assert.True(VolumeAt(service, directory) == volume, $"{File}: service {name} does not mount volume {volume} at {directory}");
        }

        Assert.True(Compose.Service("coordinator").Text("depends_on", "remoting-cert", "condition") == "service_completed_successfully",
            $"{File}: the coordinator must start after remoting-cert has made the certificate");
    }

    [Fact]
    public void Should_restart_nodes_that_exit_with_a_failure_code()
    {
        // A node downed by the Split Brain Resolver, or whose coordinator is gone, exits with code 1.
        foreach (var (name, service) in Compose.Nodes)
        {
            Assert.True(service.Text("restart") is "on-failure" or "always" or "unless-stopped", $"{File}: service {name} is not restarted when it exits with code 1");
        }
    }

    private static string? VolumeAt(YamlNode service, string directory) =>
        service.Items("volumes").Select(v => ((YamlScalarNode)v).Value?.Split(':')).FirstOrDefault(parts => parts is { Length: >= 2 } && parts[1] == directory)?[0];

    [GeneratedRegex(@"^akka(?<tls>\.ssl)?\.tcp://clustertrainer@(?<host>[^:,]+):(?<port>\d+)")]
    private static partial Regex SeedAddress();

    [GeneratedRegex(@"/dev/tcp/127\.0\.0\.1/(?<port>\d+)")]
    private static partial Regex HealthPort();
}
