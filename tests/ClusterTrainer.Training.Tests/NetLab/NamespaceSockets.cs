using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Training.Tests.NetLab;

/// <summary>
/// Sockets of this test process inside a lab host's network namespace: a socket belongs to the namespace of the
/// thread that created it, so a short-lived thread enters the namespace (setns), creates it, and ends. The test
/// can then talk to the lab's hosts (HTTP probes, gRPC) without a program of its own in there.
/// </summary>
public static partial class NamespaceSockets
{
    private const int NewNetworkNamespace = 0x40000000;

    public static Socket Create(LabHost host, SocketType type = SocketType.Stream, ProtocolType protocol = ProtocolType.Tcp)
    {
        ArgumentNullException.ThrowIfNull(host);
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{host.Namespace}");
                if (SetNamespace((int)handle.DangerousGetHandle(), NewNetworkNamespace) != 0)
                {
                    throw new InvalidOperationException($"setns into {host.Namespace} failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(AddressFamily.InterNetwork, type, protocol);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or SocketException)
            {
                failure = error;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"could not open a socket in {host.Namespace}", failure);
    }

    /// <summary>An HTTP client whose connections start in <paramref name="host"/>; names resolve through <paramref name="resolve"/>.</summary>
    public static HttpClient HttpClient(LabHost host, Func<string, string> resolve, TimeSpan timeout) =>
        new(Handler(host, resolve, timeout)) { Timeout = timeout };

    /// <summary>The handler of <see cref="HttpClient"/>, for clients that take one (a gRPC channel).</summary>
    public static SocketsHttpHandler Handler(LabHost host, Func<string, string> resolve, TimeSpan timeout) =>
        new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = Create(host);
                try
                {
                    await socket.ConnectAsync(IPAddress.Parse(resolve(context.DnsEndPoint.Host)), context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int type);
}
