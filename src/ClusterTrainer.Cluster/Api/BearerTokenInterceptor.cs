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
        if (BearerToken.Refusal(context.RequestHeaders.GetValue("authorization"), options) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, refusal));
        }
    }
}
