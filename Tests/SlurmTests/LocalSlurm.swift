// The Slurm cluster the tests submit to, the commands they run, and what `scontrol show job` says.
// Accounting is off on the local cluster (no sacct): jobs are followed with `scontrol show job`, which
// keeps finished jobs for MinJobAge (600 s in scripts/slurm-local.sh).
import Foundation
import XCTest
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Paths of this checkout and of the built products.
enum Checkout {
    static var root: URL { BuiltProducts.repository }
    static var productsFolder: URL { BuiltProducts.folder }

    /// The nisgen executable the jobs run: $NISGEN if set, else the one built next to the tests.
    static var nisgen: String {
        if let path = ProcessInfo.processInfo.environment["NISGEN"], !path.isEmpty { return path }
        return productsFolder.appendingPathComponent("nisgen").path
    }

    static var python: String { BuiltProducts.python }
}

/// One finished command.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
    let seconds: Double
    var output: String { stdout + stderr }
}

enum Command {
    /// The test process's environment without the SLURM_* variables of any allocation the tests may run
    /// inside (they would leak into the jobs), with the OpenMPI-as-root switches.
    static func baseEnvironment(slurmConf: String?) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM_") }
        if let conf = slurmConf { env["SLURM_CONF"] = conf }
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OPENBLAS_NUM_THREADS"] = "1"
        return env
    }

    /// Runs `arguments` (looked up on PATH) in `directory`; output goes through files, so nothing blocks
    /// on a full pipe. Kills the command and throws when it outlives `timeout`.
    ///
    /// posix_spawn and waitpid rather than Foundation's Process: Process did not notice the exit of
    /// `slurm-local.sh start` (a script leaving daemons behind) and waited forever.
    static func run(_ arguments: [String], environment: [String: String], directory: URL = Checkout.root,
                    timeout: TimeInterval = 120) throws -> CommandResult {
        precondition(!arguments.isEmpty)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nisgen-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = scratch.appendingPathComponent("stdout").path, errPath = scratch.appendingPathComponent("stderr").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no blocked signals and default handlers, whatever the test process set.
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none); sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // `sh -c 'cd "$0" && exec "$@"' DIR ARGS...`: the working folder (posix_spawn's addchdir is not
        // exported to Swift here), then the command itself, looked up on the test process's PATH.
        let command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        guard rc == 0 else { throw TestError("cannot start '\(arguments[0])': \(String(cString: strerror(rc)))") }

        var status: Int32 = 0
        while true {
            let w = waitpid(pid, &status, WNOHANG)
            if w == pid { break }
            if w < 0 && errno != EINTR { throw TestError("waitpid for '\(arguments[0])' failed: errno \(errno)") }
            if Date().timeIntervalSince(start) > timeout {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw TestError("'\(arguments.joined(separator: " "))' did not finish within \(Int(timeout)) s")
            }
            usleep(20_000)
        }
        // Exit status as a shell reports it: the exit code, or 128 + the signal that ended the command.
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return CommandResult(status: code,
                             stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                             seconds: Date().timeIntervalSince(start))
    }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One line of `scontrol show job -o`: the Key=Value fields.
struct JobRecord {
    let fields: [String: String]
    subscript(_ key: String) -> String? { fields[key] }

    init(line: String) {
        var f: [String: String] = [:]
        for token in line.split(separator: " ") {
            guard let eq = token.firstIndex(of: "=") else { continue }
            f[String(token[..<eq])] = String(token[token.index(after: eq)...])
        }
        fields = f
    }

    var state: String { fields["JobState"] ?? "?" }
    var restarts: Int { Int(fields["Restarts"] ?? "") ?? 0 }
    var exitCode: String { fields["ExitCode"] ?? "?" }
    /// An array's task index, when this record is one task (not the pending rest of the array).
    var arrayTask: Int? { fields["ArrayTaskId"].flatMap { Int($0) } }
    var isFinished: Bool {
        ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL",
         "DEADLINE", "PREEMPTED"].contains(state)
    }
    var summary: String {
        "JobId=\(fields["JobId"] ?? "?") ArrayTaskId=\(fields["ArrayTaskId"] ?? "-") JobState=\(state) "
            + "Reason=\(fields["Reason"] ?? "?") ExitCode=\(exitCode) Restarts=\(restarts) NodeList=\(fields["NodeList"] ?? "?")"
    }
}

