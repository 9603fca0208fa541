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

    /// A fixed-length string-array attribute of a dataset (or of the file with `dataset: nil`).
    public func stringAttribute(_ attribute: String, on dataset: String?) throws -> [String] {
        let target = dataset.map { H5Dopen2(file, $0, hid_t(H5P_DEFAULT)) } ?? file
        defer { if dataset != nil { H5Dclose(target) } }
        guard target >= 0, H5Aexists(target, attribute) > 0 else { throw H5Error.callFailed("no attribute \(attribute)") }
        let attr = H5Aopen(target, attribute, hid_t(H5P_DEFAULT))
        defer { H5Aclose(attr) }
        let type = H5Aget_type(attr)
        defer { H5Tclose(type) }
        let width = H5Tget_size(type)
        let space = H5Aget_space(attr)
        defer { H5Sclose(space) }
        let n = Int(H5Sget_simple_extent_npoints(space))
        var bytes = [UInt8](repeating: 0, count: width * n)
        let rc = H5Aread(attr, type, &bytes)
        guard rc >= 0 else { throw H5Error.callFailed("H5Aread(\(attribute))") }
        return (0..<n).map { i in
            let slice = bytes[(i * width)..<((i + 1) * width)]
            return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
