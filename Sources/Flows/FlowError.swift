// Errors for bad input to the flow module: wrong shapes, wrong parameter counts, invalid settings.

public enum FlowError: Error, CustomStringConvertible, Equatable {
    case parameterCountMismatch(expected: Int, got: Int)
    case shapeMismatch(what: String, expected: Int, got: Int)
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .parameterCountMismatch(e, g): return "parameter vector has \(g) entries, expected \(e)"
        case let .shapeMismatch(what, e, g): return "\(what): got \(g), expected \(e)"
        case let .invalidConfiguration(s): return "invalid configuration: \(s)"
        }
    }
}
