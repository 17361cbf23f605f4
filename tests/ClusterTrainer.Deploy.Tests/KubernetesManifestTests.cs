using System.Globalization;

namespace ClusterTrainer.Deploy.Tests;

/// <summary>Cross-checks of what `kubectl kustomize` renders, for the base and for every overlay.</summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Kustomizations => new() { "k8s", "k8s/overlays/gpu" };

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
    public void Should_label_every_cluster_pod_with_the_discovery_selector_and_no_other_pod(string directory)
    {
        var manifests = Kubectl.Render(directory);
        var clusterPods = manifests.ClusterPods.ToList();
        Assert.NotEmpty(clusterPods);

        foreach (var pod in clusterPods)
        {
            foreach (var container in pod.Containers)
            {
                var selectorText = manifests.Env(container).GetValueOrDefault("CLUSTERTRAINER_DISCOVERY_SELECTOR")?.Value;
                Assert.False(selectorText is null, $"{directory}: {pod.Workload} has no CLUSTERTRAINER_DISCOVERY_SELECTOR");
                var selector = Manifests.ParseSelector(selectorText!);
                Assert.True(selector.TryGetValue(NodeContract.PartOfLabel, out var partOf),
                    $"{directory}: {pod.Workload}: the discovery selector '{selectorText}' does not use the {NodeContract.PartOfLabel} label");
                Assert.True(pod.Labels.GetValueOrDefault(NodeContract.PartOfLabel) == partOf,
                    $"{directory}: {pod.Workload} is labelled {NodeContract.PartOfLabel}={pod.Labels.GetValueOrDefault(NodeContract.PartOfLabel)}, but its discovery selector is '{selectorText}'");

                // Contact points must be nodes: a pod that matches the selector but runs no node would stall bootstrap.
                foreach (var other in manifests.PodTemplates.Where(other => Manifests.Selects(selector, other.Labels)))
                {
                    Assert.True(clusterPods.Contains(other),
                        $"{directory}: {other.Workload} matches the discovery selector '{selectorText}' but runs no ClusterTrainer node");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_form_the_cluster_through_kubernetes_discovery(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var env = manifests.Env(pod.Containers.First());
            Assert.True(env.GetValueOrDefault("CLUSTERTRAINER_DISCOVERY")?.Value == "kubernetes",
                $"{directory}: {pod.Workload} does not set CLUSTERTRAINER_DISCOVERY=kubernetes");
            Assert.False(env.ContainsKey("CLUSTERTRAINER_SEED_NODES"), $"{directory}: {pod.Workload} sets seed nodes; on Kubernetes the cluster bootstraps from discovery");
            var contacts = env.GetValueOrDefault("CLUSTERTRAINER_REQUIRED_CONTACTS")?.Value;
            Assert.True(int.TryParse(contacts, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1,
                $"{directory}: {pod.Workload} has CLUSTERTRAINER_REQUIRED_CONTACTS='{contacts}', expected a whole number of at least 1");
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
                    $"{directory}: {pod.Workload} container {container.Text("name")} declares {declared.Count} ports named '{NodeContract.ManagementPortName}' (discovery finds contact points by that name)");
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
    public void Should_probe_what_each_node_really_serves(string directory)
    {
        // Akka.Management for .NET serves no /alive or /ready: the coordinator is probed through the standard
        // gRPC health service (open without the API token), a worker through its listening TCP ports.
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var container = pod.Containers.First();
            var servesGrpc = container.Items("ports").Any(p => p.Text("name") == "grpc");
            foreach (var probeKind in new[] { "readinessProbe", "livenessProbe" })
            {
                var probe = container.Get(probeKind);
                Assert.False(probe is null, $"{directory}: {pod.Workload} has no {probeKind}");
                if (servesGrpc)
                {
                    Assert.True(probe!.Text("grpc", "port") == "5000",
                        $"{directory}: {pod.Workload}: {probeKind} must be a gRPC health probe on port 5000, is {probe.Text("grpc", "port") ?? "not a gRPC probe"}");
                }
                else
                {
                    Assert.True(probe!.Text("tcpSocket", "port") is "remoting" or "4053" or NodeContract.ManagementPortName or "8558",
                        $"{directory}: {pod.Workload}: {probeKind} must be a TCP probe on the remoting or management port, is {probe.Text("tcpSocket", "port") ?? "not a TCP probe"}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_bind_a_pod_reading_role_to_the_service_account_of_every_cluster_pod(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var account = pod.Spec.Text("serviceAccountName");
            Assert.False(account is null or "default", $"{directory}: {pod.Workload} runs as the default service account, not the node's own");
            Assert.True(manifests.Find("ServiceAccount", account!) is not null, $"{directory}: {pod.Workload} uses ServiceAccount {account}, which is not rendered");

            var roles = manifests.OfKind("RoleBinding")
                .Where(binding => binding.Items("subjects").Any(s => s.Text("kind") == "ServiceAccount" && s.Text("name") == account
                    && (s.Text("namespace") ?? binding.Text("metadata", "namespace")) == ClusterNamespace))
                .Select(binding => manifests.Find(binding.Text("roleRef", "kind") ?? "", binding.Text("roleRef", "name") ?? ""))
                .OfType<YamlMappingNode>()
                .ToList();
            Assert.True(roles.Count > 0, $"{directory}: no RoleBinding binds ServiceAccount {account} (used by {pod.Workload}) to a rendered Role");
            Assert.True(roles.Any(role => role.Items("rules").Any(rule =>
                    rule.Items("apiGroups").Any(g => g.Text() == "") && rule.Items("resources").Any(r => r.Text() == "pods")
                    && new[] { "get", "watch", "list" }.All(verb => rule.Items("verbs").Any(v => v.Text() == verb)))),
                $"{directory}: the Roles bound to {account} do not allow get, watch and list on pods (Akka.Discovery.KubernetesApi needs them)");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_take_public_host_and_namespace_of_cluster_pods_from_the_downward_api(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.ClusterPods)
        {
            var env = manifests.Env(pod.Containers.First());
            Assert.True(env.GetValueOrDefault("CLUSTERTRAINER_PUBLIC_HOST")?.FieldPath == "status.podIP",
                $"{directory}: {pod.Workload}: CLUSTERTRAINER_PUBLIC_HOST must come from status.podIP");
            Assert.True(env.GetValueOrDefault("CLUSTERTRAINER_NAMESPACE")?.FieldPath == "metadata.namespace",
                $"{directory}: {pod.Workload}: CLUSTERTRAINER_NAMESPACE must come from metadata.namespace");
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
    public void Should_render_every_config_map_and_secret_the_pods_use(string directory)
    {
        var manifests = Kubectl.Render(directory);

        foreach (var pod in manifests.PodTemplates)
        {
            var configMaps = pod.Containers.SelectMany(c => c.Items("envFrom")).Select(s => s.Text("configMapRef", "name"))
                .Concat(pod.Spec.Items("volumes").Select(v => v.Text("configMap", "name")));
            foreach (var name in configMaps.OfType<string>())
            {
                Assert.True(manifests.Find("ConfigMap", name) is not null, $"{directory}: {pod.Workload} uses ConfigMap {name}, which is not rendered");
            }

            foreach (var name in pod.Spec.Items("volumes").Select(v => v.Text("secret", "secretName")).OfType<string>())
            {
                Assert.True(manifests.Find("Secret", name) is not null, $"{directory}: {pod.Workload} mounts Secret {name}, which is not rendered");
            }
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
        var mount = container.Items("volumeMounts").FirstOrDefault(m => tokenFile!.StartsWith(m.Text("mountPath") + "/", StringComparison.Ordinal));
        Assert.False(mount is null, $"{directory}: {coordinator.Workload}: no volume is mounted above the token file {tokenFile}");
        var volume = coordinator.Spec.Items("volumes").FirstOrDefault(v => v.Text("name") == mount.Text("name"));
        var secretName = volume.Text("secret", "secretName");
        Assert.False(secretName is null, $"{directory}: {coordinator.Workload}: volume {mount.Text("name")} holding {tokenFile} is not a Secret");
        var key = Path.GetFileName(tokenFile);
        var secret = manifests.Find("Secret", secretName!);
        Assert.True(secret.Map("stringData")?.Get(key) is not null || secret.Map("data")?.Get(key) is not null,
            $"{directory}: Secret {secretName} has no key '{key}', so {tokenFile} would not exist");
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
    public void Should_not_restrict_traffic_between_nodes_with_a_network_policy(string directory)
    {
        // The gradient ring connects workers on ports chosen per job; a NetworkPolicy would break it silently.
        var policies = Kubectl.Render(directory).OfKind("NetworkPolicy").Select(Manifests.Id).ToList();

        Assert.True(policies.Count == 0, $"{directory} renders {string.Join(", ", policies)}: workers must reach each other on any TCP port");
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

    private static bool HasPort(PodTemplate pod, string? target) =>
        pod.Ports.Any(port => port.Name == target || port.Number.ToString(CultureInfo.InvariantCulture) == target);

    private static string Describe(IReadOnlyDictionary<string, string> selector) => string.Join(",", selector.Select(pair => $"{pair.Key}={pair.Value}"));
}
