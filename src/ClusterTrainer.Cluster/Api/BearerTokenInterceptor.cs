using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ClusterTrainer.Cluster.Api;

/// <summary>Rejects job API calls without the configured bearer token (Unauthenticated), when one is required.</summary>
public sealed class BearerTokenInterceptor(ApiOptions options) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        if (!options.RequiresToken)
        {
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "this job API needs 'authorization: Bearer <token>' (the CLI sends $CLUSTERTRAINER_TOKEN)"));
        }

        var given = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        var expected = Encoding.UTF8.GetBytes(options.Token ?? string.Empty);
        if (!CryptographicOperations.FixedTimeEquals(given, expected))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the bearer token is not valid for this cluster"));
        }
    }
}
