// Serial read-back of 2-D datasets and string attributes (tests, `combine`, checkpoints).
import CMPI
import Numerics
#if canImport(Glibc)
import Glibc
#endif

public final class H5Reader {
    private let file: hid_t
    public let path: String

    /// Bytes of the file when opened: no dataset or attribute of the (uncompressed) files nisgen writes holds
    /// more, so a larger shape is damage, refused before anything is allocated for it.
    private let fileBytes: Int

    public init(path: String) throws {
        self.path = path
        cmpi_h5_silence_errors()
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw H5Error.cannotOpen(path: path) }
        fileBytes = Int(st.st_size)
        try H5Preflight.check(path: path, bytes: fileBytes)
        // Closing the file closes everything opened in it, so no state of this file outlives the reader (a
        // file rewritten at the same path, as in fuzzing or a rerun, is then read afresh).
        let fapl = H5Pcreate(cmpi_h5p_file_access())
        defer { H5Pclose(fapl) }
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG)
        file = H5Fopen(path, cmpi_h5f_acc_rdonly(), fapl)
        guard file >= 0 else { throw H5Error.cannotOpen(path: path) }
    }

    deinit { H5Fclose(file) }

    /// Whether `count` values of `width` bytes can be stored in this file (damaged shapes are not).
    private func fits(_ count: Int, width: Int) -> Bool {
        guard count >= 0, width >= 0 else { return false }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: width)
        return !overflow && bytes <= fileBytes
    }

    public func hasDataset(_ name: String) -> Bool { H5Lexists(file, name, hid_t(H5P_DEFAULT)) > 0 }

    /// (rows, columns) of a 2-D dataset; 1-D datasets report columns = 1.
    public func shape(_ name: String) throws -> (rows: Int, cols: Int) {
        guard hasDataset(name) else { throw H5Error.noSuchDataset(name: name) }
        let ds = H5Dopen2(file, name, hid_t(H5P_DEFAULT))
        guard ds >= 0 else { throw H5Error.callFailed("H5Dopen2(\(name))") }
        defer { H5Dclose(ds) }
        let space = H5Dget_space(ds)
        guard space >= 0 else { throw H5Error.callFailed("H5Dget_space(\(name))") }
        defer { H5Sclose(space) }
        // Ask the rank first: a damaged file may claim more dimensions than the two the buffer holds.
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank == 1 || rank == 2 else { throw H5Error.callFailed("\(path): dataset '\(name)' has \(rank) dimensions, expected 1 or 2") }
        var dims: [hsize_t] = [0, 0]
        guard H5Sget_simple_extent_dims(space, &dims, nil) == rank else { throw H5Error.callFailed("H5Sget_simple_extent_dims(\(name))") }
        let rows = dims[0], cols = rank == 2 ? dims[1] : 1
        guard rows <= hsize_t(fileBytes), cols <= hsize_t(fileBytes),
              case let (count, overflow) = Int(rows).multipliedReportingOverflow(by: Int(cols)), !overflow, fits(count, width: 8) else {
            throw H5Error.callFailed("\(path): dataset '\(name)' claims \(rows) × \(cols) values, more than the file of \(fileBytes) bytes holds")
        }
        return (Int(rows), Int(cols))
    }

    public func readDoubles(_ name: String) throws -> MatrixD {
        let (r, c) = try shape(name)
        var m = MatrixD(rows: r, cols: c)
        let ds = H5Dopen2(file, name, hid_t(H5P_DEFAULT))
        defer { H5Dclose(ds) }
        if r * c > 0 {
            let rc = m.storage.withUnsafeMutableBufferPointer {
                H5Dread(ds, cmpi_h5t_native_double(), hid_t(H5S_ALL), hid_t(H5S_ALL), hid_t(H5P_DEFAULT), $0.baseAddress)
            }
            guard rc >= 0 else { throw H5Error.callFailed("H5Dread(\(name))") }
        }
        return m
    }

    public func readInt64(_ name: String) throws -> [Int64] {
        let (r, c) = try shape(name)
        var v = [Int64](repeating: 0, count: r * c)
        let ds = H5Dopen2(file, name, hid_t(H5P_DEFAULT))
        defer { H5Dclose(ds) }
        if r * c > 0 {
            let rc = v.withUnsafeMutableBufferPointer {
                H5Dread(ds, cmpi_h5t_native_int64(), hid_t(H5S_ALL), hid_t(H5S_ALL), hid_t(H5P_DEFAULT), $0.baseAddress)
            }
            guard rc >= 0 else { throw H5Error.callFailed("H5Dread(\(name))") }
        }
        return v
    }

    /// Rows `rows` (all columns) of a 2-D float dataset: one hyperslab read, for streaming large files.
    public func readDoubles(_ name: String, rows: Range<Int>) throws -> MatrixD {
        let (r, c) = try shape(name)
        guard rows.lowerBound >= 0, rows.upperBound <= r else {
            throw H5Error.callFailed("rows \(rows) outside dataset '\(name)' of \(r) rows")
        }
        var m = MatrixD(rows: rows.count, cols: c)
        guard rows.count * c > 0 else { return m }
        let ds = H5Dopen2(file, name, hid_t(H5P_DEFAULT))
        defer { H5Dclose(ds) }
        let fileSpace = H5Dget_space(ds)
        defer { H5Sclose(fileSpace) }
        var start: [hsize_t] = [hsize_t(rows.lowerBound), 0]
        var count: [hsize_t] = [hsize_t(rows.count), hsize_t(c)]
        H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &count, nil)
        let memSpace = H5Screate_simple(2, &count, nil)
        defer { H5Sclose(memSpace) }
        let rc = m.storage.withUnsafeMutableBufferPointer {
            H5Dread(ds, cmpi_h5t_native_double(), memSpace, fileSpace, hid_t(H5P_DEFAULT), $0.baseAddress)
        }
        guard rc >= 0 else { throw H5Error.callFailed("H5Dread(\(name), rows \(rows))") }
        return m
    }

    public func hasAttribute(_ attribute: String, on dataset: String? = nil) -> Bool {
        (try? withAttribute(attribute, on: dataset) { _ in true }) ?? false
    }

    public func doubleAttribute(_ attribute: String, on dataset: String? = nil) throws -> Double {
        try scalar(attribute, on: dataset, type: cmpi_h5t_native_double(), zero: 0.0)
    }
    public func int64Attribute(_ attribute: String, on dataset: String? = nil) throws -> Int64 {
        try scalar(attribute, on: dataset, type: cmpi_h5t_native_int64(), zero: Int64(0))
    }
    public func uint64Attribute(_ attribute: String, on dataset: String? = nil) throws -> UInt64 {
        try scalar(attribute, on: dataset, type: cmpi_h5t_native_uint64(), zero: UInt64(0))
    }

    private func scalar<T: BitwiseCopyable>(_ attribute: String, on dataset: String?, type: hid_t, zero: T) throws -> T {
        try withAttribute(attribute, on: dataset) { attr in
            // Read into one value only if the attribute holds exactly one (a damaged one could hold more).
            let space = H5Aget_space(attr)
            defer { H5Sclose(space) }
            guard H5Sget_simple_extent_npoints(space) == 1 else { throw H5Error.callFailed("\(path): attribute '\(attribute)' is not a single value") }
            var v = zero
            let rc = withUnsafeMutableBytes(of: &v) { H5Aread(attr, type, $0.baseAddress) }
            guard rc >= 0 else { throw H5Error.callFailed("H5Aread(\(attribute))") }
            return v
        }
    }

    /// A scalar string attribute (fixed or variable length).
    public func scalarString(_ attribute: String, on dataset: String? = nil) throws -> String {
        try stringAttribute(attribute, on: dataset).first ?? ""
    }

    /// A string or string-array attribute of a dataset (or of the file with `dataset: nil`); fixed-length
    /// and variable-length strings both read.
    public func stringAttribute(_ attribute: String, on dataset: String?) throws -> [String] {
        try withAttribute(attribute, on: dataset) { attr in
            let type = H5Aget_type(attr)
            defer { H5Tclose(type) }
            let space = H5Aget_space(attr)
            defer { H5Sclose(space) }
            let n = Int(H5Sget_simple_extent_npoints(space))
            guard fits(n, width: 1) else { throw H5Error.callFailed("\(path): attribute '\(attribute)' claims \(n) strings") }
            if H5Tis_variable_str(type) > 0 {
                let memType = cmpi_h5t_vlen_utf8()
                defer { H5Tclose(memType) }
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
                guard H5Aread(attr, memType, &pointers) >= 0 else { throw H5Error.callFailed("H5Aread(\(attribute))") }
                defer { H5Dvlen_reclaim(memType, space, hid_t(H5P_DEFAULT), &pointers) }
                return pointers.map { p in p.map { String(cString: $0) } ?? "" }
            }
            let width = H5Tget_size(type)
            guard width > 0, fits(n, width: width) else { throw H5Error.callFailed("\(path): attribute '\(attribute)' claims \(n) strings of \(width) bytes") }
            var bytes = [UInt8](repeating: 0, count: width * n)
            guard H5Aread(attr, type, &bytes) >= 0 else { throw H5Error.callFailed("H5Aread(\(attribute))") }
            return (0..<n).map { i in
                let slice = bytes[(i * width)..<((i + 1) * width)]
                return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
    }

    private func withAttribute<R>(_ attribute: String, on dataset: String?, _ body: (hid_t) throws -> R) throws -> R {
        if let d = dataset, !hasDataset(d) { throw H5Error.noSuchDataset(name: d) }
        let target = dataset.map { H5Dopen2(file, $0, hid_t(H5P_DEFAULT)) } ?? file
        defer { if dataset != nil && target >= 0 { H5Dclose(target) } }
        guard target >= 0, H5Aexists(target, attribute) > 0 else {
            throw H5Error.callFailed("no attribute '\(attribute)' on \(dataset.map { "dataset '\($0)'" } ?? "the file")")
        }
        let attr = H5Aopen(target, attribute, hid_t(H5P_DEFAULT))
        guard attr >= 0 else { throw H5Error.callFailed("H5Aopen(\(attribute))") }
        defer { H5Aclose(attr) }
        return try body(attr)
    }
}
