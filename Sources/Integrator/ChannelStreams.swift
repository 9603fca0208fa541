// Random streams per channel. A channel owned by one rank draws from a stream keyed by the channel alone, so
// results do not depend on which rank owns it; ranks sharing a channel each draw from a sub-stream keyed
// by their slot among the owners, so no two ranks sample the same points.
import Numerics

public enum ChannelStreams {
    public static func make(root: RandomStream, plan: ChannelPlan) -> [RandomStream] {
        (0..<plan.channelCount).map { c in
            let base = root.substream(UInt64(c))
            guard plan.isShared(c), let s = plan.slot(of: c) else { return base }
            return base.substream(0x5107_0000 &+ UInt64(s))
        }
    }
}
