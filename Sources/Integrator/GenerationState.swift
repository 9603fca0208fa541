// One rank's running state of a generation run: the totals the summary is made of, the random streams, the
// events made but not yet written and the survey's result. It is all an interrupted run needs to continue
// exactly where it stopped, so it converts to and from the sink's resume record (`SinkResumeState`).
import Numerics
import EventIO

/// Running totals of one rank; trial weights x = w/P_c, event relative weights ρ.
struct GenerationTally: Equatable {
    /// Events this rank still has to write.
    var remaining: Int
    var written: Int64 = 0
    var trials: Int64 = 0
    var lost: Int64 = 0
    var overweight: Int64 = 0
    /// Trials since this rank's last kept point (the next event's `trials`).
    var sinceLast: Int64 = 0
    var faults = NumericalFaults()
    var channelFaults: [Int64]
    var sumX = 0.0, sumX2 = 0.0
    var rhoSum = 0.0, overweightRho = 0.0
    var processRho: [Double], processRho2: [Double]
    var processEvents: [Int64]
    /// Wall seconds spent by earlier, interrupted parts of this run.
    var earlierSeconds = 0.0

    init(remaining: Int, channels: Int, processes: Int) {
        self.remaining = remaining
        channelFaults = [Int64](repeating: 0, count: channels)
        processRho = [Double](repeating: 0, count: processes); processRho2 = processRho
        processEvents = [Int64](repeating: 0, count: processes)
    }

    mutating func addTrial(_ x: Double) {
        trials += 1; sinceLast += 1
        sumX += x; sumX2 += x * x
    }

    /// Book a block of events as written.
    mutating func account(_ block: [EventRecord], weighted: Bool) {
        for e in block {
            let p = e.processID - 1
            if p >= 0 && p < processEvents.count {
                processRho[p] += e.relativeWeight; processRho2[p] += e.relativeWeight * e.relativeWeight
                processEvents[p] += 1
            }
            rhoSum += e.relativeWeight
            if !weighted && abs(e.relativeWeight) > 1 { overweight += 1; overweightRho += abs(e.relativeWeight) }
        }
        written += Int64(block.count)
        remaining -= block.count
    }
}

/// Everything one rank carries between rounds of a generation run.
struct GenerationState {
    var tally: GenerationTally
    var select: RandomStream, unweight: RandomStream, physics: RandomStream
    var channelStreams: [RandomStream]
    var pending: [EventRecord] = []
    var maxima: [Double]
    var surveyCrossSection: Double, surveyError: Double

    /// Layout version of the resume record.
    static let version: Int64 = 2

    /// The settings that must be the same when a run resumes (a different value would change its events).
    /// Seed and weighting are checked by the sink against the file's provenance.
    static func fingerprint(_ s: GenerationSettings) -> [Int64] {
        [Int64(s.events), Int64(s.surveyPoints), Int64(s.minimumSurveyPerChannel), Int64(s.batchSize), Int64(s.flushEvents)]
    }
    static let fingerprintNames = ["events", "survey_points", "minimum survey points per channel", "batch_size", "flush_events"]

    func resumeState(settings: GenerationSettings, elapsed: Double) -> SinkResumeState {
        let t = tally
        let c = maxima.count, p = t.processEvents.count
        var ints: [Int64] = [Self.version, Int64(c), Int64(p)] + Self.fingerprint(settings)
        ints += [Int64(t.remaining), t.written, t.trials, t.lost, t.overweight, t.sinceLast]
        ints += t.faults.counts + t.channelFaults + t.processEvents
        ints += ([select, unweight, physics] + channelStreams).map { Int64(bitPattern: $0.position) }
        var reals = [t.sumX, t.sumX2, t.rhoSum, t.overweightRho, t.earlierSeconds + elapsed, surveyCrossSection, surveyError]
        reals += maxima + t.processRho + t.processRho2
        return SinkResumeState(integers: ints, reals: reals, pending: pending)
    }

    /// Rebuild from a resume record; `fresh` is the state a new run would start from (its streams say which
    /// stream each position belongs to).
    init(resuming record: SinkResumeState, fresh: GenerationState, settings: GenerationSettings) throws {
        let c = fresh.maxima.count, p = fresh.tally.processEvents.count
        let f = Self.fingerprint(settings), sources = NumericalFaults.Source.allCases.count
        let ints = record.integers, reals = record.reals
        let intCount = 3 + f.count + 6 + sources + c + p + 3 + c
        guard ints.count == intCount, reals.count == 7 + c + 2 * p, ints[0] == Self.version, ints[1] == Int64(c), ints[2] == Int64(p) else {
            throw IntegratorError.generation("the interrupted file's resume record does not fit this process and version of nisgen")
        }
        for (k, name) in Self.fingerprintNames.enumerated() where ints[3 + k] != f[k] {
            throw IntegratorError.generation("the interrupted run had \(name) = \(ints[3 + k]), this one \(f[k]): resume with the settings it started with")
        }
        var at = 3 + f.count
        func next() -> Int64 { defer { at += 1 }; return ints[at] }
        func take(_ n: Int) -> [Int64] { defer { at += n }; return Array(ints[at..<(at + n)]) }
        var t = GenerationTally(remaining: Int(next()), channels: c, processes: p)
        t.written = next(); t.trials = next(); t.lost = next(); t.overweight = next(); t.sinceLast = next()
        t.faults = NumericalFaults(counts: take(sources))
        t.channelFaults = take(c)
        t.processEvents = take(p)
        func resumed(_ s: RandomStream) -> RandomStream {
            RandomStream(seed: s.seed, stream: s.stream, position: UInt64(bitPattern: next()))
        }
        select = resumed(fresh.select); unweight = resumed(fresh.unweight); physics = resumed(fresh.physics)
        channelStreams = fresh.channelStreams.map(resumed)
        t.sumX = reals[0]; t.sumX2 = reals[1]; t.rhoSum = reals[2]; t.overweightRho = reals[3]; t.earlierSeconds = reals[4]
        surveyCrossSection = reals[5]; surveyError = reals[6]
        maxima = Array(reals[7..<(7 + c)])
        t.processRho = Array(reals[(7 + c)..<(7 + c + p)])
        t.processRho2 = Array(reals[(7 + c + p)...])
        guard t.remaining >= 0, t.written >= 0, t.trials >= 0, maxima.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw IntegratorError.generation("the interrupted file's resume record holds impossible numbers")
        }
        tally = t
        pending = record.pending
    }

    init(tally: GenerationTally, root: RandomStream, channels: Int, maxima: [Double], surveyCrossSection: Double, surveyError: Double) {
        self.tally = tally
        select = root.substream(0); unweight = root.substream(0xA11); physics = root.substream(0xE7E7)
        channelStreams = (0..<channels).map { root.substream(UInt64($0) + 1) }
        self.maxima = maxima
        self.surveyCrossSection = surveyCrossSection
        self.surveyError = surveyError
    }
}
