using System.Globalization;
using System.Text;

namespace ClusterTrainer.Cluster.Serialization;

/// <summary>The HOCON that binds every protocol message to <see cref="ClusterTrainerSerializer"/>.</summary>
public static class SerializationConfig
{
    public static string Hocon
    {
        get
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"akka.actor.serializers.clustertrainer = \"{Name(typeof(ClusterTrainerSerializer))}\"");
            text.AppendLine("akka.actor.serialization-identifiers { \"" + Name(typeof(ClusterTrainerSerializer)) + $"\" = {ClusterTrainerSerializer.SerializerId} }}");
            text.AppendLine("akka.actor.serialization-bindings {");
            foreach (var type in ClusterTrainerSerializer.BoundTypes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  \"{Name(type)}\" = clustertrainer");
            }

            text.AppendLine("}");
            return text.ToString();
        }
    }

    private static string Name(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