/// The cluster: one started by `make test` (SLURM_CONF exported and answering), or one scripts/slurm-local.sh
/// reports running, or else one this test run starts with scripts/slurm-local.sh and stops when done.
final class LocalSlurm {
    let conf: String
    let startedHere: Bool
    let nodes: [String]

    private static var cached: LocalSlurm?
    private static let lock = NSLock()

    static func shared() throws -> LocalSlurm {
        lock.lock(); defer { lock.unlock() }
        if let c = cached { return c }
        let c = try LocalSlurm()
        cached = c
        return c
    }

    /// The cluster if one was found or started already.
    static var existing: LocalSlurm? {
        lock.lock(); defer { lock.unlock() }
        return cached
    }

    /// Stops the cluster if these tests started it.
    static func stopIfStartedHere() {
        lock.lock(); defer { lock.unlock() }
        guard let c = cached, c.startedHere else { return }
        _ = try? Command.run(["bash", "scripts/slurm-local.sh", "stop"], environment: Command.baseEnvironment(slurmConf: nil))
        cached = nil
    }

    private init() throws {
        let env = ProcessInfo.processInfo.environment
        if let conf = env["SLURM_CONF"], !conf.isEmpty,
           let ping = try? Command.run(["scontrol", "ping"], environment: Command.baseEnvironment(slurmConf: conf), timeout: 30),
           ping.status == 0, ping.stdout.contains("UP") {
            self.conf = conf
            startedHere = false
        } else {
            // A cluster already running (started by hand, without SLURM_CONF here) is used, and left running.
            let status = try Command.run(["bash", "scripts/slurm-local.sh", "status"],
                                         environment: Command.baseEnvironment(slurmConf: nil), timeout: 60)
            let r = try Command.run(["bash", "scripts/slurm-local.sh", "start"],
                                    environment: Command.baseEnvironment(slurmConf: nil), timeout: 120)
            guard r.status == 0,
                  let line = r.stdout.split(separator: "\n").last(where: { $0.hasPrefix("SLURM_CONF=") }) else {
                throw TestError("scripts/slurm-local.sh start failed (exit \(r.status)):\n\(r.output)")
            }
            conf = String(line.dropFirst("SLURM_CONF=".count))
            startedHere = status.status != 0
        }
        let sinfo = try Command.run(["sinfo", "-h", "-N", "-o", "%N"], environment: Command.baseEnvironment(slurmConf: conf))
        guard sinfo.status == 0 else { throw TestError("sinfo failed: \(sinfo.output)") }
        nodes = Array(Set(sinfo.stdout.split(separator: "\n").map { String($0) }.filter { !$0.isEmpty })).sorted()
        guard !nodes.isEmpty else { throw TestError("the cluster at \(conf) has no nodes") }
    }

    var environment: [String: String] { Command.baseEnvironment(slurmConf: conf) }

    /// Runs a Slurm client command (sbatch, scontrol, scancel, ...) against this cluster.
    func client(_ arguments: [String], extraEnvironment: [String: String] = [:], timeout: TimeInterval = 60) throws -> CommandResult {
        try Command.run(arguments, environment: environment.merging(extraEnvironment) { $1 }, timeout: timeout)
    }

    /// `sbatch --parsable OPTIONS SCRIPT` from the repository root, with extra environment for the job.
    func submit(_ script: String, options: [String], environment extra: [String: String]) throws -> String {
        let r = try client(["sbatch", "--parsable"] + options + [script], extraEnvironment: extra)
        guard r.status == 0, let id = r.stdout.split(separator: "\n").last?.split(separator: ";").first,
              Int(id) != nil else {
            throw TestError("sbatch \(options.joined(separator: " ")) \(script) failed (exit \(r.status)):\n\(r.output)")
        }
        return String(id)
    }

