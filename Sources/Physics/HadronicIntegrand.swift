// pp → W(→ℓν) + n partons at leading order as a multi-channel `Integrand`.
//
// For a point (x₁, x₂, momenta) the integrand density per unit dx₁ dx₂ dΦₙ is
//     f = Σ_groups Σ_members f_a(x₁, μF) f_b(x₂, μF) |M|²(αs(μR)) / (2ŝ) × Θ(cuts) × 0.3894e9 pb·GeV²,
// with ŝ = x₁x₂s, f(x) = xfx/x from the PDF, flux 1/(2ŝ) for massless partons, |M|² averaged over initial
// and summed over final helicities and colours (MatrixElement's convention). Channel c returns
// value = f(x(y)) · weight_c(y), the point's cross-section weight in pb; ∫ dy Σ_c α_c value_c = σ.
// Prior channel weights are single-diagram-enhanced (PhaseSpace.priorChannelWeights). Features for the
// channel-weight network: the point expressed in the y-coordinates of the feature channel (channel 0 =
// all partons as t-channel emissions), clamped to [0, 1]; that is one fixed, channel-independent
// parametrisation of the whole phase space (see `featureChannel`).
//
// Typical use:
//     let integrand = try HadronicIntegrand.wPlusJets(jets: 2, sqrtS: 13_000, pdf: pdf, groups: groups,
//                                                     cuts: Cuts(), scales: ScaleSetting(.transverseMassHalf))
//     var result = ChannelEvaluation()
//     integrand.evaluate(channel: c, points: y, into: &result)      // value, prior weights, features
//     let event = try integrand.event(channel: c, point: y.row(i), selector: rng.uniform())
import Amplitudes
import Kinematics
import Numerics
import PDF
import PhaseSpace

/// Which prior channel weights α⁰_c(x) the integrand reports.
public enum PriorWeighting: Sendable, Equatable {
    /// Single-diagram-enhanced: α⁰_c = F_c / Σ F with F_c the channel's propagator product (the default).
    case propagators
    /// The classic multi-channel balance: α⁰_c = g_c / Σ g with g_c the channel densities at the point.
    case channelDensities
    /// No prior (an empty matrix).
    case none
}

public struct HadronicIntegrand: Integrand, Sendable {
    public let sqrtS: Double
    public let partons: Int
    public let pdf: any PartonDensity
    public let groups: [SubprocessGroup]
    public let channels: [any PhaseSpaceChannel]
    public let cuts: Cuts
    public let scales: ScaleSetting
    public let model: StandardModel
    /// Channel whose inverse map gives the features; nil: features are y (featureCount 0).
    public let featureChannel: Int?
    /// Which prior channel weights are returned.
    public let priorWeighting: PriorWeighting
    /// Test hook: NaN for a fraction of the PDF or matrix-element values (see `FaultInjection`).
    public var faultInjection: FaultInjection? = nil
    var usesPriorWeights: Bool { priorWeighting != .none }
    let table: FlavourTable

    public var dimension: Int { channels[0].dimension }
    public var channelCount: Int { channels.count }
    public var featureCount: Int { featureChannel == nil ? 0 : dimension }

