using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ClusterTrainer.Cli.Client;

/// <summary>
/// Turns the transport failures of job API calls (nothing listening, a coordinator that died mid-watch, no answer
/// within the deadline) into a <see cref="CoordinatorUnreachableException"/> that names the server and says how to
/// check it, instead of gRPC's "Status(StatusCode=Unavailable, ... HttpIOException ...)".
/// </summary>
public sealed class CoordinatorConnectionInterceptor(string server) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(Translate(call.ResponseAsync, streamStarted: false), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = continuation(request, context);
        return new AsyncServerStreamingCall<TResponse>(new Reader<TResponse>(call.ResponseStream, this), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    /// <summary>Whether a failed call means the coordinator is not there (rather than a refusal it sent).</summary>
    public static bool IsConnectionFailure(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
            || (error.StatusCode == StatusCode.Internal && error.Status.DebugException is IOException or HttpRequestException);
    }

    private CoordinatorUnreachableException Describe(RpcException error, bool streamStarted)
    {
        var cause = error.Status.DebugException?.GetBaseException().Message is { Length: > 0 } debug ? debug : error.Status.Detail;
        var what = error.StatusCode == StatusCode.DeadlineExceeded
            ? $"the coordinator's job API at {server} did not answer in time"
            : streamStarted
                ? $"lost the connection to the coordinator's job API at {server} ({cause})"
                : $"the coordinator's job API at {server} is unreachable ({cause})";
        return new CoordinatorUnreachableException(
            $"{what}. Check that the coordinator is running (its log says \"Job API (gRPC) listening on ...\"; `docker ps` or " +
            $"`kubectl -n clustertrainer get pods` where it runs in a container) and that --server or ${ServerOptions.ServerVariable} names it",
            error);
    }

    private async Task<T> Translate<T>(Task<T> response, bool streamStarted)
    {
        try
        {
            return await response.ConfigureAwait(false);
        }
        catch (RpcException error) when (IsConnectionFailure(error))
        {
            throw Describe(error, streamStarted);
        }
    }

    private sealed class Reader<T>(IAsyncStreamReader<T> inner, CoordinatorConnectionInterceptor owner) : IAsyncStreamReader<T>
    {
        private bool _received;

        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var more = await owner.Translate(inner.MoveNext(cancellationToken), _received).ConfigureAwait(false);
            _received = true;
            return more;
        }
    }
}
