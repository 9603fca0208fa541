// Why an HDF5 write failed, in words a user can act on: "no space left on device" rather than "H5Dwrite
// failed". Taken right after the failing call from errno (set by the write(2) or MPI-IO layer beneath
// HDF5), the free space of the file's file system, and the innermost message of HDF5's error stack.
import CMPI
#if canImport(Glibc)
import Glibc
#endif

struct H5WriteFailure {
    /// errno right after the failing call (cleared before it, so it belongs to this call).
    let code: Int32
    /// The innermost entry of the HDF5 error stack ("file write failed: … errno = 28 …"), if any.
    let libraryMessage: String?

    /// Capture the state of a failure; call before any other HDF5 call clears the error stack.
    static func capture() -> H5WriteFailure {
        let code = errno
        var innermost: String?
        withUnsafeMutablePointer(to: &innermost) { slot in
            _ = H5Ewalk2(hid_t(0) /* H5E_DEFAULT */, H5E_WALK_DOWNWARD, { _, entry, data in
                if let entry, let desc = entry.pointee.desc {
                    data?.assumingMemoryBound(to: String?.self).pointee = String(cString: desc)
                }
                return 0
            }, slot)
        }
        return H5WriteFailure(code: code, libraryMessage: innermost)
    }

    /// Clear errno before a call whose failure `capture` may describe.
    static func prepare() { errno = 0 }

    /// The reason, for a file at `path`.
    func reason(path: String) -> String {
        switch code {
        case ENOSPC: return "no space left on device"
        case EDQUOT: return "disk quota exceeded"
        default: break
        }
        let library = libraryMessage ?? ""
        if library.contains("errno = \(ENOSPC)") || library.contains("No space left") { return "no space left on device" }
        if library.contains("errno = \(EDQUOT)") || library.contains("quota") { return "disk quota exceeded" }
        // MPI-IO often reports only "write failed": a full file system explains it.
        if let free = Self.freeBytes(near: path), free < 1 << 20 {
            return "no space left on device (\(free / 1024) kB free on its file system)"
        }
        if code != 0 { return String(cString: strerror(code)) }
        return library.isEmpty ? "the HDF5 library reported an error" : library
    }

    /// Bytes an unprivileged writer may still use on the file system holding `path` (nil if unknown).
    static func freeBytes(near path: String) -> UInt64? {
        var fs = statvfs()
        let folder: String
        if let slash = path.lastIndex(of: "/") { folder = slash == path.startIndex ? "/" : String(path[..<slash]) } else { folder = "." }
        guard statvfs(folder, &fs) == 0 else { return nil }
        return UInt64(fs.f_bavail) * UInt64(fs.f_frsize)
    }
}
