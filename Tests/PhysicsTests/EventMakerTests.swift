// WJetsEventMaker with the real ingredients (NNPDF2.3 LO from the pythia8mc wheel, Berends–Giele matrix
// elements, the Chili-style channels) at W⁺ + 1 and 2 jets, 13 TeV:
// - records of uniform points in several channels are physical Les Houches events (momentum and charge
//   conservation, W row = ℓ + ν, cuts, on-shell massless partons, closed colour flow, beams and x's, scales);
// - the subprocess is drawn ∝ f_a f_b |M|² and the colour flow ∝ its partial |M|² (χ² tests, fixed seeds);
// - process list, run header (LHAPDF id 247000, beams √s/2) and the error paths.
import XCTest
import Amplitudes
import EventIO
import Kinematics
import Numerics
import PDF
import PhaseSpace
@testable import Physics

final class EventMakerTests: XCTestCase {
    static let sqrtS = 13_000.0

    static func maker(jets n: Int) throws -> WJetsEventMaker {
        try WJetsEventMaker(integrand: try WCrossSectionTests.setup(jets: n).makeIntegrand())
    }

    static func name(_ ids: [Int32]) -> String { ids.map { PDG.name(Int($0)) }.joined(separator: " ") }

    /// Slot-order momenta (in₁, in₂, ℓ, ν, partons…) read back from a record, as the integrand's cuts see them.
    static func slotMomenta(_ r: EventRecord) -> [FourVector] {
        let rows = r.particles
        func v(_ p: EventParticle) -> FourVector { FourVector(p.e, p.px, p.py, p.pz) }
        let out = rows.filter { $0.status == 1 }
        let lepton = out.first { FlavourTable.isChargedLepton(Int($0.id)) }!
        let neutrino = out.first { FlavourTable.isNeutrino(Int($0.id)) }!
        return [v(rows[0]), v(rows[1]), v(lepton), v(neutrino)] + out.filter { FlavourTable.isParton(Int($0.id)) }.map(v)
    }

    /// Every colour index appears once as a colour and once as an anticolour, counting an incoming parton's
    /// colour as an outgoing anticolour and vice versa; quarks carry colour only, antiquarks anticolour only,
    /// gluons both, everything else none (for incoming partons the same in their own direction).
    static func checkColours(_ r: EventRecord, file: StaticString = #filePath, line: UInt = #line) {
        var colours: [Int32: Int] = [:], anticolours: [Int32: Int] = [:]
        for p in r.particles {
            let id = Int(p.id)
            let hasC = p.colour1 != 0, hasA = p.colour2 != 0
            switch id {
            case 21: XCTAssertTrue(hasC && hasA, "gluon tags \(p.colour1) \(p.colour2)", file: file, line: line)
            case 1...6: XCTAssertTrue(hasC && !hasA, "quark \(id) tags \(p.colour1) \(p.colour2)", file: file, line: line)
            case -6 ... -1: XCTAssertTrue(!hasC && hasA, "antiquark \(id) tags \(p.colour1) \(p.colour2)", file: file, line: line)
            default: XCTAssertTrue(!hasC && !hasA, "colourless \(id) tags \(p.colour1) \(p.colour2)", file: file, line: line)
            }
            if hasC { XCTAssertGreaterThanOrEqual(p.colour1, 501, file: file, line: line) }
            if hasA { XCTAssertGreaterThanOrEqual(p.colour2, 501, file: file, line: line) }
            let (c, a) = p.status == -1 ? (p.colour2, p.colour1) : (p.colour1, p.colour2)
            if c != 0 { colours[c, default: 0] += 1 }
            if a != 0 { anticolours[a, default: 0] += 1 }
        }
        XCTAssertFalse(colours.isEmpty, file: file, line: line)
        XCTAssertEqual(Set(colours.keys), Set(anticolours.keys), "colour lines do not close", file: file, line: line)
        XCTAssertTrue(colours.values.allSatisfy { $0 == 1 } && anticolours.values.allSatisfy { $0 == 1 },
                      "an index is used more than twice", file: file, line: line)
    }

    // MARK: - Records of uniform points

