// Phase-space points as text: one block per point, one line "E px py pz" per leg (two incoming first),
// blocks separated by blank lines, '#' starts a comment. Parsing checks what a matrix element cannot:
// finite numbers, the number of legs, positive incoming energies and momentum conservation.
import Kinematics

public enum MomentumPointsError: Error, CustomStringConvertible, Equatable {
    case malformedLine(line: Int, text: String)
    case wrongLegCount(point: Int, found: Int, expected: Int)
    case momentumNotConserved(point: Int, violation: Double)
    case incomingEnergyNotPositive(point: Int)
    case empty

    public var description: String {
        switch self {
        case .malformedLine(let l, let t): return "line \(l): expected four finite numbers \"E px py pz\", found \"\(t)\""
        case .wrongLegCount(let p, let f, let e): return "point \(p) has \(f) legs, the process has \(e)"
        case .momentumNotConserved(let p, let v): return "point \(p) violates momentum conservation by \(v) GeV"
        case .incomingEnergyNotPositive(let p): return "point \(p) has an incoming leg with non-positive energy"
        case .empty: return "no phase-space points"
        }
    }
}

public enum MomentumPoints {
    /// Parses `text`; momentum conservation must hold to `tolerance` × (incoming energy, at least 1 GeV).
    public static func parse(_ text: String, legs: Int, tolerance: Double = 1e-6) throws -> [[FourVector]] {
        var points: [[FourVector]] = []
        var current: [FourVector] = []
        func finish() throws {
            if current.isEmpty { return }
            let index = points.count + 1
            guard current.count == legs else { throw MomentumPointsError.wrongLegCount(point: index, found: current.count, expected: legs) }
            guard current[0].e > 0, current[1].e > 0 else { throw MomentumPointsError.incomingEnergyNotPositive(point: index) }
            let pin = current[0] + current[1]
            var d = pin
            for v in current[2...] { d -= v }
            let worst = max(abs(d.e), abs(d.px), abs(d.py), abs(d.pz))
            guard worst <= tolerance * max(pin.e, 1) else { throw MomentumPointsError.momentumNotConserved(point: index, violation: worst) }
            points.append(current)
            current = []
        }
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = content.split(whereSeparator: \.isWhitespace)
            if fields.isEmpty { try finish(); continue }
            let values = fields.compactMap { Double($0) }
            guard fields.count == 4, values.count == 4, values.allSatisfy(\.isFinite) else {
                throw MomentumPointsError.malformedLine(line: lineNo, text: String(content.drop(while: { $0 == " " || $0 == "\t" })))
            }
            current.append(FourVector(values[0], values[1], values[2], values[3]))
        }
        try finish()
        guard !points.isEmpty else { throw MomentumPointsError.empty }
        return points
    }
}
