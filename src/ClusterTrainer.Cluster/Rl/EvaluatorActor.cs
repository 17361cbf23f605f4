using Akka.Actor;
using ClusterTrainer.Core.Threading;
using ClusterTrainer.Models.Dqn;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;
using TorchSharp;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// Plays greedy episodes on seeds the training never used, on its own thread, with its own copy of the
/// network; requests are served in the order they arrive.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor releases its resources in PostStop, not Dispose.")]
public sealed class EvaluatorActor : ReceiveActor
{
    private readonly DqnSettings _settings;
    private DedicatedThread? _thread;
    private QNetwork? _network;

    public EvaluatorActor(DqnSettings settings)
    {
        _settings = settings;
        Receive<EvaluatePolicy>(Evaluate);
    }

    public static Props Props(DqnSettings settings) => Akka.Actor.Props.Create(() => new EvaluatorActor(settings));

    protected override void PreStart()
    {
        var spec = EnvironmentCatalog.Get(_settings.Environment);
        _thread = new DedicatedThread("evaluator", () => torch.set_num_threads(1));
        _thread.Run(() =>
        {
            var environment = spec.Create();
            _network = new QNetwork(environment.ObservationSize, _settings.Hidden, environment.ActionCount, _settings.Seed);
        });
    }

    private void Evaluate(EvaluatePolicy request)
    {
        var spec = EnvironmentCatalog.Get(_settings.Environment);
        _thread!.Run(() =>
        {
            _network!.ImportParameters(request.Weights);
            var returns = GreedyEvaluation.Run(spec.Create, request.Episodes, request.Seed, _network.QValues);
            return new PolicyEvaluated(request.RequestId, returns.Average(), returns);
        }).PipeTo(Sender, Self, failure: error => new EvaluationFailed(request.RequestId, error.GetBaseException().Message));
    }

    protected override void PostStop()
    {
        var thread = _thread;
        if (thread is not null)
        {
            var network = _network;
            thread.Run(() => network?.Dispose());
            thread.Dispose();
        }

        base.PostStop();
    }
}
