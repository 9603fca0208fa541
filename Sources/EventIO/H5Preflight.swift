// Checks of an HDF5 file's bytes that HDF5 1.10 itself does not make before it trusts them. Found by fuzzing
// (Tests/FuzzTests): a global heap collection ("GCOL", where variable-length strings such as the run card and
// process names live) whose objects do not tile it makes HDF5 loop forever when such a string is read — a
// free-space object of size 0 never advances its parser — or read past the collection. Every collection is
// walked here the way HDF5 walks it (object header: index u16, references u16, reserved u32, size u64; an
// object of index > 0 takes 16 + size rounded up to 8 bytes, the free-space object 0 its size) before the file
// is opened; a collection that does not tile, or whose objects are not numbered 1…K (a string whose object
// is missing makes HDF5 follow a null pointer: a segfault), is an error naming the file and offset.
#if canImport(Glibc)
import Glibc
#endif

enum H5Preflight {
    /// Signature and version 1 (random data matches it with odds 2⁻⁴⁰ per byte). Not the three reserved bytes
    /// after it: HDF5 does not check them, so a collection whose reserved bytes were damaged is still read.
    private static let collectionHeader: [UInt8] = Array("GCOL".utf8) + [1]

    static func check(path: String, bytes fileBytes: Int) throws {
        guard let f = fopen(path, "rb") else { throw H5Error.cannotOpen(path: path) }
        defer { fclose(f) }
        // nisgen writes superblock version ≥ 2 (format 1.8 and later), whose object headers carry checksums that
        // HDF5 verifies. Version 0/1 metadata has none: a damaged attribute there can point a string at a heap
        // object that does not exist, and HDF5 then dereferences garbage (a segfault, found by fuzzing).
        var head = [UInt8](repeating: 0, count: 9)
        if fread(&head, 1, 9, f) == 9, head.prefix(8) == [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A], head[8] < 2 {
            throw H5Error.callFailed("\(path): HDF5 superblock version \(head[8]) (metadata without checksums) was not written by nisgen; not read")
        }
        let block = 1 << 20
        var buffer = [UInt8](repeating: 0, count: block + 16)
        var offset = 0
        // Blocks overlap by the header's length less one, so no signature is cut in two.
        while offset < fileBytes {
            fseeko(f, off_t(offset), SEEK_SET)
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, block + 7, f) }
            guard n >= collectionHeader.count else { break }
            var start = 0
            while let hit = find(collectionHeader, in: buffer, from: start, count: n) {
                try walkCollection(at: offset + hit, file: f, fileBytes: fileBytes, path: path)
                start = hit + 1
            }
            offset += block
        }
    }

    /// First position ≥ `start` of `needle` in `haystack[0..<count]` (memchr for its first byte, then compare).
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int, count: Int) -> Int? {
        haystack.withUnsafeBytes { h -> Int? in
            let base = h.baseAddress!
            var at = start
            while at + needle.count <= count {
                guard let hit = memchr(base + at, Int32(needle[0]), count - at) else { return nil }
                let i = UnsafeRawPointer(hit) - base
                guard i + needle.count <= count else { return nil }
                if memcmp(hit, needle, needle.count) == 0 { return i }
                at = i + 1
            }
            return nil
        }
    }

    private static func walkCollection(at position: Int, file f: UnsafeMutablePointer<FILE>, fileBytes: Int, path: String) throws {
        func corrupt(_ what: String) -> H5Error { .callFailed("\(path): global heap at byte \(position) is damaged (\(what)); HDF5 would hang or read past it") }
        var header = [UInt8](repeating: 0, count: 16)
        fseeko(f, off_t(position), SEEK_SET)
        guard fread(&header, 1, 16, f) == 16 else { throw corrupt("truncated header") }
        guard header[5...7] == [0, 0, 0] else { throw corrupt("reserved bytes \(header[5...7].map(String.init).joined(separator: ","))") }
        let size = header[8...].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard size >= 4096, size <= UInt64(fileBytes - position) else { throw corrupt("collection size \(size)") }
        var heap = [UInt8](repeating: 0, count: Int(size))
        fseeko(f, off_t(position), SEEK_SET)
        guard fread(&heap, 1, heap.count, f) == heap.count else { throw corrupt("truncated collection") }
        func u64(_ at: Int) -> UInt64 { (0..<8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(heap[at + $1]) } }
        var p = 16
        var indices = [Int]()
        while p < heap.count {
            guard p + 16 <= heap.count else { break }  // too small for a header: HDF5 takes it as free space
            let index = Int(heap[p]) | Int(heap[p + 1]) << 8
            let objectSize = u64(p + 8)
            guard objectSize <= UInt64(heap.count) else { throw corrupt("object \(index) of \(objectSize) bytes") }
            let need = index > 0 ? 16 + (Int(objectSize) + 7) / 8 * 8 : Int(objectSize)
            guard need > 0, p + need <= heap.count else { throw corrupt("object \(index) of \(objectSize) bytes at \(p) does not fit") }
            if index > 0 {
                // Each object is one string: no NUL inside, zero padding after. A size that was damaged within
                // its 8-byte rounding still tiles, but HDF5 would copy more bytes than the string's reference
                // allocated (a heap overflow); it shows up here as padding taken into the string.
                let body = heap[(p + 16)..<(p + 16 + Int(objectSize))], padding = heap[(p + 16 + Int(objectSize))..<(p + need)]
                guard !body.contains(0), !padding.contains(where: { $0 != 0 }) else { throw corrupt("object \(index) is not one string") }
                indices.append(index)
            }
            p += need
        }
        // nisgen writes its strings once: the objects are numbered 1…K without gaps. A gap or a repeat means
        // damage, and a string whose object is missing sends HDF5's reader through a null pointer.
        guard indices.sorted() == Array(1...max(indices.count, 1)).prefix(indices.count).map({ $0 }) else {
            throw corrupt("objects numbered \(indices.prefix(12).map(String.init).joined(separator: ","))\(indices.count > 12 ? ",…" : "") instead of 1…\(indices.count)")
        }
    }
}