    func testRecordsOfUniformPointsArePhysicalEvents() throws {
        for n in [1, 2] {
            let maker = try Self.maker(jets: n)
            let integrand = maker.integrand
            let pdf = integrand.pdf
            XCTAssertEqual(maker.particlesPerEvent, n + 5)
            var rng = RandomStream(seed: 11 + UInt64(n))
            var made = 0, empty = 0
            let channels = Array(Set([0, integrand.channelCount / 2, integrand.channelCount - 1])).sorted()
            for c in channels {
                let rows = 60
                var y = MatrixD(rows: rows, cols: integrand.dimension)
                for k in 0..<y.storage.count { y.storage[k] = 1e-6 + (1 - 2e-6) * rng.uniform() }
                let weights = (0..<rows).map { 1 + Double($0) / 10 }
                let trials = (0..<rows).map { Int64(3 * $0 + 1) }
                var choice = RandomStream(seed: 99)
                let records = try maker.events(channel: c, points: y, relativeWeights: weights, trials: trials, rng: &choice)
                XCTAssertEqual(records.count, rows)
                let values = try integrand.evaluateChecked(channel: c, points: y).value
                for i in 0..<rows {
                    // nil exactly where the integrand is zero (outside the cuts or the channel's support).
                    guard let r = records[i] else { XCTAssertEqual(values[i], 0, "W+\(n) ch \(c) row \(i)"); empty += 1; continue }
                    XCTAssertGreaterThan(values[i], 0)
                    made += 1
                    let ctx = "W+\(n) ch \(c) row \(i)"
                    let rowsOf = r.particles
                    XCTAssertEqual(rowsOf.count, n + 5, ctx)
                    XCTAssertEqual(r.relativeWeight, weights[i]); XCTAssertEqual(r.trials, trials[i])
                    // Process id and name.
                    XCTAssertTrue((1...maker.processes.count).contains(r.processID), ctx)
                    let process = maker.processes[r.processID - 1]
                    XCTAssertEqual(process.name, Self.name([rowsOf[0].id, rowsOf[1].id]) + " > " + Self.name(rowsOf[3...].map(\.id)), ctx)
                    XCTAssertEqual(process.legs, n + 5)
                    let sp = integrand.subprocesses[r.processID - 1]
                    XCTAssertEqual(rowsOf.map { Int($0.id) }, sp.incoming + [24] + sp.outgoing, ctx)   // e⁺ν: W⁺
                    XCTAssertTrue(rowsOf.allSatisfy { $0.spin == 9 && $0.lifetime == 0 })
                    // Incoming: beam 1 along +z, massless, x = 2E/√s, a non-zero density of that flavour.
                    let muF = r.factorizationScale
                    for (k, sign) in [(0, 1.0), (1, -1.0)] {
                        let p = rowsOf[k]
                        XCTAssertEqual(p.status, -1); XCTAssertEqual(p.mother1, 0); XCTAssertEqual(p.mother2, 0)
                        XCTAssertEqual(p.px, 0); XCTAssertEqual(p.py, 0); XCTAssertEqual(p.m, 0)
                        XCTAssertEqual(p.pz * sign, p.e, accuracy: 1e-12 * p.e, ctx)
                        let x = 2 * p.e / Self.sqrtS
                        XCTAssertTrue(x > 0 && x <= 1, ctx)
                        XCTAssertGreaterThan(pdf.xfx(Int(p.id), x: x, q: muF), 0, ctx)
                    }
                    let reference = try XCTUnwrap(try integrand.event(channel: c, point: y.row(i), selector: 0.5))
                    XCTAssertEqual(2 * rowsOf[0].e / Self.sqrtS, reference.x1, accuracy: 1e-12 * reference.x1)
                    XCTAssertEqual(2 * rowsOf[1].e / Self.sqrtS, reference.x2, accuracy: 1e-12 * reference.x2)
                    // The W row is ℓ + ν with the pair's mass; leptons point at it, partons at the beams.
                    let w = rowsOf[2]
                    XCTAssertEqual(w.status, 2); XCTAssertEqual(w.mother1, 1); XCTAssertEqual(w.mother2, 2)
                    let leptons = rowsOf.filter { FlavourTable.isChargedLepton(Int($0.id)) || FlavourTable.isNeutrino(Int($0.id)) }
                    XCTAssertEqual(leptons.count, 2)
                    let pair = FourVector(leptons[0].e + leptons[1].e, leptons[0].px + leptons[1].px,
                                          leptons[0].py + leptons[1].py, leptons[0].pz + leptons[1].pz)
                    for (a, b) in [(w.e, pair.e), (w.px, pair.px), (w.py, pair.py), (w.pz, pair.pz)] {
                        XCTAssertEqual(a, b, accuracy: 1e-12 * pair.e, ctx)
                    }
                    XCTAssertEqual(w.m, pair.mass, accuracy: 1e-9 * pair.e, ctx)
                    XCTAssertEqual(PDG.charge3(Int(w.id)), leptons.map { PDG.charge3(Int($0.id)) }.reduce(0, +))
                    for l in leptons { XCTAssertEqual([l.status, l.mother1, l.mother2], [1, 3, 3], ctx); XCTAssertEqual(l.m, 0) }
                    // Outgoing partons: on-shell, massless, inside the cuts.
                    let partons = rowsOf[3...].filter { FlavourTable.isParton(Int($0.id)) }
                    XCTAssertEqual(partons.count, n)
                    for q in partons {
                        XCTAssertEqual([q.status, q.mother1, q.mother2], [1, 1, 2], ctx)
                        XCTAssertEqual(q.m, 0)
                        let m2 = q.e * q.e - q.px * q.px - q.py * q.py - q.pz * q.pz
                        XCTAssertLessThan(abs(m2), 1e-10 * q.e * q.e, ctx)
                        let v = FourVector(q.e, q.px, q.py, q.pz)
                        XCTAssertGreaterThanOrEqual(v.pt, 20 * (1 - 1e-12), ctx)
                        XCTAssertLessThanOrEqual(abs(v.eta), 5, ctx)
                    }
                    let slots = Self.slotMomenta(r)
                    XCTAssertTrue(integrand.cuts.passes(slots, partons: n), ctx)
                    // Momentum and charge conservation (the W row is not a final-state particle).
                    let incoming = rowsOf.filter { $0.status == -1 }, outgoing = rowsOf.filter { $0.status == 1 }
                    XCTAssertEqual(outgoing.count, n + 2)
                    let sumE = rowsOf.filter { $0.status != 2 }.map(\.e).reduce(0, +)
                    for component in [\EventParticle.e, \.px, \.py, \.pz] {
                        let balance = incoming.map { $0[keyPath: component] }.reduce(0, +) - outgoing.map { $0[keyPath: component] }.reduce(0, +)
                        XCTAssertLessThan(abs(balance), 1e-9 * sumE, ctx)
                    }
                    XCTAssertEqual(incoming.map { PDG.charge3(Int($0.id)) }.reduce(0, +),
                                   outgoing.map { PDG.charge3(Int($0.id)) }.reduce(0, +), ctx)
                    Self.checkColours(r)
                    // Scales and couplings of the point: shower scale μF, αs(μR) of the PDF, the model's α.
                    let (muR, muFExpected) = integrand.scales.scales(slots, partons: n, wMass: integrand.model.mW)
                    XCTAssertEqual(r.factorizationScale, muFExpected, accuracy: 1e-9 * muFExpected)
                    XCTAssertEqual(r.renormalizationScale, muR, accuracy: 1e-9 * muR)
                    XCTAssertEqual(r.scale, r.factorizationScale)
                    XCTAssertEqual(r.alphaS, pdf.alphaS(r.renormalizationScale), accuracy: 1e-12)
                    XCTAssertEqual(r.alphaQED, integrand.model.alpha)
                    XCTAssertEqual(r.alphaQED, 1 / 132.5, accuracy: 1e-5)   // α_Gμ = √2 G_F M_W² sin²θ_W / π
                }
            }
            print("W+\(n) jets: \(made) records, \(empty) zero-weight points, channels \(channels)")
            XCTAssertGreaterThan(made, 20 * channels.count, "W+\(n)")
            if n == 2 { XCTAssertGreaterThan(empty, 0, "uniform points at W+2 must hit the ΔR cut sometimes") }
        }
    }

