/// Everything that can go wrong while finding, reading or querying a PDF set. Every case names the file
/// (and line) or the quantity at fault, so the message alone tells the user what to fix.
public enum PDFError: Error, Equatable, CustomStringConvertible {
    /// A path given explicitly does not exist.
    case fileNotFound(path: String)
    /// A set name was not found in any search location.
    case setNotFound(name: String, searched: [String])
    /// The file exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// Structural problem in a grid or info file (bad number, short row, missing block, truncation...).
    case malformed(path: String, line: Int, problem: String)
    /// Knots that are not strictly increasing (or not positive).
    case nonMonotoneKnots(path: String, line: Int, axis: String, index: Int, previous: Double, value: Double)
    /// A flavour id in the file that is not a parton (quarks ±1…±6, gluon 21 or 0, photon 22).
    case unknownFlavour(path: String, line: Int, pid: Int)
    /// Metadata (the .info file or the built-in table) lacks something required, or holds a bad value.
    case badMetadata(set: String, key: String, problem: String)
    /// Strict query outside the grid.
    case outOfGrid(variable: String, value: Double, lower: Double, upper: Double)
    /// Strict query of a flavour the set does not hold.
    case flavourNotInSet(pid: Int, set: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "PDF file not found: \(path)"
        case .setNotFound(let name, let searched):
            return "PDF set '\(name)' not found; looked in: " + (searched.isEmpty ? "(no search locations; set LHAPDF_DATA_PATH)" : searched.joined(separator: ", "))
        case .unreadable(let path, let reason):
            return "cannot read PDF file \(path): \(reason)"
        case .malformed(let path, let line, let problem):
            return "\(path):\(line): \(problem)"
        case .nonMonotoneKnots(let path, let line, let axis, let index, let previous, let value):
            return "\(path):\(line): \(axis) knots must be positive and strictly increasing, but knot \(index) is \(value) after \(previous)"
        case .unknownFlavour(let path, let line, let pid):
            return "\(path):\(line): unknown flavour id \(pid) (expected quarks ±1…±6, gluon 21 or 0, photon 22)"
        case .badMetadata(let set, let key, let problem):
            return "PDF set '\(set)': metadata '\(key)': \(problem)"
        case .outOfGrid(let variable, let value, let lower, let upper):
            return "\(variable) = \(value) is outside the PDF grid range [\(lower), \(upper)]"
        case .flavourNotInSet(let pid, let set):
            return "flavour \(pid) is not in PDF set '\(set)'"
        }
    }
}
