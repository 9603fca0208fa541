// What every MPI command shares: the communicator, errors reported once (by rank 0) with every rank
// exiting non-zero, stop signals turned into a flag the training loop polls, output printed by rank 0.
import ArgumentParser
import Cluster
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes a job script can act on.
enum JobExit {
    /// Training or generation stopped by SIGUSR1/SIGTERM/SIGINT after writing its model file or its partial
    /// event file: resubmit with `--resume` (rank 0 exits with it, the other ranks with 0).
    static let interrupted: Int32 = 85
}

/// Set from a signal handler; read by the training loop after every step.
nonisolated(unsafe) private var stopSignal: sig_atomic_t = 0

enum Job {
    /// Ask SIGUSR1, SIGTERM and SIGINT to request a clean stop instead of killing the process.
    static func catchStopSignals() {
        for s in [SIGUSR1, SIGTERM, SIGINT] {
            // A second signal means "now": leave at once (nothing is published, .partial files stay partial).
            signal(s) { _ in
                if stopSignal != 0 { _exit(130) }
                stopSignal = 1
            }
        }
    }
    static var stopRequested: Bool { stopSignal != 0 }

    /// Run `body` on every rank; a thrown error is printed once (rank 0, or the rank that alone failed) and
    /// every rank exits with status 1. MPI is finalised either way.
    static func run(_ body: (MPICommunicator) throws -> Int32) -> Never {
        let comm = MPICommunicator.world
        var status: Int32 = 0
        do {
            status = try body(comm)
        } catch {
            if comm.isRoot { fputs("Error: \(error)\n", stderr) }
            status = 1
        }
        fflush(nil)
        let isRoot = comm.isRoot
        comm.finalize()
        if status == JobExit.interrupted {
            // Under `srun --kill-on-bad-exit` the first non-zero exit kills the other tasks, which might then
            // report a signal instead of 85. So only rank 0 says 85, and last: the others leave with 0 first.
            if !isRoot { exit(0) }
            usleep(500_000)
        }
        exit(status)
    }

    /// Print on rank 0 only (and flush, so lines reach Slurm logs as they happen).
    static func say(_ comm: any Communicator, _ text: String) {
        guard comm.isRoot else { return }
        print(text)
        fflush(nil)
    }

    static func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Folder part of a path ("." for a bare name).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Create the folder of `path` (like mkdir -p) on rank 0; all ranks learn whether it is writable.
    static func prepareFolder(for path: String, comm: any Communicator) throws {
        var ok = true
        if comm.isRoot {
            var built = path.hasPrefix("/") ? "" : "."
            for part in folder(of: path).split(separator: "/") where part != "." {
                built += "/" + part
                if access(built, F_OK) != 0 { mkdir(built, 0o755) }
            }
            ok = access(folder(of: path), W_OK) == 0
        }
        guard comm.allAgree(ok) else {
            throw IntegrateError("cannot write to the folder '\(folder(of: path))' of '\(path)'")
        }
    }
}