    func testSameSeedGivesSameRecords() throws {
        let maker = try Self.maker(jets: 1)
        var rng = RandomStream(seed: 5)
        var y = MatrixD(rows: 20, cols: maker.integrand.dimension)
        rng.fillUniform(&y.storage)
        func run() throws -> [EventRecord?] {
            var choice = RandomStream(seed: 8)
            return try maker.events(channel: 0, points: y, relativeWeights: [Double](repeating: 1, count: 20),
                                    trials: [Int64](repeating: 1, count: 20), rng: &choice)
        }
        XCTAssertEqual(try run(), try run())
    }

    // MARK: - Choices at a fixed point

    /// A point of `channel` with non-zero weight (uniform draws from a fixed seed).
    static func fixedPoint(_ integrand: HadronicIntegrand, channel: Int, seed: UInt64) throws -> [Double] {
        var rng = RandomStream(seed: seed)
        for _ in 0..<1000 {
            let y = (0..<integrand.dimension).map { _ in 0.05 + 0.9 * rng.uniform() }
            if try integrand.event(channel: channel, point: y, selector: 0.5) != nil { return y }
        }
        throw XCTSkip("no point with non-zero weight found")
    }

    /// f_a(x₁) f_b(x₂) |M|² of every subprocess at the slot-order momenta p, computed here from the groups
    /// (flavour-table order: groups, then members).
    static func contributions(_ integrand: HadronicIntegrand, p: [FourVector], x1: Double, x2: Double) -> [Double] {
        let (muR, muF) = integrand.scales.scales(p, partons: integrand.partons, wMass: integrand.model.mW)
        let alphaS = integrand.pdf.alphaS(muR)
        return integrand.groups.flatMap { group in
            group.members.indices.map { k in
                let sp = group.members[k].subprocess
                var next = 4
                let own = [p[0], p[1]] + sp.outgoing.map { id -> FourVector in
                    if FlavourTable.isChargedLepton(id) { return p[2] }
                    if FlavourTable.isNeutrino(id) { return p[3] }
                    next += 1; return p[next - 1]
                }
                let lum = integrand.pdf.xfx(sp.incoming[0], x: x1, q: muF) / x1 * integrand.pdf.xfx(sp.incoming[1], x: x2, q: muF) / x2
                return lum * group.squared(member: k, own, alphaS: alphaS)
            }
        }
    }

