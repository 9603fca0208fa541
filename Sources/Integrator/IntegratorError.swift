// Errors of the sampler core (settings, trainer, VEGAS, model files, generation), each naming the problem.
public enum IntegratorError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(String)
    case modelMismatch(String)
    case modelFile(path: String, problem: String)
    case generation(String)
    case stoppedDuringWarmUp
    case numericalFaults(String)

    public var description: String {
        switch self {
        case .invalidSetting(let m): return m
        case .modelMismatch(let m): return "the model does not fit this run: \(m)"
        case .modelFile(let p, let m): return "model file '\(p)': \(m)"
        case .generation(let m): return "event generation: \(m)"
        case .numericalFaults(let m): return "stopped: \(m)"
        case .stoppedDuringWarmUp: return "stopped by a signal during the VEGAS warm-up (no model file written: nothing to resume yet)"
        }
    }
}
