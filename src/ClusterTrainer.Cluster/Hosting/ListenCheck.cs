using System.Net;
using System.Net.Sockets;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// Checks, before a node starts, that it can listen where it is told to: the host is an address of this machine
/// and the port is free. Akka's transport sets SO_REUSEADDR, which .NET on Linux turns into SO_REUSEPORT as well,
/// so a second node on a taken port would start and share it with the first (a worker joining may then reach
/// either cluster). The probe sets SO_REUSEADDR alone: it binds past connections lingering in TIME_WAIT, as a
/// restarted node must, but not past a socket that is listening.
/// </summary>
public static class ListenCheck
{
    private const int SolSocket = 1;
    private const int SoReuseAddress = 2;

    /// <exception cref="SettingsException">naming <paramref name="hostSetting"/> or <paramref name="portSetting"/>.</exception>
    public static void Require(string host, int port, string hostSetting, string portSetting)
    {
        ArgumentNullException.ThrowIfNull(host);
        var address = Resolve(host, hostSetting);
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (OperatingSystem.IsLinux())
        {
            probe.SetRawSocketOption(SolSocket, SoReuseAddress, BitConverter.GetBytes(1));
        }

        try
        {
            probe.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new SettingsException(portSetting,
                $"port {port} is in use on {host} (by another node, or another program: `ss -ltnp 'sport = :{port}'` shows which); stop it or choose another {portSetting}");
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AccessDenied)
        {
            throw new SettingsException(error.SocketErrorCode == SocketError.AccessDenied ? portSetting : hostSetting,
                error.SocketErrorCode == SocketError.AccessDenied
                    ? $"port {port} needs privileges this process does not have; choose a port above 1023"
                    : $"'{host}' is not an address of this machine; give one of its addresses (127.0.0.1, 0.0.0.0 for all, or the machine's IP)");
        }
    }

    private static IPAddress Resolve(string host, string hostSetting)
    {
        if (host == "localhost")
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        // Dotted numbers that are not an IPv4 address (999.1.1.1) would go to DNS and fail slowly.
        if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            throw new SettingsException(hostSetting, $"'{host}' is not an IPv4 address (four numbers 0-255, e.g. 127.0.0.1)");
        }

        try
        {
            return Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? throw new SettingsException(hostSetting, $"'{host}' has no IPv4 address");
        }
        catch (SocketException error)
        {
            throw new SettingsException(hostSetting, $"'{host}' is neither an IP address nor a host name that resolves ({error.Message})");
        }
    }
}
