using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Training.Tests.NetLab;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests.Kubernetes;

/// <summary>
/// The Kubernetes manifests as a cluster would run them, on emulated pods (see <see cref="EmulatedKubernetes"/>):
/// exactly the environment, volumes, users and probes that `kubectl kustomize k8s` renders, with the Secrets a
/// user creates. To run it against another checkout and build (to see it fail on one), set
/// CLUSTERTRAINER_EMULATED_PODS_REPO (its k8s/ and deploy/Dockerfile) and CLUSTERTRAINER_EMULATED_PODS_APP
/// (the directory holding its clustertrainer.dll).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EmulatedPodsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan JobWithin = TimeSpan.FromMinutes(4);

    [NetLabFact]
    public async Task The_rendered_manifests_should_form_one_cluster_run_jobs_replace_workers_and_survive_a_coordinator_restart()
    {
        var repo = Environment.GetEnvironmentVariable("CLUSTERTRAINER_EMULATED_PODS_REPO") ?? Repo.Root;
        var app = Environment.GetEnvironmentVariable("CLUSTERTRAINER_EMULATED_PODS_APP") ?? AppContext.BaseDirectory;
        output.WriteLine($"manifests of {repo}, program {app}");
        var manifests = RenderedManifests.Render(Path.Combine(repo, "k8s"));
        var image = ImageConfig.FromDockerfile(Path.Combine(repo, "deploy", "Dockerfile"));

        // The Secrets a user creates once (README, "Kubernetes").
        using var certificates = new TempDirectory();
        var tls = RemotingCertificateFiles.Create(certificates.Path);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var secrets = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            ["clustertrainer-token"] = new Dictionary<string, string> { ["token"] = token },
            ["clustertrainer-remoting"] = new Dictionary<string, string>
            {
                ["tls.crt"] = await File.ReadAllTextAsync(tls.CertificateFile),
                ["tls.key"] = await File.ReadAllTextAsync(tls.KeyFile),
            },
        };

        await using var cluster = new EmulatedKubernetes(manifests, image, app, secrets);
        var clock = Stopwatch.StartNew();
        var coordinator = cluster.StartPod("StatefulSet", "clustertrainer-coordinator");
        var worker1 = cluster.StartPod("Deployment", "clustertrainer-worker");
        var worker2 = cluster.StartPod("Deployment", "clustertrainer-worker");
        await WaitReadyAsync(cluster, coordinator, worker1, worker2);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: coordinator and 2 workers ready");

        // ONE cluster: the coordinator's members are exactly the three pods, and both workers registered.
        await AssertMembersAsync(cluster, token, coordinator, worker1, worker2);
        var first = await SubmitAsync(cluster, token, "first");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: job {first} finished on 2 workers");

        // A worker pod deleted (it leaves and ends with 0, not to be restarted) and a new one added: the next job
        // runs on the survivor and the newcomer.
        await cluster.DeletePodAsync(worker1, graceful: true);
        Assert.True(worker1.Exits.Count > 0 && worker1.Exits[^1].Code == 0, $"a deleted worker should leave and exit 0:\n{worker1.Describe()}");
        var worker3 = cluster.StartPod("Deployment", "clustertrainer-worker");
        await WaitReadyAsync(cluster, worker3);
        await AssertMembersAsync(cluster, token, coordinator, worker2, worker3);
        await SubmitAsync(cluster, token, "after-replacing-a-worker");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: a worker replaced, the next job finished");

        // A worker partitioned during a job: the job goes on without it (it is unreachable at once, the survivor forms a
        // ring of one) and finishes. The Split Brain Resolver downs the partitioned worker (the minority side), which
        // exits with 1, so it is restarted; once the link is back it joins again, as a new member, not a zombie.
        var runsDirectory = cluster.ClaimDirectory("runs-clustertrainer-coordinator-0");
        var running = cluster.RunClientAsync(JobWithin, "submit", "--server", "http://clustertrainer-grpc:5000", "--token", token, "--name", "partitioned",
            "--model", "mlp", "--data", "sample", "--epochs", "40", "--workers", "2", "--watch");
        // In the middle of an epoch, where the survivor regroups in place (at an epoch's end, while it checkpoints, the
        // job starts again from that checkpoint instead).
        var midEpoch = await Poll.UntilAsync(
            async () =>
            {
                var jobs = await CallApiAsync(cluster, token, (client, headers) => client.ListJobsAsync(new ListJobsRequest(), headers, DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
                return jobs.Jobs.Any(j => j.Name == "partitioned" && j.State == JobState.Running && j.Epoch >= 2 && j.SamplesDone % 6000 is >= 1200 and <= 4200);
            },
            JobWithin);
        Assert.True(midEpoch, $"the job to partition was never seen in the middle of an epoch:\n{cluster.Describe()}");
        cluster.Partition(worker2);
        await WaitForExitAsync(cluster, worker2, code: 1);
        Assert.True(Folded(worker2.Exits[^1].Output).Contains("downed this node", StringComparison.Ordinal), $"the partitioned worker exited for another reason:\n{worker2.Describe()}");
        cluster.Heal(worker2);
        var (watched, watchOutput) = await running;
        // To see why a job here stalled: each pod's whole output, written to this folder.
        if (Environment.GetEnvironmentVariable("CLUSTERTRAINER_TEST_POD_LOGS") is { } dump)
        {
            foreach (var pod in cluster.Pods)
            {
                await File.WriteAllTextAsync(Path.Combine(dump, pod.Name + ".log"), pod.Output);
            }
        }
        Assert.True(watched == 0, $"the job a partition took a worker from did not finish:\n{watchOutput}\n{cluster.Describe()}");
        var partitionedJob = watchOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        using (var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runsDirectory, partitionedJob, "summary.json"))))
        {
            // Lost, then (restarted and below its 2 workers) the same pod may join it again before it ends.
            var membership = summary.RootElement.GetProperty("membership").EnumerateArray().Select(m => m.GetProperty("change").GetString()).ToArray();
            Assert.True(membership is ["lost"] or ["lost", "joined"], summary.RootElement.GetRawText());
            Assert.All(summary.RootElement.GetProperty("samples_per_epoch").EnumerateArray(), n => Assert.Equal(6000, n.GetInt64()));
        }

        await WaitReadyAsync(cluster, worker2);
        await AssertMembersAsync(cluster, token, coordinator, worker2, worker3);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: a worker partitioned during a job: the job finished on the survivor; the worker was downed, exited 1, restarted and rejoined");

        // The coordinator pod lost with its node (no grace) and recreated by the StatefulSet: same name, new IP,
        // same volume. The workers see their coordinator removed, exit 1, are restarted and join the new one.
        var runs = cluster.ClaimDirectory("runs-clustertrainer-coordinator-0");
        await cluster.DeletePodAsync(coordinator, graceful: false);
        var restarted = cluster.StartPod("StatefulSet", "clustertrainer-coordinator");
        Assert.NotEqual(coordinator.Host.Address, restarted.Host.Address);
        await WaitForExitAsync(cluster, worker3, code: 1);
        await WaitReadyAsync(cluster, restarted, worker2, worker3);
        await AssertMembersAsync(cluster, token, restarted, worker2, worker3);
        await SubmitAsync(cluster, token, "after-the-coordinator-restarted");
        Assert.True(File.Exists(Path.Combine(runs, first, "summary.json")), $"the first job's outputs are gone from the coordinator's volume {runs}");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: the coordinator restarted with a new address, the workers rejoined, a job finished");
    }

    /// <summary>Waits until every pod passes its own readinessProbe, as the manifests define it; a crash loop fails at once.</summary>
    private static async Task WaitReadyAsync(EmulatedKubernetes cluster, params EmulatedPod[] pods)
    {
        var ready = await Poll.UntilAsync(
            async () =>
            {
                foreach (var pod in pods.Where(p => p.Exits.Count >= 3))
                {
                    Assert.Fail($"pod {pod.Name} is crash-looping ({pod.Exits.Count} exits, last code {pod.Exits[^1].Code}):\n{cluster.Describe()}");
                }

                var results = await Task.WhenAll(pods.Select(pod => PassesProbeAsync(cluster, pod, "readinessProbe")));
                return results.All(passed => passed);
            },
            ReadyWithin);
        Assert.True(ready, $"not every pod of {string.Join(", ", pods.Select(p => p.Name))} was ready within {ReadyWithin.TotalSeconds:0} s:\n{cluster.Describe()}");
    }

    /// <summary>One probe of the pod's container spec (grpc, httpGet or tcpSocket), as the kubelet would run it.</summary>
    private static async Task<bool> PassesProbeAsync(EmulatedKubernetes cluster, EmulatedPod pod, string kind)
    {
        var container = pod.Workload.Items("spec", "template", "spec", "containers")[0];
        var probe = container.At(kind) ?? throw new InvalidOperationException($"{pod.Name} has no {kind}");
        int Port(string? named) => int.TryParse(named, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number
            : int.Parse(container.Items("ports").Single(p => p.Text("name") == named).Text("containerPort")!, CultureInfo.InvariantCulture);
        using var handler = NamespaceSockets.Handler(cluster.Client, cluster.Resolve, TimeSpan.FromSeconds(3));
        try
        {
            if (probe.At("grpc") is { } grpc)
            {
                using var channel = GrpcChannel.ForAddress($"http://{pod.Host.Address}:{Port(grpc.Text("port"))}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
                var status = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = grpc.Text("service") ?? string.Empty }, deadline: DateTime.UtcNow.AddSeconds(3));
                return status.Status == HealthCheckResponse.Types.ServingStatus.Serving;
            }

            if (probe.At("httpGet") is { } http)
            {
                using var client = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(3) };
                var response = await client.GetAsync(new Uri($"http://{pod.Host.Address}:{Port(http.Text("port"))}{http.Text("path")}"));
                return response.StatusCode is >= HttpStatusCode.OK and < HttpStatusCode.BadRequest;
            }

            using var socket = NamespaceSockets.Create(cluster.Client);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await socket.ConnectAsync(IPAddress.Parse(pod.Host.Address), Port(probe.Text("tcpSocket", "port")), limit.Token);
            return true;
        }
        catch (Exception error) when (error is HttpRequestException or RpcException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The coordinator's own view, through the job API: its members are exactly these pods, all Up and reachable.</summary>
    private static async Task AssertMembersAsync(EmulatedKubernetes cluster, string token, params EmulatedPod[] pods)
    {
        ClusterStatusResponse? status = null;
        var expected = pods.Select(p => p.Host.Address).Order(StringComparer.Ordinal).ToArray();
        // A member's address names its host as it advertises it: the coordinator by its stable DNS name.
        string[] Addresses(ClusterStatusResponse s) => s.Members
            .Select(m => cluster.Resolve(new Uri(m.Address.Replace("akka.ssl.tcp", "tcp", StringComparison.Ordinal)).Host))
            .Order(StringComparer.Ordinal).ToArray();
        var settled = await Poll.UntilAsync(
            async () =>
            {
                status = await CallApiAsync(cluster, token, (client, headers) => client.ClusterStatusAsync(new ClusterStatusRequest(), headers, DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
                return Addresses(status).SequenceEqual(expected) && status.Members.All(m => m.Reachable && m.Status == "Up");
            },
            TimeSpan.FromSeconds(60));
        Assert.True(settled, $"the coordinator's members are {string.Join(", ", status?.Members.Select(m => $"{m.Address} {m.Status}") ?? [])}, expected one cluster of {string.Join(", ", expected)}:\n{cluster.Describe()}");
    }

    /// <summary>One call of the job API through its Service, from the client host, with the token.</summary>
    private static async Task<T> CallApiAsync<T>(EmulatedKubernetes cluster, string token, Func<Jobs.JobsClient, Metadata, Task<T>> call)
    {
        using var handler = NamespaceSockets.Handler(cluster.Client, cluster.Resolve, TimeSpan.FromSeconds(5));
        using var channel = GrpcChannel.ForAddress("http://clustertrainer-grpc:5000", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        return await call(new Jobs.JobsClient(channel), new Metadata { { "authorization", $"Bearer {token}" } });
    }

    /// <summary>Submits a small 2-worker job with the CLI from the client host, as a user would, and follows it to its end.</summary>
    private async Task<string> SubmitAsync(EmulatedKubernetes cluster, string token, string name)
    {
        var (code, text) = await cluster.RunClientAsync(JobWithin, "submit", "--server", "http://clustertrainer-grpc:5000", "--token", token, "--name", name,
            "--model", "mlp", "--data", "sample", "--limit", "1200", "--epochs", "1", "--workers", "2", "--watch");
        output.WriteLine($"submit {name}: exit {code}\n{text}");
        Assert.True(code == 0, $"job {name}: submit --watch exited with {code}:\n{text}\n{cluster.Describe()}");
        var jobId = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(cluster.ClaimDirectory("runs-clustertrainer-coordinator-0"), jobId, "summary.json")));
        Assert.Equal(2, summary.RootElement.GetProperty("workers").GetInt32());
        return jobId;
    }

    private static async Task WaitForExitAsync(EmulatedKubernetes cluster, EmulatedPod pod, int code)
    {
        var before = pod.Exits.Count;
        var exited = await Poll.UntilAsync(() => Task.FromResult(pod.Exits.Count > before), TimeSpan.FromSeconds(120));
        Assert.True(exited, $"pod {pod.Name} did not exit within 120 s:\n{cluster.Describe()}");
        Assert.True(pod.Exits[^1].Code == code, $"pod {pod.Name} exited with {pod.Exits[^1].Code}, expected {code}:\n{cluster.Describe()}");
    }

    private static string Folded(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
}