    public init(sqrtS: Double, pdf: any PartonDensity, groups: [SubprocessGroup], channels: [any PhaseSpaceChannel],
                cuts: Cuts = Cuts(), scales: ScaleSetting = ScaleSetting(), model: StandardModel = StandardModel(),
                featureChannel: Int? = 0, priorWeighting: PriorWeighting = .propagators) throws {
        try cuts.validate()
        try scales.validate()
        guard sqrtS.isFinite, sqrtS > 0 else { throw PhysicsError.energyTooLow(sqrtS: sqrtS, threshold: 0) }
        guard let first = channels.first else { throw PhysicsError.invalidChannels("no channels given") }
        guard channels.allSatisfy({ $0.dimension == first.dimension && $0.finalStateCount == first.finalStateCount }) else {
            throw PhysicsError.invalidChannels("all channels must share one dimension and final-state count: " +
                channels.map { "\($0.name): d=\($0.dimension), n=\($0.finalStateCount)" }.joined(separator: "; "))
        }
        let n = first.finalStateCount - 2
        guard n >= 0 else { throw PhysicsError.invalidChannels("channels must produce at least ℓ and ν") }
        if n > 0 && (cuts.jetPTMin ?? 0) <= 0 {
            throw PhysicsError.invalidCut("W + \(n) jets needs a positive jet pT minimum (infrared safety)")
        }
        let threshold = Double(n) * (cuts.jetPTMin ?? 0)
        guard sqrtS > threshold else { throw PhysicsError.energyTooLow(sqrtS: sqrtS, threshold: threshold) }
        if let f = featureChannel, !(0..<channels.count).contains(f) {
            throw PhysicsError.invalidChannels("feature channel \(f) does not exist (\(channels.count) channels)")
        }
        self.sqrtS = sqrtS; self.partons = n; self.pdf = pdf; self.groups = groups; self.channels = channels
        self.cuts = cuts; self.scales = scales; self.model = model
        self.featureChannel = featureChannel; self.priorWeighting = priorWeighting
        self.table = try FlavourTable(groups: groups, partons: n)
    }

    /// The standard set-up: W + n jets with the Chili-style channels of `WJetsChannels` built from the cuts.
    public static func wPlusJets(jets n: Int, sqrtS: Double, pdf: any PartonDensity, groups: [SubprocessGroup],
                                 cuts: Cuts = Cuts(), scales: ScaleSetting = ScaleSetting(),
                                 model: StandardModel = StandardModel(), leptonPairMass: ClosedRange<Double>? = nil,
                                 maxPropagators: Int = 2, priorWeighting: PriorWeighting = .propagators) throws -> HadronicIntegrand {
        let limits = try cuts.channelLimits(sqrtS: sqrtS, model: model, jets: n, leptonPairMass: leptonPairMass)
        let channels = try WJetsChannels.make(jets: n, limits: limits, maxPropagators: maxPropagators)
        return try HadronicIntegrand(sqrtS: sqrtS, pdf: pdf, groups: groups, channels: channels, cuts: cuts,
                                     scales: scales, model: model, priorWeighting: priorWeighting)
    }

    // MARK: - The integrand at one point

    /// Per-point result of the physics: f in pb per unit dx₁dx₂dΦ and the ingredients an event record needs.
    struct PointResult {
        var f = 0.0
        var muR = 0.0, muF = 0.0, alphaS = 0.0
        /// Where a non-finite value arose (then f = 0).
        var fault: NumericalFaults.Source? = nil
    }

    /// Scratch buffers reused across the points of a batch.
    struct Scratch {
        var fa: [Double]
        var fb: [Double]
        var meMomenta: [FourVector]
        var contributions: [Double]
        /// One set of matrix-element buffers per subprocess group.
        var buffers: [MatrixElementBuffers]
        init(table: FlavourTable, legs: Int, groups: [SubprocessGroup]) {
            buffers = groups.map { $0.matrixElement.makeBuffers() }
            fa = [Double](repeating: 0, count: table.pdgIDs.count); fb = fa
            meMomenta = [FourVector](repeating: .zero, count: legs)
            contributions = [Double](repeating: 0, count: table.subprocesses.count)
        }
    }

