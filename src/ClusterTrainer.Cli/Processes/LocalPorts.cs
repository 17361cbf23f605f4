using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Cli.Processes;

/// <summary>Ports for processes started on this machine; the operating system picks one that is free now.</summary>
public static class LocalPorts
{
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
