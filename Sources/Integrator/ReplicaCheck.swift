// Checks that what is replicated over ranks is bit-identical after training: the channel-weight network on
// every rank and each shared channel's flow on all its owners (parameters hashed, hashes gathered to rank 0).
import Cluster

public enum ReplicaCheck {
    public struct Report {
        public var identical: Bool
        public var text: String
    }

    static func hash(_ values: [Float]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for v in values { h ^= UInt64(v.bitPattern); h = h &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// Collective. The report is meaningful on rank 0 (other ranks get an empty text).
    public static func run(_ trainer: Trainer?, communicator: any Communicator) -> Report {
        guard let trainer else { return Report(identical: false, text: "replica check: no trainer (training did not run)") }
        func split(_ h: UInt64) -> [Double] { [Double(h >> 32), Double(h & 0xFFFF_FFFF)] }
        var record = split(hash((trainer.channelWeights as? ChannelWeightNetwork)?.parameters ?? []))
        for c in trainer.plan.ownedChannels where trainer.plan.isShared(c) {
            let p = (trainer.densities[c] as? FlowChannelDensity<Float>)?.flow.parameters ?? []
            record += [Double(c)] + split(hash(p))
        }
        let all = communicator.gather(record, root: 0)
        guard communicator.isRoot else { return Report(identical: communicator.allAgree(true), text: "") }
        var ok = all.allSatisfy { Array($0.prefix(2)) == Array(all[0].prefix(2)) }
        var flows = [Int: Set<[Double]>]()
        for r in all {
            var i = 2
            while i + 2 < r.count { flows[Int(r[i]), default: []].insert([r[i + 1], r[i + 2]]); i += 3 }
        }
        let differing = flows.filter { $0.value.count > 1 }.keys.sorted()
        ok = ok && differing.isEmpty
        let net = trainer.channelWeights is ChannelWeightNetwork ? "channel-weight net" : "prior channel weights (nothing to train)"
        let text = ok
            ? "replicas identical: \(net) on \(all.count) ranks; \(flows.count) shared flow\(flows.count == 1 ? "" : "s") on all their owners"
            : "replicas DIFFER: \(all.allSatisfy { Array($0.prefix(2)) == Array(all[0].prefix(2)) } ? "" : "channel-weight net; ")shared flows of channels \(differing)"
        _ = communicator.allAgree(ok)
        return Report(identical: ok, text: text)
    }
}