    /// f at one point (slot-ordered momenta); member contributions land in scratch.contributions when asked.
    func physics(_ p: UnsafeBufferPointer<FourVector>, x1: Double, x2: Double, scratch: inout Scratch,
                 recordMembers: Bool) -> PointResult {
        var r = PointResult()
        guard cuts.passes(p, partons: partons) else { return r }
        let (muR, muF) = scales.scales(p, partons: partons, wMass: model.mW)
        r.muR = muR; r.muF = muF
        r.alphaS = pdf.alphaS(muR)
        var densitiesFinite = r.alphaS.isFinite
        for k in 0..<table.pdgIDs.count {
            let id = table.pdgIDs[k]
            scratch.fa[k] = pdf.xfx(id, x: x1, q: muF) / x1
            scratch.fb[k] = pdf.xfx(id, x: x2, q: muF) / x2
            densitiesFinite = densitiesFinite && scratch.fa[k].isFinite && scratch.fb[k].isFinite
        }
        if let injected = faultInjection, injected.source == .pdf, injected.hits(x1) { densitiesFinite = false }
        guard densitiesFinite else { r.fault = .pdf; return r }
        let injectME = faultInjection.map { $0.source == .matrixElement && $0.hits(x2) } ?? false
        var total = 0.0
        for call in table.calls {
            var lum = 0.0
            for m in call.members { lum += scratch.fa[table.beam1[m]] * scratch.fb[table.beam2[m]] }
            guard lum != 0 else {
                if recordMembers { for m in call.members { scratch.contributions[m] = 0 } }
                continue
            }
            for i in 0..<call.slots.count { scratch.meMomenta[i] = p[call.slots[i]] }
            let m2 = injectME ? .nan : groups[call.group].matrixElement.squared(scratch.meMomenta, alphaS: r.alphaS,
                                                                                buffers: scratch.buffers[call.group])
            guard m2.isFinite else { r.fault = .matrixElement; r.f = 0; return r }
            total += lum * m2
            if recordMembers {
                for m in call.members { scratch.contributions[m] = scratch.fa[table.beam1[m]] * scratch.fb[table.beam2[m]] * m2 }
            }
        }
        let sHat = x1 * x2 * sqrtS * sqrtS
        r.f = total / (2 * sHat) * PhaseSpaceConstants.gevMinus2ToPb
        return r
    }

    // MARK: - Integrand conformance

