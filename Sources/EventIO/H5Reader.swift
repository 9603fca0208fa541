// Serial read-back of 2-D datasets and string attributes (tests, `combine`, checkpoints).
import CMPI
import Numerics

public final class H5Reader {
    private let file: hid_t
    public let path: String

    public init(path: String) throws {
        self.path = path
        cmpi_h5_silence_errors()
        file = H5Fopen(path, cmpi_h5f_acc_rdonly(), hid_t(H5P_DEFAULT))
        guard file >= 0 else { throw H5Error.cannotOpen(path: path) }
    }
    deinit { H5Fclose(file) }

    public func hasDataset(_ name: String) -> Bool { H5Lexists(file, name, hid_t(H5P_DEFAULT)) > 0 }

    /// (rows, columns) of a 2-D dataset; 1-D datasets report columns = 1.
    public func shape(_ name: String) throws -> (rows: Int, cols: Int) {
        guard hasDataset(name) else { throw H5Error.noSuchDataset(name: name) }
        let ds = H5Dopen2(file, name, hid_t(H5P_DEFAULT))
        defer { H5Dclose(ds) }
        let space = H5Dget_space(ds)
        defer { H5Sclose(space) }
        var dims: [hsize_t] = [0, 0]
        let rank = H5Sget_simple_extent_dims(space, &dims, nil)
        return (Int(dims[0]), rank == 2 ? Int(dims[1]) : 1)
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
            if H5Tis_variable_str(type) > 0 {
                let memType = cmpi_h5t_vlen_utf8()
                defer { H5Tclose(memType) }
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
                guard H5Aread(attr, memType, &pointers) >= 0 else { throw H5Error.callFailed("H5Aread(\(attribute))") }
                defer { H5Dvlen_reclaim(memType, space, hid_t(H5P_DEFAULT), &pointers) }
                return pointers.map { p in p.map { String(cString: $0) } ?? "" }
            }
            let width = H5Tget_size(type)
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
        defer { if dataset != nil { H5Dclose(target) } }
        guard target >= 0, H5Aexists(target, attribute) > 0 else {
            throw H5Error.callFailed("no attribute '\(attribute)' on \(dataset.map { "dataset '\($0)'" } ?? "the file")")
        }
        let attr = H5Aopen(target, attribute, hid_t(H5P_DEFAULT))
        defer { H5Aclose(attr) }
        return try body(attr)
    }
}
