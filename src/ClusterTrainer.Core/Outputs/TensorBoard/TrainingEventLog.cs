namespace ClusterTrainer.Core.Outputs.TensorBoard;

/// <summary>
/// What a supervised run writes to TensorBoard, against the global optimizer step: about <see cref="PointsPerEpoch"/>
/// points per epoch of the training loss (the mean over the samples reported since the previous point), the learning
/// rate and the training samples/s over that interval; and at each epoch's end the rows of metrics.csv and the epoch
/// number. Pure bookkeeping over a <see cref="TensorBoardWriter"/>, so the coordinator only reports what happened.
/// </summary>
public sealed class TrainingEventLog : IDisposable
{
    public const int PointsPerEpoch = 50;

    private readonly TensorBoardWriter _writer;
    private readonly TimeProvider _clock;
    private readonly int _every;
    private double _lossSumAtPoint;
    private long _samplesAtPoint;
    private long _timeAtPoint;

    public TrainingEventLog(string directory, int stepsPerEpoch, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        _clock = clock ?? TimeProvider.System;
        _writer = new TensorBoardWriter(directory, _clock);
        _every = Math.Max(1, stepsPerEpoch / PointsPerEpoch);
        _timeAtPoint = _clock.GetTimestamp();
    }

    public string Path => _writer.Path;

    /// <summary>A new epoch starts: the loss and samples reported from here on are counted afresh, and so is time.</summary>
    public void EpochStarted()
    {
        _lossSumAtPoint = 0;
        _samplesAtPoint = 0;
        _timeAtPoint = _clock.GetTimestamp();
    }

    /// <param name="globalStep">Optimizer steps done in the run, this one included.</param>
    /// <param name="stepInEpoch">Steps done in this epoch, this one included.</param>
    /// <param name="epochLossSum">Summed loss of every sample reported in this epoch so far.</param>
    /// <param name="epochSamples">Samples reported in this epoch so far.</param>
    public void StepCompleted(long globalStep, int stepInEpoch, bool lastOfEpoch, double epochLossSum, long epochSamples, double learningRate)
    {
        if (stepInEpoch % _every != 0 && !lastOfEpoch)
        {
            return;
        }

        var samples = epochSamples - _samplesAtPoint;
        var seconds = _clock.GetElapsedTime(_timeAtPoint).TotalSeconds;
        if (samples <= 0)
        {
            return;
        }

        _writer.Scalars(globalStep,
        [
            ("train/loss", (epochLossSum - _lossSumAtPoint) / samples),
            ("train/learning_rate", learningRate),
            ("train/samples_per_second", seconds > 0 ? samples / seconds : 0),
        ]);
        _lossSumAtPoint = epochLossSum;
        _samplesAtPoint = epochSamples;
        _timeAtPoint = _clock.GetTimestamp();
    }

    public void EpochFinished(long globalStep, EpochMetrics row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _writer.Scalars(globalStep,
        [
            ("epoch/epoch", row.Epoch),
            ("epoch/train_loss", row.TrainLoss),
            ("epoch/test_loss", row.TestLoss),
            ("epoch/test_accuracy", row.TestAccuracy),
            ("epoch/samples_per_second", row.SamplesPerSecond),
        ]);
        _writer.Flush();
    }

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();
}
