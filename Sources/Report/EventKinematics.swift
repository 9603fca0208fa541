// Observables of generated W + jets events, read from LHEH5 files (layout: shared notes, formats.md):
// jets are the final-state partons (status 1, |id| ≤ 5 or 21), leptons |id| 11–16 with status 1; charged
// lepton and neutrino give m_T(W). Massless-jet conventions: η is the pseudorapidity, ΔR = √(Δη² + Δφ²).
import EventIO
import Numerics
#if canImport(Glibc)
import Glibc
#endif

/// What one event shows; nil where the event lacks the objects (e.g. m_jj of a one-jet event).
public struct EventObservables: Sendable, Equatable {
    public var leadingJetPT: Double?
    public var secondJetPT: Double?
    public var leadingJetEta: Double?
    public var leptonPT: Double?
    public var leptonEta: Double?
    public var transverseMass: Double?
    public var dijetMass: Double?
    public var dijetDeltaR: Double?
    /// Scalar sum of the jets' pT (0 without jets).
    public var scalarHT: Double

    public init(particles: [EventParticle]) {
        let final = particles.filter { $0.status == 1 }
        let jets = final.filter { Self.isParton($0.id) }.sorted { Self.pT($0) > Self.pT($1) }
        let charged = final.first { [11, 13, 15].contains(abs($0.id)) }
        let neutrino = final.first { [12, 14, 16].contains(abs($0.id)) }
        leadingJetPT = jets.first.map(Self.pT)
        secondJetPT = jets.count > 1 ? Self.pT(jets[1]) : nil
        leadingJetEta = jets.first.flatMap(Self.eta)
        leptonPT = charged.map(Self.pT)
        leptonEta = charged.flatMap(Self.eta)
        if let l = charged, let v = neutrino { transverseMass = Self.transverseMass(l, v) }
        if jets.count > 1 {
            let (a, b) = (jets[0], jets[1])
            let e = a.e + b.e, px = a.px + b.px, py = a.py + b.py, pz = a.pz + b.pz
            dijetMass = max(e * e - px * px - py * py - pz * pz, 0).squareRoot()
            if let ea = Self.eta(a), let eb = Self.eta(b) {
                let dphi = Self.deltaPhi(atan2(a.py, a.px), atan2(b.py, b.px))
                dijetDeltaR = ((ea - eb) * (ea - eb) + dphi * dphi).squareRoot()
            }
        }
        scalarHT = jets.reduce(0) { $0 + Self.pT($1) }
    }

    public static func isParton(_ id: Int32) -> Bool { (1...5).contains(abs(id)) || id == 21 }
    public static func pT(_ p: EventParticle) -> Double { (p.px * p.px + p.py * p.py).squareRoot() }

    /// Pseudorapidity asinh(pz/pT) — stable for large |η|; nil along the beam (pT = 0).
    public static func eta(_ p: EventParticle) -> Double? {
        let pt = pT(p)
        return pt > 0 ? asinh(p.pz / pt) : nil
    }

    /// φ difference folded into [−π, π].
    public static func deltaPhi(_ a: Double, _ b: Double) -> Double {
        var d = a - b
        while d > Double.pi { d -= 2 * Double.pi }
        while d < -Double.pi { d += 2 * Double.pi }
        return d
    }

    /// m_T = √(2 pT,ℓ pT,ν (1 − cos Δφ)) for massless ℓ and ν.
    public static func transverseMass(_ l: EventParticle, _ v: EventParticle) -> Double {
        // pT,ℓ pT,ν cos Δφ is the transverse dot product; no angles needed.
        let dot = l.px * v.px + l.py * v.py
        return max(2 * (pT(l) * pT(v) - dot), 0).squareRoot()
    }
}

/// One histogrammed observable: where it comes from, its binning and how it is drawn.
public struct KinematicObservable: Sendable {
    public let key: String
    public let title: String
    public let symbol: String
    public let unit: String?
    public let bins: Int
    public let range: ClosedRange<Double>
    public let logY: Bool
    public let value: @Sendable (EventObservables) -> Double?

    public static let all: [KinematicObservable] = [
        .init(key: "jet1_pt", title: "Leading jet transverse momentum", symbol: "pT(j₁)", unit: "GeV", bins: 50,
              range: 0...500, logY: true, value: { $0.leadingJetPT }),
        .init(key: "jet2_pt", title: "Second jet transverse momentum", symbol: "pT(j₂)", unit: "GeV", bins: 30,
              range: 0...300, logY: true, value: { $0.secondJetPT }),
        .init(key: "jet1_eta", title: "Leading jet pseudorapidity", symbol: "η(j₁)", unit: nil, bins: 40,
              range: -5...5, logY: false, value: { $0.leadingJetEta }),
        .init(key: "lepton_pt", title: "Charged lepton transverse momentum", symbol: "pT(ℓ)", unit: "GeV", bins: 40,
              range: 0...200, logY: false, value: { $0.leptonPT }),
        .init(key: "lepton_eta", title: "Charged lepton pseudorapidity", symbol: "η(ℓ)", unit: nil, bins: 48,
              range: -6...6, logY: false, value: { $0.leptonEta }),
        .init(key: "mt_w", title: "W transverse mass", symbol: "mT(ℓν)", unit: "GeV", bins: 40,
              range: 0...160, logY: false, value: { $0.transverseMass }),
        .init(key: "mjj", title: "Invariant mass of the two leading jets", symbol: "m(j₁j₂)", unit: "GeV", bins: 50,
              range: 0...1000, logY: true, value: { $0.dijetMass }),
        .init(key: "delta_r_jj", title: "Distance of the two leading jets", symbol: "ΔR(j₁,j₂)", unit: nil, bins: 40,
              range: 0...8, logY: false, value: { $0.dijetDeltaR }),
        .init(key: "ht", title: "Scalar sum of jet transverse momenta", symbol: "HT", unit: "GeV", bins: 50,
              range: 0...1000, logY: true, value: { $0.scalarHT > 0 ? $0.scalarHT : nil }),
    ]
}

