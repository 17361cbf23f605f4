using System.Runtime.InteropServices;

namespace ClusterTrainer.Core.Outputs;

/// <summary>
/// Loads a model.bin into a model built from its settings.json, and turns what goes wrong into one sentence that
/// names the file: empty, cut short, from another model, or not a model at all. TorchSharp's own messages
/// ("Attempted to read past the end of the stream", "Mismatched state_dict sizes") name neither file.
/// </summary>
public static class SavedModel
{
    /// <param name="modelPath">The model.bin.</param>
    /// <param name="describedBy">What the model was built from, for the message: "the mlp (hidden 256,256) that settings.json describes".</param>
    /// <param name="load">Reads the file into the model.</param>
    /// <exception cref="InvalidDataException">naming <paramref name="modelPath"/> and what is wrong.</exception>
    public static void Load(string modelPath, string describedBy, Action<string> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var length = new FileInfo(modelPath).Length;
        if (length == 0)
        {
            throw new InvalidDataException($"{modelPath} is empty (0 bytes): it is not a saved model. Train again, or point at the run's own model.bin");
        }

        try
        {
            load(modelPath);
        }
        catch (EndOfStreamException error)
        {
            throw new InvalidDataException($"{modelPath} ends after {length:N0} bytes, before the {describedBy} is complete: the file is cut short, or from a smaller model", error);
        }
        catch (Exception error) when (error is ArgumentException or IOException or FormatException or OverflowException or InvalidOperationException or ExternalException)
        {
            var said = error.Message.Split('\n')[0].Trim();
            throw new InvalidDataException(
                $"{modelPath} does not hold the {describedBy} ({said}): it is from another run or model, or not a model file. Use the model.bin and settings.json of the same run",
                error);
        }
    }
}