    /// Pearson χ² of counts against probabilities, bins with expectation < 5 merged into one; returns χ² and
    /// its 99.9 % quantile (Wilson–Hilferty) for the degrees of freedom.
    static func chiSquare(counts: [Int], probabilities: [Double]) -> (chi2: Double, limit: Double, bins: Int) {
        let total = Double(counts.reduce(0, +))
        var chi2 = 0.0, bins = 0, smallObserved = 0.0, smallExpected = 0.0
        for (c, p) in zip(counts, probabilities) {
            let e = total * p
            if e < 5 { smallObserved += Double(c); smallExpected += e; continue }
            chi2 += (Double(c) - e) * (Double(c) - e) / e; bins += 1
        }
        if smallExpected > 0 {
            chi2 += (smallObserved - smallExpected) * (smallObserved - smallExpected) / smallExpected; bins += 1
        }
        let k = Double(max(bins - 1, 1)), z = 3.090
        let limit = k * pow(1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot(), 3)
        return (chi2, limit, bins)
    }

    func testSubprocessChoiceFollowsContributionShares() throws {
        for (n, draws) in [(1, 20_000), (2, 6_000)] {
            let maker = try Self.maker(jets: n)
            let integrand = maker.integrand
            let channel = integrand.channelCount - 1
            let y = try Self.fixedPoint(integrand, channel: channel, seed: 21 + UInt64(n))
            let (mapped, p) = integrand.channels[channel].map(y)
            // The flavour-table order is groups, then members: the order of the contributions computed here.
            XCTAssertEqual(integrand.subprocesses, integrand.groups.flatMap { $0.members.map(\.subprocess) })
            let c = Self.contributions(integrand, p: p, x1: mapped.x1, x2: mapped.x2)
            let total = c.reduce(0, +)
            // Σ contributions is the whole integrand: value = Σ/(2ŝ) · (GeV⁻² → pb) · Jacobian.
            let value = try integrand.evaluateChecked(channel: channel, points: MatrixD(rows: 1, cols: y.count, storage: y)).value[0]
            let sHat = mapped.x1 * mapped.x2 * Self.sqrtS * Self.sqrtS
            XCTAssertEqual(total / (2 * sHat) * 0.3894e9 * mapped.weight / value, 1, accuracy: 1e-9)

            let points = MatrixD(rows: draws, cols: y.count, storage: (0..<draws).flatMap { _ in y })
            var rng = RandomStream(seed: 2024)
            let records = try maker.events(channel: channel, points: points, relativeWeights: [Double](repeating: 1, count: draws),
                                           trials: [Int64](repeating: 1, count: draws), rng: &rng)
            var counts = [Int](repeating: 0, count: maker.processes.count)
            for r in records { counts[try XCTUnwrap(r).processID - 1] += 1 }
            for (k, share) in c.enumerated() where share == 0 { XCTAssertEqual(counts[k], 0, "zero-contribution \(maker.processes[k].name) chosen") }
            let test = Self.chiSquare(counts: counts, probabilities: c.map { $0 / total })
            let top = c.indices.sorted { c[$0] > c[$1] }.prefix(3).map { "\(maker.processes[$0].name): \(counts[$0]) vs \(Double(draws) * c[$0] / total)" }
            print("W+\(n) subprocess choice: χ² = \(test.chi2) over \(test.bins) bins (99.9 % limit \(test.limit)); \(top)")
            XCTAssertGreaterThanOrEqual(test.bins, 4, "W+\(n): the test needs several populated subprocesses")
            XCTAssertLessThan(test.chi2, test.limit, "W+\(n)")
        }
    }