    /// The records of a job (one per array task once the tasks run), or none once Slurm forgot it.
    func records(_ job: String) throws -> [JobRecord] {
        let r = try client(["scontrol", "-o", "show", "job", job])
        guard r.status == 0 else { return [] }
        return r.stdout.split(separator: "\n").map { JobRecord(line: String($0)) }.filter { $0["JobId"] != nil }
    }

    /// Polls until every record of `job` is finished (for an array: `tasks` tasks, all finished).
    /// `onPoll` sees the records of every round, e.g. to act on a requeued job.
    @discardableResult
    func wait(for job: String, tasks: Int = 1, timeout: TimeInterval, poll: TimeInterval = 0.5,
              onPoll: ([JobRecord]) throws -> Void = { _ in }) throws -> [JobRecord] {
        let start = Date()
        var last: [JobRecord] = []
        while Date().timeIntervalSince(start) < timeout {
            last = try records(job)
            try onPoll(last)
            if let stuck = last.first(where: { $0.state == "PENDING" && $0["Reason"] == "DependencyNeverSatisfied" }) {
                throw TestError("job \(job) can never start (a job it depends on failed): \(stuck.summary)")
            }
            let finished = last.filter { $0.isFinished }
            if !last.isEmpty, finished.count == last.count, last.count == tasks { return last }
            Thread.sleep(forTimeInterval: poll)
        }
        throw TestError("job \(job) did not finish within \(Int(timeout)) s; last seen:\n"
                        + last.map { $0.summary }.joined(separator: "\n"))
    }

    /// Whether step `job`.`step` is running now.
    func stepRunning(_ job: String, step: Int = 0) throws -> Bool {
        let r = try client(["scontrol", "-o", "show", "step", "\(job).\(step)"])
        return r.status == 0 && r.stdout.contains("StepId=\(job).\(step) ") && r.stdout.contains("State=RUNNING")
    }

    func cancel(_ jobs: [String]) {
        guard !jobs.isEmpty else { return }
        _ = try? client(["scancel"] + jobs)
    }
}

/// Reading HDF5 files with h5py (from the project's .venv): root attributes and dataset shapes.
enum H5 {
    struct Summary {
        let attributes: [String: Double]
        let shapes: [String: [Int]]
    }

    private static let script = """
    import h5py, json, sys
    out = {}
    for path in sys.argv[1:]:
        with h5py.File(path, "r") as f:
            attrs = {}
            for k, v in f.attrs.items():
                try:
                    attrs[k] = float(v)
                except (TypeError, ValueError):
                    pass
            shapes = {}
            f.visititems(lambda name, obj: shapes.__setitem__(name, list(obj.shape)) if isinstance(obj, h5py.Dataset) else None)
            out[path] = {"attrs": attrs, "shapes": shapes}
    print(json.dumps(out))
    """

    static func summaries(_ paths: [String]) throws -> [String: Summary] {
        guard FileManager.default.isExecutableFile(atPath: Checkout.python) else {
            throw TestError("no \(Checkout.python): run scripts/setup.sh (it creates .venv with h5py)")
        }
        let r = try Command.run([Checkout.python, "-c", script] + paths, environment: Command.baseEnvironment(slurmConf: nil))
        guard r.status == 0, let data = r.stdout.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else {
            throw TestError("h5py could not read \(paths.joined(separator: ", ")):\n\(r.output)")
        }
        var out: [String: Summary] = [:]
        for (path, entry) in json {
            let attrs = (entry["attrs"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
            let shapes = (entry["shapes"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } }
            out[path] = Summary(attributes: attrs, shapes: shapes)
        }
        return out
    }

    static func summary(_ path: String) throws -> Summary {
        guard let s = try summaries([path])[path] else { throw TestError("h5py gave nothing for \(path)") }
        return s
    }
}
