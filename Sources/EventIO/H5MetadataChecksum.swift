// HDF5's metadata checksum (Bob Jenkins' lookup3 "hashlittle", byte-wise, initial value 0), and the repair
// of an in-memory file image's superblock: libhdf5 1.10.8's H5Fget_file_image returns a version 2/3
// superblock whose checksum does not match its bytes (h5py: "incorrect metadata checksum"), while the same
// file written to disk is fine; the bytes differ only in that checksum.

enum H5MetadataChecksum {
    static func lookup3(_ bytes: ArraySlice<UInt8>, initialValue: UInt32 = 0) -> UInt32 {
        @inline(__always) func rot(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }
        var a = 0xdeadbeef &+ UInt32(truncatingIfNeeded: bytes.count) &+ initialValue
        var b = a, c = a
        var i = bytes.startIndex, left = bytes.count
        func word(_ at: Int, _ count: Int) -> UInt32 {
            var w: UInt32 = 0
            for j in 0..<count { w |= UInt32(bytes[at + j]) << (8 * UInt32(j)) }
            return w
        }
        while left > 12 {
            a &+= word(i, 4); b &+= word(i + 4, 4); c &+= word(i + 8, 4)
            a &-= c; a ^= rot(c, 4); c &+= b
            b &-= a; b ^= rot(a, 6); a &+= c
            c &-= b; c ^= rot(b, 8); b &+= a
            a &-= c; a ^= rot(c, 16); c &+= b
            b &-= a; b ^= rot(a, 19); a &+= c
            c &-= b; c ^= rot(b, 4); b &+= a
            i += 12; left -= 12
        }
        guard left > 0 else { return c }
        a &+= word(i, min(left, 4))
        if left > 4 { b &+= word(i + 4, min(left - 4, 4)) }
        if left > 8 { c &+= word(i + 8, left - 8) }
        c ^= b; c &-= rot(b, 14)
        a ^= c; a &-= rot(c, 11)
        b ^= a; b &-= rot(a, 25)
        c ^= b; c &-= rot(b, 16)
        a ^= c; a &-= rot(c, 4)
        b ^= a; b &-= rot(a, 14)
        c ^= b; c &-= rot(b, 24)
        return c
    }

    /// Rewrite the checksum of a version 2 or 3 superblock at the start of `image` (format spec, "Superblock
    /// Version 2": signature, version, size of offsets O, size of lengths, flags, four addresses, checksum).
    static func repairSuperblock(_ image: inout [UInt8]) {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
        guard image.count >= 12, Array(image[0..<8]) == signature, image[8] == 2 || image[8] == 3 else { return }
        let end = 12 + 4 * Int(image[9])
        guard image.count >= end + 4 else { return }
        let sum = lookup3(image[0..<end])
        for j in 0..<4 { image[end + j] = UInt8(truncatingIfNeeded: sum >> (8 * UInt32(j))) }
    }
}
