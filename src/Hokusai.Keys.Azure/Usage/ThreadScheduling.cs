using System.Runtime.InteropServices;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// Lowers the OS scheduling priority of a background thread, so that on a busy instance the kernel runs request
/// threads first. <see cref="Thread.Priority"/> does this on Windows but is ignored on Linux, where a thread's nice
/// value is set with <c>setpriority</c> on its thread id (raising niceness needs no privilege).
/// </summary>
internal static class ThreadScheduling
{
    /// <summary>Nice 10: about a tenth of the CPU share of a request thread when both want to run, all of it otherwise.</summary>
    public const int BackgroundNice = 10;

    private const int PrioProcess = 0;

    /// <summary>Best effort: where it cannot be done, the thread keeps the normal priority.</summary>
    public static void LowerCurrentThreadPriority()
    {
        if (!OperatingSystem.IsLinux()) return; // Thread.Priority covers Windows
        try
        {
            _ = setpriority(PrioProcess, gettid(), BackgroundNice);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // a libc without gettid (glibc < 2.30, some musl builds)
        }
    }

    // DllImport rather than LibraryImport: both signatures are blittable, and LibraryImport would need unsafe code.
    [DllImport("libc")]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();
}
