import XCTest
import Numerics
import Cluster
@testable import Integrator

/// Loss derivatives against central finite differences, and the losses' defining properties.
final class LossTests: XCTestCase {
    let comm = SerialCommunicator()

    func makeBatches(seed: UInt64) -> [ChannelLossBatch] {
        var rng = RandomStream(seed: seed)
        return (0..<3).map { c in
            let n = 7 + c
            let value = (0..<n).map { _ in 0.1 + rng.uniform() * 3 }
            let alpha = (0..<n).map { _ in 0.05 + 0.9 * rng.uniform() }
            let logQ = (0..<n).map { _ in rng.normal() * 0.5 }
            let logS = logQ.map { $0 + 0.3 * (rng.uniform() - 0.5) }   // buffered: older sampling density
            return ChannelLossBatch(channel: c, value: value, alpha: alpha, logQ: logQ, logQSample: logS)
        }
    }

    func checkGradients(_ kind: TrainingLoss, file: StaticString = #filePath, line: UInt = #line) {
        let loss = MultiChannelLoss(kind)
        let batches = makeBatches(seed: 5)
        let scale = 2.5   // hold the detached normalisation fixed for finite differences
        let base = loss.evaluate(batches, channelCount: 4, communicator: comm, fixedScale: scale)
        let h = 1e-6
        for j in batches.indices {
            for i in batches[j].value.indices {
                var plus = batches, minus = batches
                plus[j].logQ[i] += h; minus[j].logQ[i] -= h
                let fd = (loss.evaluate(plus, channelCount: 4, communicator: comm, fixedScale: scale).loss
                          - loss.evaluate(minus, channelCount: 4, communicator: comm, fixedScale: scale).loss) / (2 * h)
                XCTAssertEqual(base.dLogQ[j][i], fd, accuracy: 1e-6 * max(1, abs(fd)), "\(kind) dlogq", file: file, line: line)
                if kind.trainsChannelWeights {
                    plus = batches; minus = batches
                    plus[j].alpha[i] += h; minus[j].alpha[i] -= h
                    let fda = (loss.evaluate(plus, channelCount: 4, communicator: comm, fixedScale: scale).loss
                               - loss.evaluate(minus, channelCount: 4, communicator: comm, fixedScale: scale).loss) / (2 * h)
                    XCTAssertEqual(base.dAlpha[j][i], fda, accuracy: 1e-6 * max(1, abs(fda)), "\(kind) dalpha", file: file, line: line)
                } else {
                    XCTAssertEqual(base.dAlpha[j][i], 0, file: file, line: line)
                }
            }
        }
    }

    func testVarianceGradients() { checkGradients(.variance) }
    func testStratifiedVarianceGradients() { checkGradients(.stratifiedVariance) }
    func testKLGradients() { checkGradients(.kl) }
    func testReverseKLGradients() { checkGradients(.reverseKL) }

    /// Soft clipping's normalisation N is recomputed from α inside the loss (detached in the derivative, as in
    /// the reference); with a huge threshold the clip is the identity and the derivatives are exact.
    func testSoftClippedVarianceGradientsAndLimit() {
        let batches = makeBatches(seed: 9)
        let plain = MultiChannelLoss(.stratifiedVariance).evaluate(batches, channelCount: 4, communicator: comm, fixedScale: 1)
        let clipped = MultiChannelLoss(.softClippedVariance(threshold: 1e7)).evaluate(batches, channelCount: 4, communicator: comm, fixedScale: 1)
        XCTAssertEqual(clipped.loss, plain.loss, accuracy: 1e-8 * plain.loss)
        let tight = MultiChannelLoss(.softClippedVariance(threshold: 0.5)).evaluate(batches, channelCount: 4, communicator: comm, fixedScale: 1)
        XCTAssertLessThan(tight.loss, plain.loss, "clipping large weights lowers the variance")
        // dlogq is exact for any threshold (the clip depends on q_s only).
        let loss = MultiChannelLoss(.softClippedVariance(threshold: 0.5))
        let h = 1e-6
        for i in batches[1].value.indices {
            var p = batches, m = batches
            p[1].logQ[i] += h; m[1].logQ[i] -= h
            let fd = (loss.evaluate(p, channelCount: 4, communicator: comm, fixedScale: 1).loss
                      - loss.evaluate(m, channelCount: 4, communicator: comm, fixedScale: 1).loss) / (2 * h)
            XCTAssertEqual(tight.dLogQ[1][i], fd, accuracy: 1e-6 * max(1, abs(fd)))
        }
    }

    /// A perfect density (q ∝ α·v in every channel) has zero variance; so does a perfect KL target.
    func testPerfectDensityHasZeroVarianceAndKL() {
        let value: [Double] = [0.5, 1, 2, 4]
        let alpha: [Double] = [1, 1, 1, 1]
        let logQ = value.map { log($0 / 1.875) }   // normalised: mean of v/q over these points is 1.875
        let batch = ChannelLossBatch(channel: 0, value: value, alpha: alpha, logQ: logQ, logQSample: logQ)
        XCTAssertEqual(MultiChannelLoss(.variance).evaluate([batch], channelCount: 1, communicator: comm).loss, 0, accuracy: 1e-15)
        // KL of identical normalised densities: Σ p (log p − log q) with p = q.
        XCTAssertEqual(MultiChannelLoss(.kl).evaluate([batch], channelCount: 1, communicator: comm).loss, 0, accuracy: 1e-12)
        XCTAssertEqual(MultiChannelLoss(.reverseKL).evaluate([batch], channelCount: 1, communicator: comm).loss, 0, accuracy: 1e-12)
    }

    /// Variance loss on fresh points equals the sample variance of the weights divided by Â².
    func testVarianceMatchesSampleVariance() {
        let b = makeBatches(seed: 3)[0]
        let fresh = ChannelLossBatch(channel: 0, value: b.value, alpha: b.alpha, logQ: b.logQ, logQSample: b.logQ)
        let w = (0..<b.value.count).map { b.alpha[$0] * b.value[$0] * exp(-b.logQ[$0]) }
        let m = w.reduce(0, +) / Double(w.count)
        let v = w.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(w.count)
        let l = MultiChannelLoss(.variance).evaluate([fresh], channelCount: 1, communicator: comm)
        XCTAssertEqual(l.loss, v / (m * m), accuracy: 1e-12 * l.loss)
    }
}
