// Several "ranks" as threads of one process, for testing that the trainer's channel split over ranks
// reproduces the single-rank run. Reductions sum the ranks' contributions in rank order (deterministic).
import Foundation
import Cluster

final class LocalGroup: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [[Double]]
    private var arrived = 0
    private var generation = 0

    init(size: Int) {
        self.size = size
        slots = Array(repeating: [], count: size)
    }

    /// Everyone deposits, waits for all, reads everyone's deposit, waits again so slots can be reused.
    func exchange(rank: Int, _ values: [Double]) -> [[Double]] {
        condition.lock()
        slots[rank] = values
        wait()
        let all = slots
        wait()
        condition.unlock()
        return all
    }

    private func wait() {
        let g = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == g { condition.wait() }
        }
    }
}

final class LocalCommunicator: Communicator, @unchecked Sendable {
    let rank: Int
    let group: LocalGroup
    init(rank: Int, group: LocalGroup) { self.rank = rank; self.group = group }
    var size: Int { group.size }
    func barrier() { _ = group.exchange(rank: rank, []) }
    func wallTime() -> Double { Date().timeIntervalSince1970 }
    func allreduce(_ values: inout [Double], _ op: ReduceOp) {
        let all = group.exchange(rank: rank, values)
        for i in values.indices {
            var r = all[0][i]
            for k in 1..<all.count {
                switch op {
                case .sum: r += all[k][i]
                case .max: r = max(r, all[k][i])
                case .min: r = min(r, all[k][i])
                }
            }
            values[i] = r
        }
    }
    func allreduce(_ values: inout [Float], _ op: ReduceOp) {
        var d = values.map(Double.init)
        // Sum in Float like a real MPI_SUM on floats would, rank by rank.
        let all = group.exchange(rank: rank, d)
        for i in values.indices {
            var r = Float(all[0][i])
            for k in 1..<all.count {
                switch op {
                case .sum: r += Float(all[k][i])
                case .max: r = max(r, Float(all[k][i]))
                case .min: r = min(r, Float(all[k][i]))
                }
            }
            values[i] = r
        }
        d.removeAll()
    }
    func allreduce(_ values: inout [Int64], _ op: ReduceOp) {
        var d = values.map(Double.init)
        allreduce(&d, op)
        values = d.map { Int64($0) }
    }
    func exclusivePrefixSum(_ value: Int64) -> Int64 {
        let all = group.exchange(rank: rank, [Double(value)])
        return Int64(all[0..<rank].reduce(0) { $0 + $1[0] })
    }
    func broadcast(_ bytes: inout [UInt8], root: Int) {
        let all = group.exchange(rank: rank, bytes.map(Double.init))
        bytes = all[root].map { UInt8($0) }
    }
    func gather(_ values: [Double], root: Int) -> [[Double]] {
        let all = group.exchange(rank: rank, values)
        return rank == root ? all : []
    }
    func abort(_ message: String, code: Int32) -> Never { fatalError(message) }

    /// Run `body` on `size` threads, one per rank, and return the results in rank order.
    static func run<R>(size: Int, _ body: @escaping (LocalCommunicator) throws -> R) throws -> [R] {
        let group = LocalGroup(size: size)
        let box = ResultBox<R>()
        let done = DispatchGroup()
        for r in 0..<size {
            done.enter()
            let thread = Thread {
                let outcome = Result { try body(LocalCommunicator(rank: r, group: group)) }
                box.set(r, outcome)
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return try (0..<size).map { try box.get($0) }
    }
}

private final class ResultBox<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var results = [Int: Result<R, Error>]()
    func set(_ rank: Int, _ outcome: Result<R, Error>) { lock.lock(); results[rank] = outcome; lock.unlock() }
    func get(_ rank: Int) throws -> R { lock.lock(); defer { lock.unlock() }; return try results[rank]!.get() }
}
