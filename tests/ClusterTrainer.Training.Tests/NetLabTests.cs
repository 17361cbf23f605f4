using System.Net;
using ClusterTrainer.Training.Tests.NetLab;
using System.Net.Sockets;

namespace ClusterTrainer.Training.Tests;

/// <summary>The network lab itself: addresses, names, links that can be cut, containers with fixed paths and a read-only root.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class NetLabTests
{
    [NetLabFact]
    public async Task Hosts_should_reach_each_other_by_address_until_a_link_is_cut_and_again_once_it_is_healed()
    {
        using var lab = NetworkLab.Create();
        var server = lab.AddHost("server");
        var client = lab.AddHost("client");
        using var listener = NamespaceSockets.Create(server);
        listener.Bind(new IPEndPoint(IPAddress.Parse(server.Address), 0));
        listener.Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        Assert.True(await ConnectsAsync(client, server.Address, port), "the client could not reach the server over the bridge");
        lab.Partition(server);
        Assert.False(await ConnectsAsync(client, server.Address, port), "the client reached the server through a cut link");
        lab.Heal(server);
        Assert.True(await ConnectsAsync(client, server.Address, port), "the client could not reach the server after the link was healed");
    }

    [NetLabFact]
    public async Task A_container_should_see_its_names_and_mounts_at_fixed_paths_and_a_read_only_root_without_touching_this_machine()
    {
        using var lab = NetworkLab.Create();
        var host = lab.AddHost("pod-a");
        lab.WriteHostsFiles(new Dictionary<string, IReadOnlyList<string>> { [host.Address] = ["service-a.example"] });
        using var secret = new TempDirectory();
        await File.WriteAllTextAsync(secret.Combine("token"), "s3cret");
        // Readable by the container's user, as a mounted Secret is.
        File.SetUnixFileMode(secret.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var target = $"/var/run/secrets/{NetworkLab.NamePrefix}test-{Guid.NewGuid():N}";

        var container = LabProcesses.StartContainer(host, new ContainerSpec(
            ["sh", "-c", $"cat /etc/hosts; cat {target}/token; echo; touch /should-not-exist 2>&1; id -u"],
            new Dictionary<string, string> { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin" },
            [new ContainerMount(secret.Path, target, ReadOnly: true)],
            ReadOnlyRoot: true,
            User: 1654));
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await container.Process.WaitForExitAsync(limit.Token);
        }

        var output = container.Output;
        container.Clean();
        Assert.Contains($"{host.Address} service-a.example", output, StringComparison.Ordinal);
        Assert.True(output.Contains("s3cret", StringComparison.Ordinal), output);
        Assert.Contains("Read-only file system", output, StringComparison.Ordinal);
        Assert.Contains("1654", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(LabProcesses.ResolveInRoot(target)), $"{target} appeared on this machine");
        Assert.False(File.Exists("/should-not-exist"));
    }

    private static async Task<bool> ConnectsAsync(LabHost from, string address, int port)
    {
        using var socket = NamespaceSockets.Create(from);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(address), port, limit.Token);
            return true;
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
