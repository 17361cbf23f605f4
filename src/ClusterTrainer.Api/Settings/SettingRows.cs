using System.Numerics;

namespace ClusterTrainer.Api.Settings;

/// <summary>
/// Makes the rows of one job kind's settings table from a getter, a setter and the request field's accessors, so
/// that each setting is one line: text parsing, display and the API mapping follow from its type. A null
/// <c>field</c> means the API does not carry the setting; a null <c>key</c> that sweep files do not vary it.
/// </summary>
/// <param name="apiMessage">The request message's name in the API's errors (training, dqn).</param>
public sealed class SettingRows<TSettings, TSpec>(string apiMessage)
{
    public SettingRow<TSettings, TSpec> Number<T>(string property, string flag, string? field, string? key, string rule,
        Func<TSettings, T> get, Func<TSettings, T, TSettings> set, Func<TSpec, T?>? read = null, Action<TSpec, T>? write = null)
        where T : struct, INumber<T>, IFormattable => new()
        {
            Property = property,
            ApiMessage = apiMessage,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = rule,
            Show = s => SettingText.Format(get(s)),
            Parse = (s, text) => set(s, SettingText.Number<T>(text, flag)),
            Write = write is null ? null : (s, spec) => write(spec, get(s)),
            Read = read is null ? null : (s, spec) => read(spec) is { } value ? set(s, value) : s,
            IsIn = read is null ? null : spec => read(spec) is not null,
        };

    public SettingRow<TSettings, TSpec> OptionalNumber(string property, string flag, string? field, string? key, string rule, string unset,
        Func<TSettings, int?> get, Func<TSettings, int?, TSettings> set, Func<TSpec, int?>? read = null, Action<TSpec, int>? write = null) => new()
        {
            Property = property,
            ApiMessage = apiMessage,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = rule,
            Unset = unset,
            Show = s => get(s) is { } value ? SettingText.Format(value) : null,
            Parse = (s, text) => set(s, SettingText.Number<int>(text, flag)),
            Write = write is null ? null : (s, spec) =>
            {
                if (get(s) is { } value)
                {
                    write(spec, value);
                }
            },
            Read = read is null ? null : (s, spec) => read(spec) is { } value ? set(s, value) : s,
            IsIn = read is null ? null : spec => read(spec) is not null,
        };

    public SettingRow<TSettings, TSpec> Choice<T>(string property, string flag, string? field, string? key,
        Func<TSettings, T> get, Func<TSettings, T, TSettings> set, Func<TSpec, string>? read = null, Action<TSpec, string>? write = null, string ruleNote = "")
        where T : struct, Enum => new()
        {
            Property = property,
            ApiMessage = apiMessage,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = string.Join(" | ", SettingText.Names<T>()) + ruleNote,
            Show = s => get(s).ToString().ToLowerInvariant(),
            Parse = (s, text) => set(s, SettingText.Choice<T>(text, flag)),
            Write = write is null ? null : (s, spec) => write(spec, get(s).ToString().ToLowerInvariant()),
            Read = read is null ? null : (s, spec) => read(spec) is { Length: > 0 } text ? set(s, SettingText.Choice<T>(text, flag)) : s,
            IsIn = read is null ? null : spec => read(spec) is { Length: > 0 },
        };

    public SettingRow<TSettings, TSpec> Text(string property, string flag, string? field, string? key, string rule, string? unset,
        Func<TSettings, string?> get, Func<TSettings, string?, TSettings> set, Func<TSpec, string>? read = null, Action<TSpec, string>? write = null) => new()
        {
            Property = property,
            ApiMessage = apiMessage,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = rule,
            Unset = unset,
            Show = get,
            Parse = set,
            Write = write is null ? null : (s, spec) =>
            {
                if (get(s) is { } value)
                {
                    write(spec, value);
                }
            },
            Read = read is null ? null : (s, spec) => read(spec) is { Length: > 0 } text ? set(s, text) : s,
            IsIn = read is null ? null : spec => read(spec) is { Length: > 0 },
        };

    public SettingRow<TSettings, TSpec> Sizes(string property, string flag, string? field, string? key, string rule,
        Func<TSettings, IReadOnlyList<int>> get, Func<TSettings, int[], TSettings> set, Func<TSpec, IReadOnlyCollection<int>>? read = null, Action<TSpec, IReadOnlyList<int>>? write = null) => new()
        {
            Property = property,
            ApiMessage = apiMessage,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = rule,
            Show = s => string.Join(",", get(s).Select(SettingText.Format)),
            Parse = (s, text) => set(s, SettingText.Sizes(text, flag)),
            Write = write is null ? null : (s, spec) => write(spec, get(s)),
            Read = read is null ? null : (s, spec) => read(spec) is { Count: > 0 } sizes ? set(s, [.. sizes]) : s,
            IsIn = read is null ? null : spec => read(spec) is { Count: > 0 },
        };

    /// <summary>A switch: given means on ("true" as text); absent means its default.</summary>
    public SettingRow<TSettings, TSpec> Switch(string property, string flag, string? field, string? key, string rule,
        Func<TSettings, bool> get, Func<TSettings, bool, TSettings> set, Func<TSpec, bool?>? read = null, Action<TSpec, bool>? write = null) => new()
        {
            Property = property,
            ApiMessage = apiMessage,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = rule,
            Show = s => get(s) ? "true" : "false",
            Parse = (s, text) => set(s, SettingText.Switch(text, flag)),
            Write = write is null ? null : (s, spec) => write(spec, get(s)),
            Read = read is null ? null : (s, spec) => read(spec) is { } on ? set(s, on) : s,
            IsIn = read is null ? null : spec => read(spec) is not null,
        };

    /// <summary>A setting the program fixes: no flag a person can give, not carried, not swept (tests set it in code).</summary>
    public SettingRow<TSettings, TSpec> Fixed(string property, string flag, string rule, Func<TSettings, string?> show, string? unset = null) => new()
    {
        Property = property,
        ApiMessage = apiMessage,
        Flag = flag,
        OnCommandLine = false,
        Rule = rule,
        Unset = unset,
        Show = show,
    };
}
