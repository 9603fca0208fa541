// How events become rows of LHEH5's `events` and `particles` datasets and back: one codec for the writer,
// the reader and the resume record of an interrupted run.
import Numerics

enum LHEH5Rows {
    /// `particlesPerEvent` rows of 13 columns per event (rows past an event's own particles stay zero).
    static func particleRows(_ events: [EventRecord], particlesPerEvent: Int) -> [Double] {
        let width = LHEH5Layout.particleColumns.count
        var rows = [Double](repeating: 0, count: events.count * particlesPerEvent * width)
        for (i, event) in events.enumerated() {
            for (j, p) in event.particles.enumerated() {
                let at = (i * particlesPerEvent + j) * width
                rows[at] = Double(p.id); rows[at + 1] = Double(p.status)
                rows[at + 2] = Double(p.mother1); rows[at + 3] = Double(p.mother2)
                rows[at + 4] = Double(p.colour1); rows[at + 5] = Double(p.colour2)
                rows[at + 6] = p.px; rows[at + 7] = p.py; rows[at + 8] = p.pz
                rows[at + 9] = p.e; rows[at + 10] = p.m
                rows[at + 11] = p.lifetime; rows[at + 12] = p.spin
            }
        }
        return rows
    }

    /// One row of 10 columns per event; the weight column holds `relativeWeight` (the sink scales it later).
    static func eventRows(_ events: [EventRecord], firstParticleRow: Int, particlesPerEvent: Int) -> [Double] {
        var rows: [Double] = []
        rows.reserveCapacity(events.count * LHEH5Layout.eventColumns.count)
        for (i, e) in events.enumerated() {
            rows += [Double(e.processID), Double(e.particles.count), Double(firstParticleRow + i * particlesPerEvent),
                     Double(e.trials), e.scale, e.factorizationScale, e.renormalizationScale, e.alphaQED, e.alphaS,
                     e.relativeWeight]
        }
        return rows
    }

    /// Records from event rows and the particle rows starting at row `firstParticle` of the file; a row whose
    /// particles lie outside those read, or whose ids, tags and counts are not integers, is an error naming `path`
    /// and the event (`firstEvent` + i), not a crash.
    static func records(events: MatrixD, particles: MatrixD, firstParticle: Int, firstEvent: Int, path: String) throws -> [EventRecord] {
        let width = LHEH5Layout.particleColumns.count
        guard events.rows == 0 || events.cols == LHEH5Layout.eventColumns.count,
              particles.rows == 0 || particles.cols == width else {
            throw EventFileError.corrupt(path: path, reason: "events have \(events.cols) columns and particles \(particles.cols), expected \(LHEH5Layout.eventColumns.count) and \(width)")
        }
        func integer<I: FixedWidthInteger>(_ x: Double, _ what: @autoclosure () -> String) throws -> I {
            try LHEH5Rows.integer(x, what(), path: path)
        }
        var out: [EventRecord] = []
        out.reserveCapacity(events.rows)
        for i in 0..<events.rows {
            let event = firstEvent + i
            let start: Int = try integer(events[i, 2], "the first particle row of event \(event)")
            let count: Int = try integer(events[i, 1], "the particle count of event \(event)")
            let (end, overflow) = start.addingReportingOverflow(count)
            guard !overflow, count >= 0, start >= firstParticle, end <= firstParticle + particles.rows else {
                throw EventFileError.corrupt(path: path, reason: "event \(event) has particle rows \(start) + \(count) outside \(firstParticle)..<\(firstParticle + particles.rows)")
            }
            let list = try (0..<count).map { j in
                let r = start - firstParticle + j
                func tag(_ column: Int) throws -> Int32 {
                    try integer(particles[r, column], "\(LHEH5Layout.particleColumns[column]) of particle row \(start + j)")
                }
                return EventParticle(id: try tag(0), status: try tag(1), mother1: try tag(2), mother2: try tag(3),
                                     colour1: try tag(4), colour2: try tag(5),
                                     px: particles[r, 6], py: particles[r, 7], pz: particles[r, 8], e: particles[r, 9],
                                     m: particles[r, 10], lifetime: particles[r, 11], spin: particles[r, 12])
            }
            out.append(EventRecord(processID: try integer(events[i, 0], "the process id of event \(event)"), particles: list,
                                   trials: try integer(events[i, 3], "the trials of event \(event)"),
                                   scale: events[i, 4], factorizationScale: events[i, 5], renormalizationScale: events[i, 6],
                                   alphaQED: events[i, 7], alphaS: events[i, 8], relativeWeight: events[i, 9]))
        }
        return out
    }

    /// Identifiers and counts are stored as doubles: each must be an integer of its type before it is converted.
    static func integer<I: FixedWidthInteger>(_ x: Double, _ what: @autoclosure () -> String, path: String) throws -> I {
        guard let v = I(exactly: x) else { throw EventFileError.corrupt(path: path, reason: "\(what()) is \(x), not an integer") }
        return v
    }
}
