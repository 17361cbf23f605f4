// Compiled by MSBuild's RoslynCodeTaskFactory (see TorchSharpGlibcxxFix.targets); not part of any project.
using System;
using System.IO;
using System.Text;

public class RelaxElfVersionRequirement : Microsoft.Build.Utilities.Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = System.Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    [Microsoft.Build.Framework.Required]
    public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        if (HostLibstdcxxProvides(VersionName))
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                "libstdc++ on this host provides {0}; TorchSharp glue left unchanged.", VersionName);
            return true;
        }

        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                var bytes = File.ReadAllBytes(path);
                var result = MarkWeak(bytes, VersionName);
                if (result == null)
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "{0}: already relaxed or no {1} requirement.", path, VersionName);
                    continue;
                }

                // Write a new file and rename it over the old one, so a hard link into a package cache is never modified.
                var temporary = path + ".relaxing";
                File.WriteAllBytes(temporary, result);
                File.Replace(temporary, path, null);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "Relaxed {0} requirement in {1}", VersionName, path);
            }
            catch (System.Exception error) when (error is IOException || error is System.UnauthorizedAccessException)
            {
                Log.LogError("Could not relax {0} in {1}: {2}", VersionName, path, error.Message);
            }
        }

        return !Log.HasLoggedErrors;
    }

    private static bool HostLibstdcxxProvides(string versionName)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
        };
        var needle = Encoding.ASCII.GetBytes(versionName + "\0");
        foreach (var candidate in candidates)
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            var haystack = File.ReadAllBytes(candidate);
            return IndexOf(haystack, needle) >= 0;
        }

        return false;
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = haystack[i + j] == needle[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }

    /// <returns>The edited image, or null when nothing needed changing.</returns>
    private static byte[] MarkWeak(byte[] elf, string versionName)
    {
        // ELF64, little-endian only: the only flavour TorchSharp ships for Linux.
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new IOException("not a little-endian ELF64 file");
        }

        var sectionTable = (long)System.BitConverter.ToUInt64(elf, 0x28);
        int sectionEntrySize = System.BitConverter.ToUInt16(elf, 0x3A);
        int sectionCount = System.BitConverter.ToUInt16(elf, 0x3C);
        for (var s = 0; s < sectionCount; s++)
        {
            var header = (int)(sectionTable + (long)s * sectionEntrySize);
            if (System.BitConverter.ToUInt32(elf, header + 4) != ShtGnuVerneed)
            {
                continue;
            }

            var offset = (int)System.BitConverter.ToUInt64(elf, header + 0x18);
            var linkedStrings = (int)System.BitConverter.ToUInt32(elf, header + 0x28);
            var entryCount = (int)System.BitConverter.ToUInt32(elf, header + 0x2C);
            var stringsHeader = (int)(sectionTable + (long)linkedStrings * sectionEntrySize);
            var strings = (int)System.BitConverter.ToUInt64(elf, stringsHeader + 0x18);

            var need = offset;
            for (var n = 0; n < entryCount; n++)
            {
                int auxCount = System.BitConverter.ToUInt16(elf, need + 2);
                var aux = need + (int)System.BitConverter.ToUInt32(elf, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadCString(elf, strings + (int)System.BitConverter.ToUInt32(elf, aux + 8));
                    if (name == versionName)
                    {
                        var flags = System.BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0)
                        {
                            return null;
                        }

                        var copy = (byte[])elf.Clone();
                        var weak = (ushort)(flags | VerFlagWeak);
                        copy[aux + 4] = (byte)(weak & 0xff);
                        copy[aux + 5] = (byte)(weak >> 8);
                        return copy;
                    }

                    aux += (int)System.BitConverter.ToUInt32(elf, aux + 12);
                }

                need += (int)System.BitConverter.ToUInt32(elf, need + 12);
            }
        }

        return null;
    }

    private static string ReadCString(byte[] data, int start)
    {
        var end = start;
        while (end < data.Length && data[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(data, start, end - start);
    }
}
