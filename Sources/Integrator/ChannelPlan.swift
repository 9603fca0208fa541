// Which channels this rank samples and trains. With one rank it owns every channel; with several, channels
// are dealt round-robin so every rank has a similar share (later issues may balance by cost).
public struct ChannelPlan: Sendable, Equatable {
    public let channelCount: Int
    public let ownedChannels: [Int]

    public init(channelCount: Int, ownedChannels: [Int]) {
        precondition(ownedChannels.allSatisfy { $0 >= 0 && $0 < channelCount }, "ChannelPlan: channel out of range")
        self.channelCount = channelCount
        self.ownedChannels = ownedChannels
    }

    public static func all(_ channelCount: Int) -> ChannelPlan {
        ChannelPlan(channelCount: channelCount, ownedChannels: Array(0..<channelCount))
    }

    public static func roundRobin(channelCount: Int, rank: Int, size: Int) -> ChannelPlan {
        ChannelPlan(channelCount: channelCount, ownedChannels: stride(from: rank, to: channelCount, by: size).map { $0 })
    }

    public func owns(_ channel: Int) -> Bool { ownedChannels.contains(channel) }
}
