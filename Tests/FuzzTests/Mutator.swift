// Seeded mutations of valid inputs: bit flips, bytes set to boundary values, integers overwritten at aligned
// offsets (binary formats), whole-token and whole-line edits (text formats), truncations and splices. The
// same seed gives the same sequence of inputs, so a run can be repeated exactly.
import Foundation

/// SplitMix64: small, fast and reproducible.
struct FuzzRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<n (n ≥ 1).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}

struct Mutator {
    /// Text formats get token and line edits as well as byte edits.
    let text: Bool

    static let tokens = ["0", "-1", "1", "-0.0", "1e308", "-1e308", "1e-320", "nan", "inf", "-inf", "+inf", "9223372036854775807",
                         "-9223372036854775808", "99999999999999999999999", "0x10", "true", "false", "\"\"", "\"x\"", "[", "]", "[]", "{",
                         "}", "=", "==", "#", ".", ",", "---", ":", "[[x]]", "[process]", "\"p p > e+ ve j\"", "\u{0}", "é", "\\", "'"]

    /// One mutant of `seed`: one to four stacked edits, each chosen at random.
    func mutate(_ seed: [UInt8], _ rng: inout FuzzRandom) -> [UInt8] {
        var data = seed
        for _ in 0..<(1 + rng.below(4)) {
            let choice = rng.below(text ? 10 : 8)
            switch choice {
            case 0, 1: flipBits(&data, &rng)
            case 2: setBytes(&data, &rng)
            case 3: overwriteInteger(&data, &rng)
            case 4: truncate(&data, &rng)
            case 5: splice(&data, &rng)
            case 6: deleteRange(&data, &rng)
            case 7: duplicateRange(&data, &rng)
            case 8: replaceToken(&data, &rng)
            default: editLine(&data, &rng)
            }
        }
        return data
    }

    /// A position, biased towards the start where formats keep their headers and metadata.
    private func position(_ count: Int, _ rng: inout FuzzRandom) -> Int {
        guard count > 0 else { return 0 }
        return rng.chance(0.5) ? rng.below(min(count, 4096)) : rng.below(count)
    }

    private func flipBits(_ d: inout [UInt8], _ rng: inout FuzzRandom) {
        guard !d.isEmpty else { return }
        for _ in 0..<(1 + rng.below(8)) { d[position(d.count, &rng)] ^= UInt8(1 << rng.below(8)) }
    }

    private func setBytes(_ d: inout [UInt8], _ rng: inout FuzzRandom) {
        guard !d.isEmpty else { return }
        let values: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x20, 0x0A]
        let at = position(d.count, &rng)
        for i in at..<min(d.count, at + 1 + rng.below(8)) { d[i] = rng.chance(0.7) ? values[rng.below(values.count)] : UInt8(rng.below(256)) }
    }

    /// A little-endian 1-, 2-, 4- or 8-byte boundary value at an aligned offset (sizes, counts, addresses).
    private func overwriteInteger(_ d: inout [UInt8], _ rng: inout FuzzRandom) {
        let width = [1, 2, 4, 8][rng.below(4)]
        guard d.count >= width else { return }
        let at = (position(d.count - width + 1, &rng) / width) * width
        let values: [UInt64] = [0, 1, 2, 3, 0x7F, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 1 << 40, UInt64.max, UInt64.max - 1,
                                UInt64(rng.below(1 << 20))]
        let v = values[rng.below(values.count)]
        for i in 0..<width { d[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }

    private func truncate(_ d: inout [UInt8], _ rng: inout FuzzRandom) {
        d.removeSubrange(rng.below(d.count + 1)...)
    }

    /// Copy a piece of the input over another place of it (structures end up where others were expected).
    private func splice(_ d: inout [UInt8], _ rng: inout FuzzRandom) {
        guard d.count > 2 else { return }
        let length = 1 + rng.below(min(d.count / 2, 512))
        let from = rng.below(d.count - length), to = position(d.count - length, &rng)
        let piece = Array(d[from..<(from + length)])
        d.replaceSubrange(to..<(to + length), with: piece)
    }

    private func deleteRange(_ d: inout [UInt8], _ rng: inout FuzzRandom) {
        guard !d.isEmpty else { return }
        let at = position(d.count, &rng)
        d.removeSubrange(at..<min(d.count, at + 1 + rng.below(64)))
    }

    private func duplicateRange(_ d: inout [UInt8], _ rng: inout FuzzRandom) {
        guard !d.isEmpty else { return }
        let at = position(d.count, &rng)
        let piece = d[at..<min(d.count, at + 1 + rng.below(256))]
        d.insert(contentsOf: piece, at: at)
    }

    /// Replace one whitespace-delimited token by a boundary value, a syntax character or another token of the input.
    private func replaceToken(_ d: inout [UInt8], _ rng: inout FuzzRandom) {
        let spans = tokenSpans(d)
        guard !spans.isEmpty else { return }
        let target = spans[rng.below(spans.count)]
        let replacement: [UInt8]
        if rng.chance(0.3) {
            let other = spans[rng.below(spans.count)]
            replacement = Array(d[other])
        } else {
            replacement = Array(Self.tokens[rng.below(Self.tokens.count)].utf8)
        }
        d.replaceSubrange(target, with: replacement)
    }

    /// Delete, duplicate or swap whole lines.
    private func editLine(_ d: inout [UInt8], _ rng: inout FuzzRandom) {
        var lines = d.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
        guard !lines.isEmpty else { return }
        let i = rng.below(lines.count), j = rng.below(lines.count)
        switch rng.below(3) {
        case 0: lines.remove(at: i)
        case 1: lines.insert(lines[i], at: j)
        default: lines.swapAt(i, j)
        }
        d = Array(lines.joined(separator: [10]))
    }

    /// Ranges of maximal runs of bytes that are not spaces, tabs or newlines (the first 20,000 only, for speed).
    private func tokenSpans(_ d: [UInt8]) -> [Range<Int>] {
        var spans = [Range<Int>](), start: Int?
        for i in 0..<d.count {
            let blank = d[i] == 32 || d[i] == 9 || d[i] == 10 || d[i] == 13
            if blank, let s = start { spans.append(s..<i); start = nil } else if !blank, start == nil { start = i }
            if spans.count >= 20_000 { return spans }
        }
        if let s = start { spans.append(s..<d.count) }
        return spans
    }
}