/// Weighted histograms of every observable over one event file, filled chunk by chunk.
public struct KinematicHistograms: Sendable {
    public private(set) var histograms: [String: Histogram]
    public private(set) var events = 0
    public private(set) var sumOfWeights = 0.0

    public init() {
        var h: [String: Histogram] = [:]
        for o in KinematicObservable.all { h[o.key] = Histogram(bins: o.bins, lo: o.range.lowerBound, hi: o.range.upperBound) }
        histograms = h
    }

    public mutating func add(_ observables: EventObservables, weight: Double) {
        events += 1
        sumOfWeights += weight
        for o in KinematicObservable.all {
            if let v = o.value(observables) { histograms[o.key]!.fill(v, weight: weight) }
        }
    }
}

/// Reads an LHEH5 file's `events` and `particles` and walks its events in chunks. The reader has no row
/// ranges yet, so both datasets are read whole once and chunks are slices; a ranged read can replace
/// `rows(_:_:)` without changing the walk.
public final class LHEH5EventReader {
    public let path: String
    public let eventCount: Int
    public let particleCount: Int
    private let reader: H5Reader
    private var cache: [String: MatrixD] = [:]
    static let eventColumns = 10, particleColumns = 13

    public init(path: String) throws {
        self.path = path
        reader = try ReportError.open(path, what: "event file")
        for name in ["events", "particles"] where !reader.hasDataset(name) {
            throw ReportError.malformed(path: path, reason: "no dataset '\(name)' — is it an LHEH5 event file?")
        }
        let e = try reader.shape("events"), p = try reader.shape("particles")
        guard e.cols >= Self.eventColumns else {
            throw ReportError.malformed(path: path, reason: "dataset 'events' has \(e.cols) columns, LHEH5 needs at least \(Self.eventColumns) (pid … aqcd, weight)")
        }
        guard p.cols >= Self.particleColumns else {
            throw ReportError.malformed(path: path, reason: "dataset 'particles' has \(p.cols) columns, LHEH5 needs \(Self.particleColumns)")
        }
        eventCount = e.rows
        particleCount = p.rows
    }

    private func rows(_ name: String, _ range: Range<Int>) throws -> (matrix: MatrixD, first: Int) {
        if cache[name] == nil { cache[name] = try reader.readDoubles(name) }
        return (cache[name]!, range.lowerBound)
    }

    /// Calls `body(weight, particles)` for every event, `chunk` events at a time.
    public func forEachEvent(chunk: Int = 10_000, _ body: (Double, [EventParticle]) throws -> Void) throws {
        var start = 0
        while start < eventCount {
            let end = min(start + chunk, eventCount)
            let (ev, _) = try rows("events", start..<end)
            let (pa, _) = try rows("particles", 0..<particleCount)
            for i in start..<end {
                let count = ev[i, 1], first = ev[i, 2], weight = ev[i, 9]
                guard count >= 0, first >= 0, count == count.rounded(), first == first.rounded(),
                      Int(first) + Int(count) <= particleCount else {
                    throw ReportError.malformed(path: path, reason: "event \(i) points at particle rows \(first) + \(count), but 'particles' has \(particleCount) rows")
                }
                var particles: [EventParticle] = []
                particles.reserveCapacity(Int(count))
                for r in Int(first)..<(Int(first) + Int(count)) {
                    // Integer columns of a damaged file may hold anything; a NaN must not trap.
                    func int(_ c: Int) throws -> Int32 {
                        guard let v = Int32(exactly: pa[r, c]) else {
                            throw ReportError.malformed(path: path, reason: "particle row \(r), column \(c) is \(pa[r, c]), not an integer")
                        }
                        return v
                    }
                    particles.append(EventParticle(id: try int(0), status: try int(1), mother1: try int(2),
                                                   mother2: try int(3), colour1: try int(4), colour2: try int(5),
                                                   px: pa[r, 6], py: pa[r, 7], pz: pa[r, 8], e: pa[r, 9], m: pa[r, 10],
                                                   lifetime: pa[r, 11], spin: pa[r, 12]))
                }
                try body(weight, particles)
            }
            start = end
        }
    }

    /// Histograms of every observable, each event entering with its stored weight (so they add up to σ).
    public func kinematicHistograms() throws -> KinematicHistograms {
        var h = KinematicHistograms()
        try forEachEvent { weight, particles in h.add(EventObservables(particles: particles), weight: weight) }
        return h
    }
}