    func testColourFlowChoiceFollowsFlowWeights() throws {
        let maker = try Self.maker(jets: 2)
        let integrand = maker.integrand
        let y = try Self.fixedPoint(integrand, channel: 0, seed: 31)
        let (mapped, p) = integrand.channels[0].map(y)
        let c = Self.contributions(integrand, p: p, x1: mapped.x1, x2: mapped.x2)
        let total = c.reduce(0, +)
        let members = integrand.groups.enumerated().flatMap { g, group in group.members.indices.map { (g, $0) } }
        // q q̄' → ℓν g g (3 flows, one a closed gluon loop), q g → ℓν q' g and a four-quark subprocess.
        let wanted = ["u d~ > e+ ve g g", "u g > e+ ve g d", "u u > e+ ve d u"]
        var tested = 0
        for name in wanted {
            guard let a = maker.processes.firstIndex(where: { $0.name == name }), c[a] > 0 else { continue }
            let (g, k) = members[a]
            let tree = try XCTUnwrap(integrand.groups[g].matrixElement as? TreeMatrixElement)
            // Expected: flow weights at the member's momenta in the element's order, tags in the member's order.
            let selector = (c[..<a].reduce(0, +) + c[a] / 2) / total
            let event = try XCTUnwrap(try integrand.event(channel: 0, point: y, selector: selector))
            XCTAssertEqual(event.subprocess, integrand.subprocesses[a])
            let order = integrand.groups[g].members[k].legOrder
            let weights = tree.colourFlowWeights(order.map { event.momenta[$0] })
            var probability: [[Int32]: Double] = [:]
            for f in weights.indices {
                var tags = [(colour: Int, anticolour: Int)](repeating: (0, 0), count: order.count)
                for (i, t) in tree.colourTags(flow: f).enumerated() { tags[order[i]] = t }
                probability[tags.flatMap { [Int32($0.colour), Int32($0.anticolour)] }, default: 0] += weights[f] / weights.reduce(0, +)
            }
            XCTAssertGreaterThan(probability.count, 1, name)
            let draws = 3000
            var rng = RandomStream(seed: 77)
            var counts: [[Int32]: Int] = [:]
            for _ in 0..<draws {
                let r = try XCTUnwrap(try maker.event(channel: 0, point: y, relativeWeight: 1, trials: 1,
                                                      subprocessSelector: selector, colourSelector: rng.uniform()))
                XCTAssertEqual(r.processID, a + 1)
                Self.checkColours(r)
                let rows = [r.particles[0], r.particles[1]] + r.particles[3...]
                counts[rows.flatMap { [$0.colour1, $0.colour2] }, default: 0] += 1
            }
            XCTAssertTrue(Set(counts.keys).isSubset(of: Set(probability.keys)), "\(name): a tag pattern of no flow")
            for (pattern, prob) in probability where prob == 0 { XCTAssertNil(counts[pattern], "\(name): zero-weight flow chosen") }
            let patterns = Array(probability.keys)
            let test = Self.chiSquare(counts: patterns.map { counts[$0] ?? 0 }, probabilities: patterns.map { probability[$0]! })
            print("\(name): \(patterns.count) colour flows, shares \(patterns.map { probability[$0]! }), χ² = \(test.chi2) (limit \(test.limit))")
            XCTAssertLessThan(test.chi2, test.limit, name)
            tested += 1
        }
        XCTAssertEqual(tested, wanted.count, "every listed subprocess exists and contributes at the point")
    }

