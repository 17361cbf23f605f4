using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Exchange.Providers;

/// <summary>
/// How a worker's exchange address travels as text: "host:port" for one ring, "host:rowPort+columnPort" for the two
/// rings of a hierarchical all-reduce (see <see cref="Tcp.TwoLevelGrid"/>). Written and read only here.
/// </summary>
public static class ExchangeEndpoint
{
    public static string Format(string host, int port, int? columnPort = null) =>
        columnPort is { } column
            ? string.Create(CultureInfo.InvariantCulture, $"{host}:{port}+{column}")
            : string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");

    /// <returns>The (row) ring's address, and the column ring's when the endpoint has two ports.</returns>
    /// <exception cref="ExchangeFailedException">The text is not an endpoint, or its host does not resolve.</exception>
    public static (IPEndPoint Row, IPEndPoint? Column) Parse(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var separator = endpoint.LastIndexOf(':');
        var ports = separator <= 0 ? [] : endpoint[(separator + 1)..].Split('+');
        if (ports.Length is < 1 or > 2 || ports.Any(p => !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new ExchangeFailedException($"'{endpoint}' is not a host:port (or host:port+port) exchange endpoint");
        }

        var address = Resolve(endpoint[..separator]);
        var row = new IPEndPoint(address, int.Parse(ports[0], CultureInfo.InvariantCulture));
        return (row, ports.Length == 2 ? new IPEndPoint(address, int.Parse(ports[1], CultureInfo.InvariantCulture)) : null);
    }

    /// <summary>An address as it is, else the host name's first IPv4 address (else its first).</summary>
    public static IPAddress Resolve(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new ExchangeFailedException($"the exchange host '{host}' does not resolve to an address");
    }
}
