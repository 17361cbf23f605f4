using System.Diagnostics;
using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Core;
using ClusterTrainer.Data;

namespace ClusterTrainer.Cluster.Simulation;

/// <summary>What one job of light workers cost the coordinator's process, per step, over the measured steps.</summary>
/// <param name="CpuMsPerStep">The process's CPU time (every thread: the coordinator actor, remoting, serialization, GC) per step.</param>
/// <param name="WallMsPerStep">Wall time per step: a step's round trip with workers that answer at once.</param>
/// <param name="StepMessagesPerStep">StartStep and StepCompleted messages per step, as the light workers counted them.</param>
/// <param name="StepBytesPerStep">Their serialized payload bytes per step (Akka.Remote's envelope and TCP/IP headers come on top).</param>
/// <param name="JobMessages">Every message of the job between the coordinator and its workers, set-up and evaluation included.</param>
public sealed record ControlPlaneMeasurement(
    int Workers,
    int Steps,
    int MeasuredSteps,
    double CpuMsPerStep,
    double WallMsPerStep,
    double StepMessagesPerStep,
    double StepBytesPerStep,
    long JobMessages,
    long JobBytes);

/// <summary>
/// Runs one real <see cref="CoordinatorActor"/> job on light workers (see <see cref="LightWorkerActor"/>) and measures
/// what its steps cost the process it runs in. The job is one epoch of <c>steps</c> global batches, each worker
/// training <see cref="SamplesPerWorker"/> samples per step; the first fifth of the steps warm up and are not measured.
/// </summary>
public static class ControlPlaneRun
{
    public const int SamplesPerWorker = 4;

    public static async Task<ControlPlaneMeasurement> RunAsync(
        ActorSystem system, IActorRef registry, IReadOnlyList<IActorRef> workers, int steps, string outputDirectory, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 10);
        var count = workers.Count;
        var batch = count * SamplesPerWorker;
        var jobId = $"light-{count}-{Guid.NewGuid():N}";
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = count, BatchSize = batch, Epochs = 1, Seed = 1 };
        var data = new DataSplit(Synthetic("light-train", steps * batch), Synthetic("light-test", count), "light workers");
        var job = new TrainingJob(jobId, settings, data, Path.Combine(outputDirectory, jobId));

        var firstMeasured = steps / 5;
        var meter = new TaskCompletionSource<(TimeSpan Cpu, TimeSpan Wall)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var requester = system.ActorOf(StepCostMeterActor.Props(firstMeasured, steps, meter));
        // The shards are never asked: light workers bring no data. The requester stands in for them as a live reference.
        var coordinator = system.ActorOf(CoordinatorActor.Props(job, workers, [requester], requester, requester, Serilog.Core.Logger.None, CoordinatorTimeouts.Default));
        try
        {
            var (cpu, wall) = await meter.Task.WaitAsync(timeout).ConfigureAwait(false);
            var tallies = await registry.Ask<LightWorkerTallies>(new AwaitTallies(jobId, count), timeout).ConfigureAwait(false);
            var measured = steps - firstMeasured;
            var stepMessages = tallies.Tallies.Sum(t => t.StepMessages);
            var stepBytes = tallies.Tallies.Sum(t => t.StepBytes);
            return new ControlPlaneMeasurement(
                count, steps, measured, cpu.TotalMilliseconds / measured, wall.TotalMilliseconds / measured,
                (double)stepMessages / steps, (double)stepBytes / steps,
                tallies.Tallies.Sum(t => t.MessagesIn + t.MessagesOut), tallies.Tallies.Sum(t => t.BytesIn + t.BytesOut));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the control-plane job of {count} light workers did not finish within {timeout.TotalSeconds:0} s");
        }
        finally
        {
            system.Stop(coordinator);
            system.Stop(requester);
        }
    }

    private static Dataset Synthetic(string name, int samples) =>
        new(name, [1], new byte[samples], new int[samples], 10);

    /// <summary>Takes the process's CPU time and the clock when step <c>from</c> completes and when the last does.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor releases its resources in PostStop, not Dispose.")]
    private sealed class StepCostMeterActor : ReceiveActor
    {
        private readonly Process _process = Process.GetCurrentProcess();

        public StepCostMeterActor(int from, int last, TaskCompletionSource<(TimeSpan Cpu, TimeSpan Wall)> done)
        {
            var process = _process;
            TimeSpan cpuFrom = default;
            long wallFrom = 0;
            (TimeSpan, TimeSpan)? result = null;
            Receive<JobProgressed>(p =>
            {
                if (p.Step == from)
                {
                    process.Refresh();
                    cpuFrom = process.TotalProcessorTime;
                    wallFrom = Stopwatch.GetTimestamp();
                }
                else if (p.Step == last)
                {
                    process.Refresh();
                    result = (process.TotalProcessorTime - cpuFrom, Stopwatch.GetElapsedTime(wallFrom));
                }
            });
            Receive<JobFinished>(_ =>
            {
                if (result is { } measured)
                {
                    done.TrySetResult(measured);
                }
                else
                {
                    done.TrySetException(new InvalidOperationException($"the job finished without reporting steps {from} and {last}"));
                }
            });
            Receive<JobFailed>(f => done.TrySetException(new InvalidOperationException($"the control-plane job failed: {f.Reason}")));
            ReceiveAny(_ => { });
        }

        protected override void PostStop()
        {
            _process.Dispose();
            base.PostStop();
        }

        public static Props Props(int from, int last, TaskCompletionSource<(TimeSpan Cpu, TimeSpan Wall)> done) =>
            Akka.Actor.Props.Create(() => new StepCostMeterActor(from, last, done));
    }
}