    // MARK: - Process list, run header, errors

    func testProcessListAndRunInfo() throws {
        let maker = try Self.maker(jets: 1)
        let integrand = maker.integrand
        XCTAssertEqual(maker.processes.count, integrand.subprocesses.count)
        XCTAssertEqual(maker.processes.map(\.name), integrand.subprocesses.map {
            Self.name($0.incoming.map(Int32.init)) + " > " + Self.name($0.outgoing.map(Int32.init))
        })
        XCTAssertTrue(maker.processes.allSatisfy { $0.legs == 6 })
        // W⁺ + 1 jet with four light flavours, diagonal CKM: u d̄, c s̄ with a gluon, and q g, g q̄ (either beam).
        let names = Set(maker.processes.map(\.name))
        for expected in ["u d~ > e+ ve g", "d~ u > e+ ve g", "c s~ > e+ ve g", "u g > e+ ve d", "g u > e+ ve d", "g d~ > e+ ve u~"] {
            XCTAssertTrue(names.contains(expected), expected)
        }
        XCTAssertEqual(names.count, maker.processes.count, "names are unique")
        XCTAssertEqual(maker.processes.count, 12)

        let info = try maker.runInfo(weighted: true, cardHash: "card", modelHash: "model", seed: 42)
        XCTAssertEqual(info.pdfSetID, 247000)
        XCTAssertEqual(info.pdfGroup, 0)
        XCTAssertEqual(info.energyA, 6500); XCTAssertEqual(info.energyB, 6500)
        XCTAssertEqual(info.beamA, 2212); XCTAssertEqual(info.beamB, 2212)
        XCTAssertEqual(info.processes, maker.processes)
        XCTAssertTrue(info.weighted)
        XCTAssertEqual(info.cardHash, "card"); XCTAssertEqual(info.modelHash, "model"); XCTAssertEqual(info.seed, 42)
        XCTAssertEqual(try integrand.eventRunInfo(weighted: true, cardHash: "card", modelHash: "model", seed: 42), info)
    }

    func testErrorsNameTheProblem() throws {
        let pdf = try WCrossSectionTests.realPDF()
        let groups = try Amplitudes.Process("p p > e+ ve").groups
        let nan = try HadronicIntegrand(sqrtS: 8000, pdf: pdf, groups: groups, channels: [CrossSectionTests.NaNChannel()],
                                        cuts: .none, featureChannel: nil)
        let maker = try WJetsEventMaker(integrand: nan)
        var rng = RandomStream(seed: 1)
        XCTAssertThrowsError(try maker.events(channel: 0, points: MatrixD(rows: 2, cols: 4, repeating: 0.5),
                                              relativeWeights: [1, 1], trials: [1, 1], rng: &rng)) { e in
            XCTAssertEqual(e as? PhysicsError, .nonFiniteMomentum(channel: 0, point: 0))
        }
        let good = try Self.maker(jets: 1)
        let y = MatrixD(rows: 2, cols: good.integrand.dimension, repeating: 0.5)
        XCTAssertThrowsError(try good.events(channel: 0, points: y, relativeWeights: [1], trials: [1, 1], rng: &rng)) { e in
            guard case .invalidPoint = e as? PhysicsError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try good.events(channel: good.integrand.channelCount, points: y, relativeWeights: [1, 1], trials: [1, 1], rng: &rng)) { e in
            guard case .invalidPoint = e as? PhysicsError else { return XCTFail("\(e)") }
        }
        // Events need colour flows: a matrix element without them is refused up front.
        let toy = try HadronicIntegrand.wPlusJets(jets: 0, sqrtS: 8000, pdf: CrossSectionTests.ToyPDF(),
                                                  groups: [CrossSectionTests.wGroup()], cuts: .none)
        XCTAssertThrowsError(try WJetsEventMaker(integrand: toy)) { e in
            guard case .invalidProcess = e as? PhysicsError else { return XCTFail("\(e)") }
        }
        // A density with neither SetIndex nor a built-in entry has no LHAPDF id to write.
        XCTAssertThrowsError(try toy.eventRunInfo(weighted: false, cardHash: "", modelHash: "", seed: 0)) { e in
            guard case .invalidSetup = e as? PhysicsError else { return XCTFail("\(e)") }
        }
    }
}
