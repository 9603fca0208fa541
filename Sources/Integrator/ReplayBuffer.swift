// Buffered training (MadNIS Reloaded, arXiv:2311.01548 §3.1): integrand calls are the expensive part, so
// points are kept with everything the loss needs and reused for several optimiser steps; the loss corrects
// for the fact that they were drawn from an older density through q_current/q_sample.
import Numerics

/// Stored points of one channel (struct of arrays).
public struct BufferedBatch: Sendable {
    public var channel: Int
    public var points: MatrixD          // y, n × d
    public var value: [Double]          // f·|∂x/∂y|
    public var logQSample: [Double]     // log density they were drawn from
    public var features: MatrixD        // channel-weight net inputs (n × k)
    public var priorWeights: MatrixD    // n × C or empty
    /// This rank's fraction of the channel's points in that step (see `ChannelLossBatch.share`).
    public var share: Double

    public init(channel: Int, points: MatrixD, value: [Double], logQSample: [Double], features: MatrixD, priorWeights: MatrixD,
                share: Double = 1) {
        self.channel = channel
        self.points = points
        self.value = value
        self.logQSample = logQSample
        self.features = features
        self.priorWeights = priorWeights
        self.share = share
    }

    public var count: Int { value.count }
}

/// A first-in-first-out store of recent batches; each batch is handed out at most `reuses` times.
public struct ReplayBuffer: Sendable {
    public let capacity: Int
    public let reuses: Int
    /// Each entry: the batches of one sampling step (one per channel) and how often it was used.
    private var entries: [(batches: [BufferedBatch], uses: Int)] = []
    private var next = 0

    /// `capacity`: number of sampling steps kept; `reuses`: how often each is replayed.
    public init(capacity: Int, reuses: Int) {
        precondition(capacity >= 1 && reuses >= 1, "ReplayBuffer: capacity and reuses must be ≥ 1")
        self.capacity = capacity
        self.reuses = reuses
    }

    public var storedSteps: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public mutating func store(_ batches: [BufferedBatch]) {
        if entries.count == capacity { entries.removeFirst() ; next = max(next - 1, 0) }
        entries.append((batches, 0))
    }

    /// The next step's batches to replay (round robin over stored steps), or nil when all are used up.
    /// Entries that reached `reuses` are evicted.
    public mutating func replay() -> [BufferedBatch]? {
        entries.removeAll { $0.uses >= reuses }
        guard !entries.isEmpty else { return nil }
        if next >= entries.count { next = 0 }
        entries[next].uses += 1
        let out = entries[next].batches
        next += 1
        return out
    }

    /// Drop stored points of channels that were switched off.
    public mutating func removeChannels(where inactive: (Int) -> Bool) {
        for k in entries.indices { entries[k].batches.removeAll { inactive($0.channel) } }
    }
}
