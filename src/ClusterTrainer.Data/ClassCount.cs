using System.Globalization;

namespace ClusterTrainer.Data;

/// <summary>Refuses labels that make more classes than a run allows (see TrainingSettings.MaxClasses).</summary>
public static class ClassCount
{
    /// <exception cref="DataFormatException">naming the data, the class count and how to allow it.</exception>
    public static DataSplit RequireAtMost(DataSplit data, int maxClasses)
    {
        ArgumentNullException.ThrowIfNull(data);
        var classes = data.Train.ClassCount;
        if (classes <= maxClasses)
        {
            return data;
        }

        throw new DataFormatException(data.Source, string.Create(CultureInfo.InvariantCulture,
            $"the labels make {classes:N0} classes for {data.Train.Count:N0} training samples, more than the limit of {maxClasses:N0}. " +
            $"Labels with that many distinct values are usually an id or a measurement (in a CSV file, the last column), not classes: " +
            $"check the file, or allow them with --max-classes {classes}"));
    }
}
