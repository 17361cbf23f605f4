using System.Globalization;

namespace ClusterTrainer.Deploy.Tests;

/// <summary>Cross-checks of what `kubectl kustomize` renders, for the base and for every overlay.</summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Kustomizations => new() { "k8s", "k8s/overlays/gpu", "k8s/overlays/gpu-gfd", "k8s/overlays/postgres-job-store" };

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_render_offline_with_kubectl_kustomize(string directory)
    {
        var result = Kubectl.Kustomize(directory);

        Assert.True(result.ExitCode == 0, $"`kubectl kustomize {directory}` exited with {result.ExitCode}: {result.Error}");
        Assert.NotEmpty(Yaml.Documents(result.Output));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_give_every_service_a_selector_that_matches_some_pod_template(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var service in manifests.OfKind("Service"))
        {
            var selector = service.Pairs("spec", "selector");
            Assert.True(selector.Count > 0, $"{directory}: {Manifests.Id(service)} has no selector");
            Assert.True(manifests.PodTemplates.Any(pod => Manifests.Selects(selector, pod.Labels)),
                $"{directory}: {Manifests.Id(service)} selects {Describe(selector)}, which no pod template carries");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_point_every_service_target_port_at_a_container_port_of_its_pods(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var service in manifests.OfKind("Service"))
        {
            var pods = manifests.PodTemplates.Where(pod => Manifests.Selects(service.Pairs("spec", "selector"), pod.Labels)).ToList();
            foreach (var port in service.Items("spec", "ports"))
            {
                var target = port.Text("targetPort") ?? port.Text("port");
                foreach (var pod in pods)
                {
                    Assert.True(HasPort(pod, target),
                        $"{directory}: {Manifests.Id(service)} targets port '{target}', which {pod.Workload} does not declare as a containerPort");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_seed_every_node_with_the_coordinator_pod_stable_dns_name_over_tls(string directory)
    {
        var manifests = Kubectl.Render(directory);
        var statefulSet = Assert.Single(manifests.OfKind("StatefulSet"));
        var stableName = $"{statefulSet.Text("metadata", "name")}-0.{statefulSet.Text("spec", "serviceName")}";
        Assert.Equal(NodeContract.CoordinatorDnsName, stableName);

        foreach (var pod in manifests.ClusterPods)
        {
            var seeds = manifests.Env(pod.Containers.First()).GetValueOrDefault("CLUSTERTRAINER_SEED_NODES")?.Value;
            Assert.True(seeds == $"akka.ssl.tcp://clustertrainer@{stableName}:{NodeContract.RemotingPort}",
                $"{directory}: {pod.Workload} has CLUSTERTRAINER_SEED_NODES '{seeds}', expected the coordinator pod's stable name {stableName} over TLS (akka.ssl.tcp)");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_let_the_coordinator_advertise_exactly_the_name_of_the_first_seed_so_it_founds_the_cluster(string directory)
    {
        // Akka founds a cluster only on the node whose own address is the first seed node, and Kubernetes expands
        // $(POD_NAME) only when POD_NAME is defined earlier in the same env list.
        var manifests = Kubectl.Render(directory);
        var coordinator = Coordinator(manifests, directory);
        var container = coordinator.Containers.First();
        var env = container.Items("env").Select(v => v.Text("name")).ToList();
        var advertised = manifests.Env(container).GetValueOrDefault("CLUSTERTRAINER_PUBLIC_HOST");

        Assert.True(advertised?.Value == "$(POD_NAME).clustertrainer-coordinator",
            $"{directory}: the coordinator advertises '{advertised?.Value}', expected $(POD_NAME).clustertrainer-coordinator");
        Assert.True(manifests.Env(container).GetValueOrDefault("POD_NAME")?.FieldPath == "metadata.name"
            && env.IndexOf("POD_NAME") >= 0 && env.IndexOf("POD_NAME") < env.IndexOf("CLUSTERTRAINER_PUBLIC_HOST"),
            $"{directory}: POD_NAME must come from metadata.name and be defined before CLUSTERTRAINER_PUBLIC_HOST");

        foreach (var worker in manifests.ClusterPods.Where(pod => pod != coordinator))
        {
            Assert.True(manifests.Env(worker.Containers.First()).GetValueOrDefault("CLUSTERTRAINER_PUBLIC_HOST")?.FieldPath == "status.podIP",
                $"{directory}: {worker.Workload} must advertise its pod IP (status.podIP): workers have no stable names");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_give_every_node_the_shared_remoting_certificate_from_one_tls_secret(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var container = pod.Containers.First();
            var env = manifests.Env(container);
            foreach (var (variable, key) in new[] { ("CLUSTERTRAINER_TLS_CERT", "tls.crt"), ("CLUSTERTRAINER_TLS_KEY", "tls.key") })
            {
                var file = env.GetValueOrDefault(variable)?.Value;
                Assert.False(file is null, $"{directory}: {pod.Workload} sets no {variable}: remoting must run over TLS");
                Assert.Equal(key, Path.GetFileName(file));
                Assert.True(SecretMountedAbove(pod, container, file!) == "clustertrainer-remoting",
                    $"{directory}: {pod.Workload}: {file} is not in a volume of the Secret clustertrainer-remoting");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_declare_the_management_port_from_env_as_the_container_port_named_management(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            foreach (var container in pod.Containers)
            {
                var configured = NodeContract.Port(manifests.Env(container).GetValueOrDefault("CLUSTERTRAINER_MANAGEMENT_PORT")?.Value, NodeContract.ManagementPort);
                var declared = container.Items("ports").Where(p => p.Text("name") == NodeContract.ManagementPortName).Select(p => p.Text("containerPort")).ToList();
                Assert.True(declared.Count == 1,
                    $"{directory}: {pod.Workload} container {container.Text("name")} declares {declared.Count} ports named '{NodeContract.ManagementPortName}' (the probes and Services use that name)");
                Assert.True(declared[0] == configured.ToString(CultureInfo.InvariantCulture),
                    $"{directory}: {pod.Workload}: CLUSTERTRAINER_MANAGEMENT_PORT is {configured} but the container port named management is {declared[0]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_point_every_probe_at_a_declared_container_port(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.PodTemplates)
        {
            foreach (var container in pod.Containers)
            {
                foreach (var probeKind in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
                {
                    var probe = container.Get(probeKind);
                    if (probe is null)
                    {
                        continue;
                    }

                    var port = probe.Text("httpGet", "port") ?? probe.Text("tcpSocket", "port") ?? probe.Text("grpc", "port");
                    Assert.False(port is null, $"{directory}: {pod.Workload} {probeKind} probes no port");
                    Assert.True(container.Items("ports").Any(p => p.Text("name") == port || p.Text("containerPort") == port),
                        $"{directory}: {pod.Workload} container {container.Text("name")}: {probeKind} uses port '{port}', which the container does not declare");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_probe_readiness_by_cluster_membership_and_liveness_by_the_actor_system(string directory)
    {
        // The coordinator: the gRPC health service, whose overall status ("") is its readiness and whose "liveness"
        // service is its liveness. A worker: HTTP /ready and /alive on its management port.
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var container = pod.Containers.First();
            var readiness = container.Get("readinessProbe");
            var liveness = container.Get("livenessProbe");
            if (container.Items("ports").Any(p => p.Text("name") == "grpc"))
            {
                Assert.True(readiness.Text("grpc", "port") == "5000" && readiness.Text("grpc", "service") is null or "",
                    $"{directory}: {pod.Workload}: readiness must be the gRPC health probe of the overall service on 5000");
                Assert.True(liveness.Text("grpc", "port") == "5000" && liveness.Text("grpc", "service") == NodeContract.LivenessService,
                    $"{directory}: {pod.Workload}: liveness must be the gRPC health probe of service '{NodeContract.LivenessService}' on 5000");
            }
            else
            {
                Assert.True(readiness.Text("httpGet", "path") == NodeContract.ReadyPath && readiness.Text("httpGet", "port") == NodeContract.ManagementPortName,
                    $"{directory}: {pod.Workload}: readiness must be GET {NodeContract.ReadyPath} on the management port");
                Assert.True(liveness.Text("httpGet", "path") == NodeContract.AlivePath && liveness.Text("httpGet", "port") == NodeContract.ManagementPortName,
                    $"{directory}: {pod.Workload}: liveness must be GET {NodeContract.AlivePath} on the management port");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_give_nodes_no_kubernetes_api_access(string directory)
    {
        // Formation needs no Kubernetes API, so the nodes get no token and no role.
        var manifests = Kubectl.Render(directory);
        Assert.Empty(manifests.OfKind("Role").Concat(manifests.OfKind("RoleBinding")).Concat(manifests.OfKind("ClusterRoleBinding")).Select(Manifests.Id));

        foreach (var pod in manifests.ClusterPods)
        {
            var account = pod.Spec.Text("serviceAccountName");
            Assert.False(account is null or "default", $"{directory}: {pod.Workload} runs as the default service account, not the node's own");
            Assert.True(manifests.Find("ServiceAccount", account!) is not null, $"{directory}: {pod.Workload} uses ServiceAccount {account}, which is not rendered");
            Assert.True(pod.Spec.Text("automountServiceAccountToken") == "false", $"{directory}: {pod.Workload} mounts a service account token it never uses");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_listen_on_every_interface_on_the_remoting_port(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var env = manifests.Env(pod.Containers.First());
            Assert.True(env.GetValueOrDefault("CLUSTERTRAINER_HOST")?.Value == "0.0.0.0",
                $"{directory}: {pod.Workload}: CLUSTERTRAINER_HOST must be 0.0.0.0 so other pods can connect");
            Assert.True(NodeContract.Port(env.GetValueOrDefault("CLUSTERTRAINER_PORT")?.Value, 0) == NodeContract.RemotingPort
                && pod.Ports.Any(p => p.Number == NodeContract.RemotingPort),
                $"{directory}: {pod.Workload} must set CLUSTERTRAINER_PORT={NodeContract.RemotingPort} and declare it as a containerPort");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_give_every_container_cpu_and_memory_requests_and_limits(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.PodTemplates)
        {
            foreach (var container in pod.Containers)
            {
                foreach (var kind in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        Assert.False(container.Text("resources", kind, resource) is null,
                            $"{directory}: {pod.Workload} container {container.Text("name")} has no {resource} {kind}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_render_every_config_map_the_pods_use_and_no_secret_that_apply_would_overwrite(string directory)
    {
        var manifests = Kubectl.Render(directory);
        Assert.Empty(manifests.OfKind("Secret").Select(Manifests.Id));

        foreach (var pod in manifests.PodTemplates)
        {
            var configMaps = pod.Containers.SelectMany(c => c.Items("envFrom")).Select(s => s.Text("configMapRef", "name"))
                .Concat(pod.Spec.Items("volumes").Select(v => v.Text("configMap", "name")));
            foreach (var name in configMaps.OfType<string>())
            {
                Assert.True(manifests.Find("ConfigMap", name) is not null, $"{directory}: {pod.Workload} uses ConfigMap {name}, which is not rendered");
            }

            var secrets = pod.Spec.Items("volumes").Select(v => (Name: v.Text("secret", "secretName"), Key: (string?)null))
                .Concat(pod.Containers.SelectMany(c => manifests.Env(c).Values).Select(e => (Name: e.SecretName, Key: e.SecretKey)));
            foreach (var (name, key) in secrets.Where(s => s.Name is not null))
            {
                Assert.True(NodeContract.UserSecrets.TryGetValue(name!, out var keys), $"{directory}: {pod.Workload} uses Secret {name}, which the README does not tell users to create");
                Assert.True(key is null || keys.Contains(key), $"{directory}: {pod.Workload} reads key '{key}' of Secret {name}, which holds {string.Join(", ", keys)}");
            }
        }
    }

    [Fact]
    public void Should_tell_users_how_to_create_every_secret_the_manifests_use()
    {
        var readme = Repo.Read("README.md");

        foreach (var (name, keys) in NodeContract.UserSecrets)
        {
            var command = readme.Split('\n').FirstOrDefault(line => line.Contains("create secret", StringComparison.Ordinal) && line.Contains($" {name} ", StringComparison.Ordinal));
            Assert.False(command is null, $"README.md has no `kubectl create secret ... {name} ...` line");
            Assert.True(keys.All(key => command!.Contains(key, StringComparison.Ordinal)), $"README.md creates Secret {name} without the keys {string.Join(", ", keys)}: {command}");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_mount_the_token_secret_where_the_coordinator_reads_it(string directory)
    {
        var manifests = Kubectl.Render(directory);
        var coordinator = Coordinator(manifests, directory);
        var container = coordinator.Containers.First();

        var tokenFile = manifests.Env(container).GetValueOrDefault("CLUSTERTRAINER_TOKEN_FILE")?.Value;
        Assert.False(tokenFile is null, $"{directory}: {coordinator.Workload} sets no CLUSTERTRAINER_TOKEN_FILE");
        Assert.True(SecretMountedAbove(coordinator, container, tokenFile!) == "clustertrainer-token",
            $"{directory}: {coordinator.Workload}: {tokenFile} is not in a volume of the Secret clustertrainer-token");
        Assert.Contains(Path.GetFileName(tokenFile), NodeContract.UserSecrets["clustertrainer-token"]);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_keep_service_link_variables_out_of_the_node_environment(string directory)
    {
        // The kubelet gives pods NAME_PORT=tcp://IP:PORT and more for every Service with a cluster IP; for a
        // Service named clustertrainer-... those are CLUSTERTRAINER_... variables, which the node would read.
        var manifests = Kubectl.Render(directory);
        var colliding = manifests.OfKind("Service")
            .Where(service => service.Text("spec", "clusterIP") != "None")
            .Select(service => service.Text("metadata", "name")!.ToUpperInvariant().Replace('-', '_'))
            .Where(prefix => prefix.StartsWith("CLUSTERTRAINER_", StringComparison.Ordinal))
            .ToList();

        foreach (var pod in manifests.ClusterPods.Where(_ => colliding.Count > 0))
        {
            Assert.True(pod.Spec.Text("enableServiceLinks") == "false",
                $"{directory}: {pod.Workload} gets service-link variables ({string.Join(", ", colliding.Select(c => c + "_PORT"))}): set enableServiceLinks: false");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_run_every_pod_with_the_runtime_default_seccomp_profile(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.PodTemplates)
        {
            Assert.True(pod.Spec.Text("securityContext", "seccompProfile", "type") == "RuntimeDefault",
                $"{directory}: {pod.Workload} has no seccompProfile RuntimeDefault (the restricted Pod Security Standard refuses it)");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_run_nodes_as_the_restricted_standard_asks_with_a_read_only_root_and_a_writable_tmp(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var container = pod.Containers.First();
            Assert.True(container.Text("securityContext", "readOnlyRootFilesystem") == "true", $"{directory}: {pod.Workload}: the node's root file system must be read-only");
            Assert.True(container.Text("securityContext", "allowPrivilegeEscalation") == "false", $"{directory}: {pod.Workload} allows privilege escalation");
            Assert.True(container.Items("securityContext", "capabilities", "drop").Any(c => c.Text() == "ALL"), $"{directory}: {pod.Workload} keeps capabilities");
            var tmp = container.Items("volumeMounts").FirstOrDefault(m => m.Text("mountPath") == "/tmp");
            Assert.True(tmp is not null && pod.Spec.Items("volumes").Any(v => v.Text("name") == tmp.Text("name") && v.Get("emptyDir") is not null),
                $"{directory}: {pod.Workload} needs an emptyDir at /tmp beside its read-only root");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_give_nodes_a_grace_period_that_covers_leaving_the_cluster_and_stopping(string directory)
    {
        // `node` leaves the cluster within 15 s of SIGTERM, then stops its host within 30 s.
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var grace = int.Parse(pod.Spec.Text("terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture);
            Assert.True(grace >= 45, $"{directory}: {pod.Workload} is killed {grace} s after SIGTERM; leaving and stopping may take 45 s");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_limit_voluntary_disruptions_of_workers_to_one_at_a_time(string directory)
    {
        var manifests = Kubectl.Render(directory);
        var worker = manifests.Find("Deployment", "clustertrainer-worker");
        var budgets = manifests.OfKind("PodDisruptionBudget")
            .Where(pdb => Manifests.Selects(pdb.Pairs("spec", "selector", "matchLabels"), worker.Pairs("spec", "template", "metadata", "labels")))
            .ToList();

        var budget = Assert.Single(budgets);
        Assert.True(budget.Text("spec", "maxUnavailable") == "1", $"{directory}: {Manifests.Id(budget)} should allow one worker down at a time");
        Assert.False(Manifests.Selects(budget.Pairs("spec", "selector", "matchLabels"), manifests.Find("StatefulSet", "clustertrainer-coordinator").Pairs("spec", "template", "metadata", "labels")),
            $"{directory}: {Manifests.Id(budget)} also selects the coordinator");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_run_seq_pinned_with_its_first_run_password_from_a_secret_and_its_data_on_a_volume(string directory)
    {
        var manifests = Kubectl.Render(directory);
        var seq = manifests.Find("Deployment", "seq").Map("spec", "template")!;
        var pod = new PodTemplate("Deployment/seq", seq);
        var container = pod.Containers.Single();

        var image = container.Text("image") ?? "";
        Assert.True(image.StartsWith("datalust/seq:", StringComparison.Ordinal) && !image.EndsWith(":latest", StringComparison.Ordinal),
            $"{directory}: Seq's image '{image}' is not pinned to a version");
        var password = manifests.Env(container).GetValueOrDefault("SEQ_FIRSTRUN_ADMINPASSWORD");
        Assert.True(password?.SecretName == "seq-admin" && password.SecretKey == "password",
            $"{directory}: Seq's SEQ_FIRSTRUN_ADMINPASSWORD must come from Secret seq-admin, key password");
        var data = container.Items("volumeMounts").Single(m => m.Text("mountPath") == "/data");
        var claim = pod.Spec.Items("volumes").Single(v => v.Text("name") == data.Text("name")).Text("persistentVolumeClaim", "claimName");
        Assert.True(claim is not null && manifests.Find("PersistentVolumeClaim", claim) is not null,
            $"{directory}: Seq's /data must be a rendered PersistentVolumeClaim, is {claim ?? "not a claim"}");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_open_cluster_ports_only_between_cluster_pods_and_the_job_api_to_clients(string directory)
    {
        var manifests = Kubectl.Render(directory);
        var policies = manifests.OfKind("NetworkPolicy").ToList();
        var coordinator = Coordinator(manifests, directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var selecting = policies.Where(p => Manifests.Selects(p.Pairs("spec", "podSelector", "matchLabels"), pod.Labels)).ToList();
            Assert.True(selecting.Count > 0, $"{directory}: no NetworkPolicy selects {pod.Workload}, so anyone may reach its cluster port");
            var rules = selecting.SelectMany(p => p.Items("spec", "ingress")).ToList();

            bool Open(int port, Func<YamlNode, bool> from) => rules.Any(rule => from(rule) && rule.Items("ports").Any(p =>
                int.Parse(p.Text("port") ?? "-1", CultureInfo.InvariantCulture) is var start && start <= port
                && port <= int.Parse(p.Text("endPort") ?? p.Text("port") ?? "-1", CultureInfo.InvariantCulture)));
            bool FromClusterPods(YamlNode rule) => rule.Items("from").Count > 0 && rule.Items("from").All(peer =>
                peer.Pairs("podSelector", "matchLabels").GetValueOrDefault(NodeContract.PartOfLabel) == "clustertrainer" && peer.Get("ipBlock") is null && peer.Get("namespaceSelector") is null);
            bool FromAnywhere(YamlNode rule) => rule.Items("from").Count == 0;

            foreach (var port in new[] { NodeContract.RemotingPort, NodeContract.ManagementPort, 32768, 45000, 60999 })
            {
                Assert.True(Open(port, FromClusterPods), $"{directory}: {pod.Workload}: port {port} is not open to the cluster's pods");
                Assert.False(Open(port, FromAnywhere), $"{directory}: {pod.Workload}: port {port} is open to anyone");
            }

            Assert.True(Open(NodeContract.GrpcPort, FromAnywhere) == (pod == coordinator),
                $"{directory}: {pod.Workload}: the job API port {NodeContract.GrpcPort} must be open to clients on the coordinator only");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_govern_the_coordinator_statefulset_by_a_headless_service_that_lists_unready_pods(string directory)
    {
        var manifests = Kubectl.Render(directory);
        var statefulSet = Assert.Single(manifests.OfKind("StatefulSet"));

        var serviceName = statefulSet.Text("spec", "serviceName");
        var service = manifests.Find("Service", serviceName ?? "");
        Assert.False(service is null, $"{directory}: {Manifests.Id(statefulSet)} names serviceName {serviceName}, which is not rendered");
        Assert.True(service.Text("spec", "clusterIP") == "None", $"{directory}: {Manifests.Id(service)} must be headless (clusterIP: None)");
        Assert.True(service.Text("spec", "publishNotReadyAddresses") == "true",
            $"{directory}: {Manifests.Id(service)} must publish not-ready addresses: a node is not ready until the cluster has formed");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_run_one_coordinator_and_a_scalable_worker_deployment(string directory)
    {
        var manifests = Kubectl.Render(directory);
        var coordinator = Coordinator(manifests, directory);
        Assert.True(manifests.Find("StatefulSet", "clustertrainer-coordinator").Text("spec", "replicas") == "1",
            $"{directory}: {coordinator.Workload} must run exactly 1 replica");

        var worker = manifests.Find("Deployment", "clustertrainer-worker");
        Assert.False(worker is null, $"{directory}: Deployment/clustertrainer-worker (the name the README's scale command uses) is not rendered");
        var roles = manifests.Env(worker.Items("spec", "template", "spec", "containers")[0]).GetValueOrDefault("CLUSTERTRAINER_ROLES")?.Value;
        Assert.True(roles == "worker", $"{directory}: Deployment/clustertrainer-worker runs roles '{roles}', expected 'worker'");
        Assert.True(worker.Text("spec", "replicas") == "2", $"{directory}: Deployment/clustertrainer-worker should start with 2 replicas");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_send_logs_to_a_rendered_seq_service(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var url = manifests.Env(pod.Containers.First()).GetValueOrDefault("CLUSTERTRAINER_SEQ_URL")?.Value;
            Assert.True(Uri.TryCreate(url, UriKind.Absolute, out var uri), $"{directory}: {pod.Workload}: CLUSTERTRAINER_SEQ_URL '{url}' is not a URL");
            var service = manifests.Find("Service", uri.Host);
            Assert.False(service is null, $"{directory}: {pod.Workload} logs to {url}, but no Service is named {uri.Host}");
            Assert.True(service.Items("spec", "ports").Any(p => p.Text("port") == uri.Port.ToString(CultureInfo.InvariantCulture)),
                $"{directory}: Service/{uri.Host} has no port {uri.Port} (from {url})");
            var seqPods = manifests.PodTemplates.Where(p => Manifests.Selects(service.Pairs("spec", "selector"), p.Labels)).ToList();
            Assert.True(seqPods.Count > 0 && seqPods.All(p => p.Containers.Any(c => manifests.Env(c).GetValueOrDefault("ACCEPT_EULA")?.Value == "Y")),
                $"{directory}: the pods behind Service/{uri.Host} must run Seq with ACCEPT_EULA=Y");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_put_every_namespaced_object_in_the_clustertrainer_namespace(string directory)
    {
        var manifests = Kubectl.Render(directory);
        Assert.True(manifests.Find("Namespace", ClusterNamespace) is not null, $"{directory}: Namespace {ClusterNamespace} is not rendered");

        foreach (var o in manifests.Objects.Where(o => o.Text("kind") is not ("Namespace" or "ClusterRole" or "ClusterRoleBinding")))
        {
            Assert.True(o.Text("metadata", "namespace") == ClusterNamespace,
                $"{directory}: {Manifests.Id(o)} is in namespace '{o.Text("metadata", "namespace")}', expected {ClusterNamespace}");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_run_cluster_containers_as_the_image_non_root_user(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            Assert.True(pod.Spec.Text("securityContext", "runAsNonRoot") == "true" && pod.Spec.Text("securityContext", "runAsUser") == "1654",
                $"{directory}: {pod.Workload} must run as non-root UID 1654 (the .NET images' app user that owns /runs)");
        }
    }

    internal const string ClusterNamespace = "clustertrainer";

    private static PodTemplate Coordinator(Manifests manifests, string directory)
    {
        var coordinators = manifests.ClusterPods
            .Where(pod => manifests.Env(pod.Containers.First()).GetValueOrDefault("CLUSTERTRAINER_ROLES")?.Value?.Split(',').Contains("coordinator") == true)
            .ToList();
        Assert.True(coordinators.Count == 1, $"{directory}: expected one workload with role coordinator, found {coordinators.Count}");
        return coordinators[0];
    }

    /// <summary>The Secret whose volume is mounted above <paramref name="file"/> in this container, if any.</summary>
    private static string? SecretMountedAbove(PodTemplate pod, YamlNode container, string file)
    {
        var mount = container.Items("volumeMounts").FirstOrDefault(m => file.StartsWith(m.Text("mountPath") + "/", StringComparison.Ordinal));
        return mount is null ? null : pod.Spec.Items("volumes").FirstOrDefault(v => v.Text("name") == mount.Text("name")).Text("secret", "secretName");
    }

    private static bool HasPort(PodTemplate pod, string? target) =>
        pod.Ports.Any(port => port.Name == target || port.Number.ToString(CultureInfo.InvariantCulture) == target);

    private static string Describe(IReadOnlyDictionary<string, string> selector) => string.Join(",", selector.Select(pair => $"{pair.Key}={pair.Value}"));
}