    public func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation) {
        _ = evaluate(channel: channel, points: points, into: &result, strict: false)
    }

    /// Like `evaluate`, but throws on points outside (0,1)^d, a wrong shape, or non-finite momenta and
    /// weights (the fast path silently gives such points value 0).
    public func evaluateChecked(channel: Int, points: MatrixD) throws -> ChannelEvaluation {
        guard (0..<channelCount).contains(channel) else {
            throw PhysicsError.invalidPoint("channel \(channel) does not exist (\(channelCount) channels)")
        }
        guard points.cols == dimension else {
            throw PhysicsError.invalidPoint("points have \(points.cols) columns, the integrand has dimension \(dimension)")
        }
        if let bad = points.storage.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw PhysicsError.invalidPoint("coordinate \(points.storage[bad]) of row \(bad / dimension) lies outside [0, 1]")
        }
        var result = ChannelEvaluation()
        if let bad = evaluate(channel: channel, points: points, into: &result, strict: true) {
            // Name where the value broke: a NaN parton density is not the phase-space mapping's fault.
            if bad.source == .phaseSpace { throw PhysicsError.nonFiniteMomentum(channel: channel, point: bad.row) }
            throw PhysicsError.nonFiniteValue(channel: channel, point: bad.row, source: bad.source)
        }
        return result
    }

    /// Shared body; returns the first row with a non-finite momentum or value and where it arose (such rows
    /// get value 0).
    private func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation,
                          strict: Bool) -> (row: Int, source: NumericalFaults.Source)? {
        let n = points.rows, legs = 4 + partons, ch = channels[channel]
        var batch = MappedBatch()
        ch.map(points: points, into: &batch)
        var scratch = Scratch(table: table, legs: legs, groups: groups)
        if result.value.count != n { result.value = [Double](repeating: 0, count: n) }
        result.faults = NumericalFaults()
        // Fresh matrices instead of Matrix.resize: growing through resize appends element by element
        // through an unspecialised generic path, which cost ~40% of the time in the benchmark.
        func shape(_ m: inout MatrixD, _ r: Int, _ c: Int) {
            if m.rows != r || m.cols != c { m = MatrixD(rows: r, cols: c) }
        }
        shape(&result.priorWeights, usesPriorWeights ? n : 0, usesPriorWeights ? channelCount : 0)
        shape(&result.features, featureChannel != nil ? n : 0, featureChannel != nil ? dimension : 0)
        var firstBad: (row: Int, source: NumericalFaults.Source)? = nil
        var point = [FourVector](repeating: .zero, count: legs)
        for i in 0..<n {
            let w = batch.weight[i]
            var value = 0.0
            var usable = false
            if w.isNaN || w.isInfinite {
                result.faults.record(.phaseSpace)
                if firstBad == nil { firstBad = (i, .phaseSpace) }
            } else if w > 0 {
                let base = i &* legs
                var finite = true
                for k in 0..<legs {
                    let q = batch.momenta[base &+ k]
                    point[k] = q
                    finite = finite && q.e.isFinite && q.px.isFinite && q.py.isFinite && q.pz.isFinite
                }
                if !finite {
                    result.faults.record(.phaseSpace)
                    if firstBad == nil { firstBad = (i, .phaseSpace) }
                } else {
                    usable = true
                    let r = point.withUnsafeBufferPointer {
                        physics($0, x1: batch.x1[i], x2: batch.x2[i], scratch: &scratch, recordMembers: false)
                    }
                    value = r.f * w
                    if let source = r.fault {
                        result.faults.record(source)
                        if firstBad == nil { firstBad = (i, source) }
                    } else if !value.isFinite {
                        result.faults.record(.integrand)
                        if firstBad == nil { firstBad = (i, .integrand) }
                        value = 0
                    }
                }
            }
            result.value[i] = value
            if usesPriorWeights {
                let c = channelCount
                result.priorWeights.storage.withUnsafeMutableBufferPointer { all in
                    let row = UnsafeMutableBufferPointer(rebasing: all[(i &* c)..<((i &+ 1) &* c)])
                    if !usable { for k in 0..<c { row[k] = 1 / Double(c) } }
                    else if priorWeighting == .propagators { priorChannelWeights(channels, momenta: point, into: row) }
                    else { densityChannelWeights(point, x1: batch.x1[i], x2: batch.x2[i], into: row) }
                }
            }
            if let fc = featureChannel {
                let d = dimension
                let inv = usable ? channels[fc].inverse(ofMomenta: point, x1: batch.x1[i], x2: batch.x2[i]) : nil
                for k in 0..<d {
                    let v = inv?[k] ?? points[i, k]
                    result.features[i, k] = v.isFinite ? min(max(v, 0), 1) : 0.5
                }
            }
        }
        return strict ? firstBad : nil
    }

    // MARK: - Multi-channel helpers

    /// α_c = g_c / Σ g at a point (uniform if every density vanishes).
    private func densityChannelWeights(_ p: [FourVector], x1: Double, x2: Double, into row: UnsafeMutableBufferPointer<Double>) {
        var total = 0.0
        for c in 0..<channels.count {
            let g = channels[c].density(ofMomenta: p, x1: x1, x2: x2)
            row[c] = g; total += g
        }
        if total > 0 && total.isFinite { for c in 0..<channels.count { row[c] /= total } }
        else { for c in 0..<channels.count { row[c] = 1 / Double(channels.count) } }
    }

    /// Density of the given point in every channel (per unit dx₁dx₂dΦ), e.g. for α_c = g_c / Σ g.
    public func channelDensities(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> [Double] {
        channels.map { $0.density(ofMomenta: momenta, x1: x1, x2: x2) }
    }

    /// f (pb per unit dx₁dx₂dΦ) at a point given in slot order; 0 outside the cuts.
    public func differentialCrossSection(momenta: [FourVector], x1: Double, x2: Double) throws -> Double {
        guard momenta.count == 4 + partons else {
            throw PhysicsError.invalidPoint("expected \(4 + partons) momenta, got \(momenta.count)")
        }
        guard momenta.allSatisfy({ $0.e.isFinite && $0.px.isFinite && $0.py.isFinite && $0.pz.isFinite }), x1.isFinite, x2.isFinite else {
            throw PhysicsError.invalidPoint("non-finite momentum or momentum fraction")
        }
        guard x1 > 0, x1 <= 1, x2 > 0, x2 <= 1 else { throw PhysicsError.invalidPoint("momentum fractions x1 = \(x1), x2 = \(x2) outside (0, 1]") }
        var scratch = Scratch(table: table, legs: 4 + partons, groups: groups)
        return momenta.withUnsafeBufferPointer { physics($0, x1: x1, x2: x2, scratch: &scratch, recordMembers: false).f }
    }

    // MARK: - Events

    /// Event records for every row of `points` (nil where the point has zero weight); `selectors[i]` ∈ [0, 1)
    /// picks the subprocess of row i.
    public func events(channel: Int, points: MatrixD, selectors: [Double]) throws -> [HadronicEvent?] {
        guard selectors.count == points.rows else {
            throw PhysicsError.invalidPoint("\(selectors.count) selectors for \(points.rows) points")
        }
        return try (0..<points.rows).map { try event(channel: channel, point: points.row($0), selector: selectors[$0]) }
    }

    /// Turns the point y of `channel` into an event record. The subprocess is chosen with probability ∝ its
    /// contribution f_a f_b |M|², using `selector` ∈ [0, 1). Returns nil when the point has zero weight.
    public func event(channel: Int, point y: [Double], selector: Double) throws -> HadronicEvent? {
        guard selector >= 0 && selector < 1 else { throw PhysicsError.invalidPoint("selector \(selector) outside [0, 1)") }
        guard let d = try pointDetail(channel: channel, point: y, row: 0) else { return nil }
        let chosen = chooseMember(d.contributions, selector: selector)
        let slots = table.memberSlots[chosen]
        return HadronicEvent(subprocess: table.subprocesses[chosen], momenta: slots.map { d.momenta[$0] },
                             x1: d.x1, x2: d.x2, muR: d.result.muR, muF: d.result.muF, alphaS: d.result.alphaS,
                             weight: d.weight)
    }

    /// Everything an event needs at one point: momenta in slot order, the physics, each member's f_a f_b |M|².
    struct PointDetail {
        var momenta: [FourVector]
        var x1: Double, x2: Double
        var result: PointResult
        /// f · |∂x/∂y| in pb.
        var weight: Double
        /// Indexed like `table.subprocesses`.
        var contributions: [Double]
    }

    /// The physics of point y of `channel` with per-member contributions; nil when the point has zero weight.
    /// `row` only names the point in a thrown error. Off the hot `evaluate` path on purpose.
    func pointDetail(channel: Int, point y: [Double], row: Int) throws -> PointDetail? {
        guard (0..<channelCount).contains(channel) else { throw PhysicsError.invalidPoint("channel \(channel) does not exist") }
        guard y.count == dimension, y.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
            throw PhysicsError.invalidPoint("point must have \(dimension) coordinates in [0, 1]")
        }
        let (mapped, momenta) = channels[channel].map(y)
        guard mapped.weight > 0 else { return nil }
        guard mapped.weight.isFinite, momenta.allSatisfy({ $0.e.isFinite && $0.px.isFinite && $0.py.isFinite && $0.pz.isFinite }) else {
            throw PhysicsError.nonFiniteMomentum(channel: channel, point: row)
        }
        var scratch = Scratch(table: table, legs: 4 + partons, groups: groups)
        let r = momenta.withUnsafeBufferPointer {
            physics($0, x1: mapped.x1, x2: mapped.x2, scratch: &scratch, recordMembers: true)
        }
        // A NaN |M|² or parton density must not pass for a zero-weight point.
        if let source = r.fault { throw PhysicsError.nonFiniteValue(channel: channel, point: row, source: source) }
        let weight = r.f * mapped.weight
        guard weight.isFinite else { throw PhysicsError.nonFiniteValue(channel: channel, point: row, source: .integrand) }
        guard r.f > 0 else { return nil }
        return PointDetail(momenta: momenta, x1: mapped.x1, x2: mapped.x2, result: r, weight: weight,
                           contributions: scratch.contributions)
    }

    /// The member whose share of Σ contributions contains `selector` · Σ (never one with zero contribution).
    func chooseMember(_ contributions: [Double], selector: Double) -> Int {
        let total = contributions.reduce(0, +)
        var target = selector * total, chosen = contributions.count - 1
        for (m, c) in contributions.enumerated() {
            if target < c { chosen = m; break }
            target -= c
        }
        while chosen > 0 && contributions[chosen] <= 0 { chosen -= 1 }
        return chosen
    }
}
