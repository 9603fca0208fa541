#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a PDF member lives on disk: the member grid file and, when present, the set's `.info`.
public struct PDFLocation: Sendable, Equatable {
    public var setName: String
    public var member: Int
    public var memberFile: String
    public var infoFile: String?
}

/// Finds PDF sets the way users expect from LHAPDF and Pythia 8.
///
/// A specification is either
/// - a path (contains `/`, or exists): a set folder `…/NAME/` (member `NAME_mmmm.dat` inside, `NAME.info`
///   optional) or a member file `…/NAME_mmmm.dat` (its member number wins over `member`); or
/// - a set name, searched in order in each directory D of `searchPaths`, then of the colon-separated
///   `LHAPDF_DATA_PATH`: `D/NAME/NAME_mmmm.dat` (LHAPDF layout), `D/NAME_mmmm.dat` (flat, as in Pythia's
///   pdfdata), `D/share/LHAPDF/NAME/NAME_mmmm.dat` and `D/share/Pythia8/pdfdata/NAME_mmmm.dat` (D being an
///   install prefix such as a Python venv with the `pythia8mc` wheel). The `.info` is looked for as
///   `NAME.info` next to the member file.
public enum PDFLocator {
    public static func locate(_ spec: String, member: Int = 0, searchPaths: [String] = [],
                              dataPath: String? = nil) throws -> PDFLocation {
        guard member >= 0 && member <= 9999 else {
            throw PDFError.badMetadata(set: spec, key: "member", problem: "member \(member) is not in 0…9999")
        }
        if spec.contains("/") || FileSystem.exists(spec) {
            return try locatePath(spec, member: member)
        }
        let envPath = dataPath ?? getenv("LHAPDF_DATA_PATH").map { String(cString: $0) } ?? ""
        let dirs = searchPaths + envPath.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        let memberName = memberFileName(set: spec, member: member)
        var searched: [String] = []
        for dir in dirs {
            let d = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
            for folder in [d + "/" + spec, d, d + "/share/LHAPDF/" + spec, d + "/share/Pythia8/pdfdata"] {
                let candidate = folder + "/" + memberName
                searched.append(candidate)
                if FileSystem.isRegularFile(candidate) {
                    return PDFLocation(setName: spec, member: member, memberFile: candidate,
                                       infoFile: infoPath(folder: folder, set: spec))
                }
            }
        }
        throw PDFError.setNotFound(name: spec, searched: searched)
    }

    static func memberFileName(set: String, member: Int) -> String {
        let digits = String(member)
        return set + "_" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + ".dat"
    }

    private static func infoPath(folder: String, set: String) -> String? {
        let p = folder + "/" + set + ".info"
        return FileSystem.isRegularFile(p) ? p : nil
    }

    private static func locatePath(_ spec: String, member: Int) throws -> PDFLocation {
        var path = spec
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard FileSystem.exists(path) else { throw PDFError.fileNotFound(path: path) }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let last = String(parts.last ?? "")
        let folder = parts.count > 1 ? parts.dropLast().joined(separator: "/") : "."
        if FileSystem.isDirectory(path) {
            let file = path + "/" + memberFileName(set: last, member: member)
            guard FileSystem.isRegularFile(file) else { throw PDFError.fileNotFound(path: file) }
            return PDFLocation(setName: last, member: member, memberFile: file, infoFile: infoPath(folder: path, set: last))
        }
        // A member file NAME_mmmm.dat; anything else is taken as a member file of a set named after it.
        var setName = last
        var m = member
        if setName.hasSuffix(".dat") { setName.removeLast(4) }
        if let underscore = setName.lastIndex(of: "_") {
            let suffix = setName[setName.index(after: underscore)...]
            if suffix.count == 4, let n = Int(suffix) {
                m = n
                setName = String(setName[..<underscore])
            }
        }
        return PDFLocation(setName: setName, member: m, memberFile: path, infoFile: infoPath(folder: folder, set: setName))
    }
}

/// The few file-system questions the locator asks, via stat(2).
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}
