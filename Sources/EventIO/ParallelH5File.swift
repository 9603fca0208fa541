// One HDF5 file written collectively by all ranks: each rank appends its rows to named 2-D datasets,
// at offsets from the exclusive prefix sum of lower ranks' counts. The file is written as `<path>.partial`
// and renamed to `<path>` only when closed successfully, so a failed run never leaves a file that looks complete.
import CMPI
import Cluster
import Numerics
#if canImport(Glibc)
import Glibc
#endif

public enum H5Error: Error, CustomStringConvertible, Equatable {
    case cannotCreate(path: String, reason: String)
    case cannotOpen(path: String)
    case datasetExists(name: String)
    case noSuchDataset(name: String)
    case shapeMismatch(name: String, expected: Int, got: Int)
    case callFailed(String)
    case renameFailed(from: String, to: String)
    /// A write-side call failed (on any rank): `reason` says why, e.g. "no space left on device".
    case writeFailed(path: String, call: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreate(let p, let r): return "cannot create HDF5 file '\(p)': \(r)"
        case .cannotOpen(let p): return "cannot open HDF5 file '\(p)'"
        case .datasetExists(let n): return "dataset '\(n)' already exists in the file"
        case .noSuchDataset(let n): return "no dataset named '\(n)'"
        case .shapeMismatch(let n, let e, let g): return "dataset '\(n)' has \(e) columns, rows given have \(g)"
        case .callFailed(let w): return "HDF5 call failed: \(w)"
        case .renameFailed(let f, let t): return "could not rename '\(f)' to '\(t)'"
        case .writeFailed(let p, let c, let r): return "cannot write '\(p)': \(r) (\(c) failed)"
        }
    }
}

/// Element types a dataset can hold.
public enum H5ElementType: Sendable {
    case float64, float32, int64, int32
    var nativeType: hid_t {
        switch self {
        case .float64: return cmpi_h5t_native_double()
        case .float32: return cmpi_h5t_native_float()
        case .int64: return cmpi_h5t_native_int64()
        case .int32: return cmpi_h5t_native_int32()
        }
    }
}

public final class ParallelH5File {
    public let path: String
    public let partialPath: String
    let comm: Communicator
    var file: hid_t
    var datasets: [String: (id: hid_t, columns: Int, rows: Int, type: H5ElementType)] = [:]
    var closed = false
    /// Whether every write so far went through collective MPI-IO (always false in serial runs).
    public private(set) var allWritesCollective = true
    /// In-memory files (`inMemory: true`): the descriptor of `<path>.partial`, which receives the whole image
    /// at `close()`.
    var imageDescriptor: Int32?

    /// Collectively create the file. Every rank must call this with the same path. `inMemory` (one rank only)
    /// builds the file in memory and writes its image at `close()` with plain write(2): for small files such
    /// as models, whose only disk writes would otherwise happen inside H5Fclose, where libhdf5 1.10 cannot
    /// recover from a full disk (it crashes on the next close).
    public init(creating path: String, comm: Communicator, inMemory: Bool = false) throws {
        precondition(!inMemory || comm.size == 1, "in-memory HDF5 files are serial")
        (self.path, partialPath, self.comm) = (path, path + ".partial", comm)
        if inMemory {
            let fd = open(partialPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else {
                let code = errno
                throw H5Error.cannotCreate(path: path, reason: [ENOSPC, EDQUOT].contains(code)
                    ? H5WriteFailure(code: code, libraryMessage: nil).reason(path: partialPath) : "the folder must exist and be writable")
            }
            imageDescriptor = fd
        }
        let fapl = Self.fileAccess(comm)
        defer { H5Pclose(fapl) }
        if inMemory { H5Pset_fapl_core(fapl, 1 << 20, false) }
        H5WriteFailure.prepare()
        file = H5Fcreate(partialPath, cmpi_h5f_acc_trunc(), hid_t(H5P_DEFAULT), fapl)
        let failure = file < 0 ? H5WriteFailure.capture() : nil
        // Creation is collective: agree on the outcome so that all ranks fail together, with rank 0's reason.
        guard comm.allAgree(file >= 0) else {
            if file >= 0 { H5Fclose(file) }
            if comm.isRoot { unlink(partialPath) }
            let reason = failure.map { [ENOSPC, EDQUOT].contains($0.code) ? $0.reason(path: partialPath) : nil } ?? nil
            throw H5Error.cannotCreate(path: path, reason: comm.broadcast(reason ?? "the folder must exist and be writable", root: 0))
        }
    }

    /// Collectively reopen `<path>.partial` left by a suspended run (`suspend()`), to append to it.
    public init(resuming path: String, comm: Communicator) throws {
        (self.path, partialPath, self.comm) = (path, path + ".partial", comm)
        let fapl = Self.fileAccess(comm)
        defer { H5Pclose(fapl) }
        file = H5Fopen(partialPath, cmpi_h5f_acc_rdwr(), fapl)
        guard comm.allAgree(file >= 0) else {
            if file >= 0 { H5Fclose(file) }
            closed = true
            throw H5Error.cannotOpen(path: partialPath)
        }
    }

    /// File access properties: MPI-IO on several ranks; HDF5 ≥ 1.8 object headers, which allow attributes
    /// over 64 kB (a long run card) in dense storage. The caller closes the list.
    private static func fileAccess(_ comm: Communicator) -> hid_t {
        cmpi_h5_silence_errors()
        let fapl = comm.size > 1 ? cmpi_h5_fapl_mpio() : H5Pcreate(cmpi_h5p_file_access())
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110)
        return fapl
    }

    deinit {
        if !closed { abandon() }
    }

    /// Open an existing extendible 2-D dataset of the file (after `init(resuming:)`) for appending. Collective.
    public func openDataset(_ name: String, type: H5ElementType = .float64) throws {
        let id = H5Lexists(file, name, hid_t(H5P_DEFAULT)) > 0 ? H5Dopen2(file, name, hid_t(H5P_DEFAULT)) : -1
        var dims: [hsize_t] = [0, 0]
        var rank: Int32 = -1
        if id >= 0 {
            let space = H5Dget_space(id)
            rank = H5Sget_simple_extent_dims(space, &dims, nil)
            H5Sclose(space)
        }
        guard comm.allAgree(id >= 0 && rank == 2) else {
            if id >= 0 { H5Dclose(id) }
            throw H5Error.noSuchDataset(name: name)
        }
        datasets[name] = (id, Int(dims[1]), Int(dims[0]), type)
    }

    /// Remove a dataset (e.g. a resume record that has been read). Collective; a missing one is fine.
    public func removeDataset(_ name: String) throws {
        if let ds = datasets.removeValue(forKey: name) { H5Dclose(ds.id) }
        let ok = H5Lexists(file, name, hid_t(H5P_DEFAULT)) <= 0 || H5Ldelete(file, name, hid_t(H5P_DEFAULT)) >= 0
        guard comm.allAgree(ok) else { throw H5Error.callFailed("H5Ldelete(\(name))") }
    }

    /// Collectively read one column of a 2-D dataset for this rank's row blocks (the mirror of `overwriteColumn`).
    public func readColumn(_ name: String, column: Int, rowBlocks: [(start: Int, count: Int)]) throws -> [Double] {
        guard let ds = datasets[name] else { throw H5Error.noSuchDataset(name: name) }
        let blocks = rowBlocks.filter { $0.count > 0 }
        let rows = blocks.reduce(0) { $0 + $1.count }
        let inRange = blocks.allSatisfy { $0.start >= 0 && $0.start + $0.count <= ds.rows }
        guard comm.allAgree(column >= 0 && column < ds.columns && inRange) else {
            throw H5Error.callFailed("readColumn(\(name), column \(column)): blocks outside the dataset")
        }
        let (fileSpace, memSpace) = columnSelection(ds.id, column: column, blocks: blocks, rows: rows)
        defer { H5Sclose(fileSpace); H5Sclose(memSpace) }
        let dxpl = transferList()
        defer { H5Pclose(dxpl) }
        var values = [Double](repeating: 0, count: max(rows, 1))
        let rc = values.withUnsafeMutableBufferPointer { H5Dread(ds.id, cmpi_h5t_native_double(), memSpace, fileSpace, dxpl, $0.baseAddress) }
        guard comm.allAgree(rc >= 0) else { throw H5Error.callFailed("H5Dread(\(name), column \(column))") }
        return Array(values.prefix(rows))
    }

    /// Create an extendible rows × `columns` dataset. Collective.
    public func createDataset(_ name: String, columns: Int, type: H5ElementType = .float64, chunkRows: Int = 4096) throws {
        if datasets[name] != nil || H5Lexists(file, name, hid_t(H5P_DEFAULT)) > 0 { throw H5Error.datasetExists(name: name) }
        var dims: [hsize_t] = [0, hsize_t(columns)]
        var maxDims: [hsize_t] = [cmpi_h5s_unlimited(), hsize_t(columns)]
        let space = H5Screate_simple(2, &dims, &maxDims)
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(cmpi_h5p_dataset_create())
        defer { H5Pclose(dcpl) }
        var chunk: [hsize_t] = [hsize_t(max(chunkRows, 1)), hsize_t(max(columns, 1))]
        H5Pset_chunk(dcpl, 2, &chunk)
        let (id, failure) = attempt { H5Dcreate2(file, name, type.nativeType, space, hid_t(H5P_DEFAULT), dcpl, hid_t(H5P_DEFAULT)) }
        do { try agree(id >= 0, failure, call: "H5Dcreate2(\(name))") } catch {
            if id >= 0 { H5Dclose(id) }
            throw error
        }
        datasets[name] = (id, columns, 0, type)
    }

    /// Collectively append this rank's rows (row-major, `values.count` = rows × columns; may be empty).
    /// Rows land after those of lower ranks. Returns the global row offset where this rank's rows start.
    @discardableResult
    public func append(_ name: String, rows values: [Double]) throws -> Int {
        try appendRaw(name, count: values.count) { buf, memType in
            values.withUnsafeBufferPointer { p in H5Dwrite(buf.id, memType, buf.memSpace, buf.fileSpace, buf.dxpl, p.baseAddress) }
        }
    }

    @discardableResult
    public func append(_ name: String, rows values: [Int64]) throws -> Int {
        try appendRaw(name, count: values.count, memType: cmpi_h5t_native_int64()) { buf, memType in
            values.withUnsafeBufferPointer { p in H5Dwrite(buf.id, memType, buf.memSpace, buf.fileSpace, buf.dxpl, p.baseAddress) }
        }
    }

    struct WriteTarget { let id: hid_t; let memSpace: hid_t; let fileSpace: hid_t; let dxpl: hid_t }

    private func appendRaw(_ name: String, count: Int, memType: hid_t = cmpi_h5t_native_double(),
                           write: (WriteTarget, hid_t) -> herr_t) throws -> Int {
        guard let ds = datasets[name] else { throw H5Error.noSuchDataset(name: name) }
        let localRowsOK = ds.columns > 0 && count % ds.columns == 0
        guard comm.allAgree(localRowsOK) else { throw H5Error.shapeMismatch(name: name, expected: ds.columns, got: count) }
        let localRows = count / ds.columns
        let offset = Int(comm.exclusivePrefixSum(Int64(localRows)))
        let added = Int(comm.allreduce(Int64(localRows), .sum))
        let newTotal = ds.rows + added
        var newDims: [hsize_t] = [hsize_t(newTotal), hsize_t(ds.columns)]
        // Parallel HDF5 allocates the new chunks here: on a full disk this is where the write fails.
        let (extended, extendFailure) = attempt { H5Dset_extent(ds.id, &newDims) }
        try agree(extended >= 0, extendFailure, call: "H5Dset_extent(\(name))")
        let fileSpace = H5Dget_space(ds.id)
        defer { H5Sclose(fileSpace) }
        var memDims: [hsize_t] = [hsize_t(localRows), hsize_t(ds.columns)]
        let memSpace = H5Screate_simple(2, &memDims, nil)
        defer { H5Sclose(memSpace) }
        if localRows > 0 {
            var start: [hsize_t] = [hsize_t(ds.rows + offset), 0]
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &memDims, nil)
        } else {
            // A rank with nothing to write still joins the collective call.
            H5Sselect_none(fileSpace)
            H5Sselect_none(memSpace)
        }
        let dxpl = transferList()
        defer { H5Pclose(dxpl) }
        let (rc, failure) = attempt { write(WriteTarget(id: ds.id, memSpace: memSpace, fileSpace: fileSpace, dxpl: dxpl), memType) }
        try agree(rc >= 0, failure, call: "H5Dwrite(\(name))")
        if comm.size > 1 {
            let collective = cmpi_h5_last_io_was_collective(dxpl) == 1
            if !comm.allAgree(collective) { allWritesCollective = false }
        } else {
            allWritesCollective = false
        }
        datasets[name]!.rows = newTotal
        return ds.rows + offset
    }

    /// Number of rows a dataset holds (same on every rank).
    public func rowCount(_ name: String) -> Int? { datasets[name]?.rows }

    /// Create a small fixed-shape dataset (e.g. 3 or 10 values, or P × 6) and fill it from rank 0's values.
    /// Collective: every rank calls it; only rank 0's `values` are written (others may pass the same or []).
    public func writeSmallDataset(_ name: String, shape: [Int], values: [Double]) throws {
        try writeSmallRaw(name, shape: shape, type: .float64, count: values.count) { ds, mem, fileSpace, dxpl in
            values.withUnsafeBufferPointer { H5Dwrite(ds, cmpi_h5t_native_double(), mem, fileSpace, dxpl, $0.baseAddress) }
        }
    }

    public func writeSmallDataset(_ name: String, shape: [Int], values: [Int32]) throws {
        try writeSmallRaw(name, shape: shape, type: .int32, count: values.count) { ds, mem, fileSpace, dxpl in
            values.withUnsafeBufferPointer { H5Dwrite(ds, cmpi_h5t_native_int32(), mem, fileSpace, dxpl, $0.baseAddress) }
        }
    }

    private func writeSmallRaw(_ name: String, shape: [Int], type: H5ElementType, count: Int,
                               write: (hid_t, hid_t, hid_t, hid_t) -> herr_t) throws {
        if datasets[name] != nil || H5Lexists(file, name, hid_t(H5P_DEFAULT)) > 0 { throw H5Error.datasetExists(name: name) }
        let elements = shape.reduce(1, *)
        guard comm.allAgree(!comm.isRoot || count == elements) else {
            throw H5Error.shapeMismatch(name: name, expected: elements, got: count)
        }
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(shape.count), &dims, nil)
        defer { H5Sclose(space) }
        let (id, createFailure) = attempt { H5Dcreate2(file, name, type.nativeType, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)) }
        do { try agree(id >= 0, createFailure, call: "H5Dcreate2(\(name))") } catch {
            if id >= 0 { H5Dclose(id) }
            throw error
        }
        defer { H5Dclose(id) }
        let fileSpace = H5Scopy(space)
        defer { H5Sclose(fileSpace) }
        let memSpace = H5Scopy(space)
        defer { H5Sclose(memSpace) }
        // Rank 0 writes the whole dataset; the others join the collective call with empty selections.
        if !comm.isRoot {
            H5Sselect_none(fileSpace)
            H5Sselect_none(memSpace)
        }
        let dxpl = transferList()
        defer { H5Pclose(dxpl) }
        let (rc, failure): (herr_t, H5WriteFailure?) = elements == 0 ? (0, nil) : attempt { write(id, memSpace, fileSpace, dxpl) }
        try agree(rc >= 0, failure, call: "H5Dwrite(\(name))")
    }

    /// Collectively replace one column of a 2-D dataset for this rank's row blocks (`values` in block order,
    /// `values.count` = Σ block counts). One H5Dwrite over the union of the blocks; ranks with no blocks join.
    public func overwriteColumn(_ name: String, column: Int, rowBlocks: [(start: Int, count: Int)], values: [Double]) throws {
        guard let ds = datasets[name] else { throw H5Error.noSuchDataset(name: name) }
        let blocks = rowBlocks.filter { $0.count > 0 }
        let rows = blocks.reduce(0) { $0 + $1.count }
        let inRange = blocks.allSatisfy { $0.start >= 0 && $0.start + $0.count <= ds.rows }
        guard comm.allAgree(column >= 0 && column < ds.columns && rows == values.count && inRange) else {
            throw H5Error.callFailed("overwriteColumn(\(name), column \(column)): blocks outside the dataset or values of the wrong length")
        }
        let (fileSpace, memSpace) = columnSelection(ds.id, column: column, blocks: blocks, rows: rows)
        defer { H5Sclose(fileSpace); H5Sclose(memSpace) }
        let dxpl = transferList()
        defer { H5Pclose(dxpl) }
        let (rc, failure) = attempt { values.withUnsafeBufferPointer { H5Dwrite(ds.id, cmpi_h5t_native_double(), memSpace, fileSpace, dxpl, $0.baseAddress) } }
        try agree(rc >= 0, failure, call: "H5Dwrite(\(name), column \(column))")
    }

    /// The file selection of one column over row blocks and a matching 1-D memory space (none selected for
    /// a rank without blocks, which still joins the collective call). The caller closes both.
    private func columnSelection(_ dataset: hid_t, column: Int, blocks: [(start: Int, count: Int)], rows: Int) -> (hid_t, hid_t) {
        let fileSpace = H5Dget_space(dataset)
        var memDims: [hsize_t] = [hsize_t(max(rows, 1))]
        let memSpace = H5Screate_simple(1, &memDims, nil)
        if blocks.isEmpty {
            H5Sselect_none(fileSpace)
            H5Sselect_none(memSpace)
        } else {
            for (i, block) in blocks.enumerated() {
                var start: [hsize_t] = [hsize_t(block.start), hsize_t(column)]
                var count: [hsize_t] = [hsize_t(block.count), 1]
                H5Sselect_hyperslab(fileSpace, i == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, &start, nil, &count, nil)
            }
        }
        return (fileSpace, memSpace)
    }

    private func transferList() -> hid_t {
        comm.size > 1 ? cmpi_h5_dxpl_collective() : H5Pcreate(cmpi_h5p_dataset_xfer())
    }

    /// Attach a string-array attribute to a dataset (or to the file with `dataset: nil`). Collective.
    /// `variableLength` writes variable-length UTF-8 strings, the kind h5py and HighFive (Sherpa) write.
    public func setStringAttribute(_ attribute: String, on dataset: String?, values: [String], variableLength: Bool = false) throws {
        var dims: [hsize_t] = [hsize_t(values.count)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        try writeStrings(attribute, on: dataset, values: values, space: space, variableLength: variableLength)
    }

    /// A scalar variable-length UTF-8 string attribute (e.g. the run card). Collective.
    public func setAttribute(_ attribute: String, on dataset: String? = nil, value: String) throws {
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        try writeStrings(attribute, on: dataset, values: [value], space: space, variableLength: true)
    }

    public func setAttribute(_ attribute: String, on dataset: String? = nil, value: Double) throws {
        try writeScalar(attribute, on: dataset, type: cmpi_h5t_native_double(), value: value)
    }
    public func setAttribute(_ attribute: String, on dataset: String? = nil, value: Int64) throws {
        try writeScalar(attribute, on: dataset, type: cmpi_h5t_native_int64(), value: value)
    }
    public func setAttribute(_ attribute: String, on dataset: String? = nil, value: UInt64) throws {
        try writeScalar(attribute, on: dataset, type: cmpi_h5t_native_uint64(), value: value)
    }

    private func writeScalar<T: BitwiseCopyable>(_ attribute: String, on dataset: String?, type: hid_t, value: T) throws {
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        try writeAttribute(attribute, on: dataset, type: type, space: space) { attr in
            withUnsafeBytes(of: value) { H5Awrite(attr, type, $0.baseAddress) }
        }
    }

    private func writeStrings(_ attribute: String, on dataset: String?, values: [String], space: hid_t, variableLength: Bool) throws {
        if variableLength {
            let strType = cmpi_h5t_vlen_utf8()
            defer { H5Tclose(strType) }
            // HDF5 reads an array of C string pointers; strdup keeps them alive for the call.
            let pointers: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            try writeAttribute(attribute, on: dataset, type: strType, space: space) { attr in H5Awrite(attr, strType, pointers) }
        } else {
            let strType = H5Tcopy(cmpi_h5t_c_s1())
            defer { H5Tclose(strType) }
            let width = max(values.map { $0.utf8.count }.max() ?? 1, 1) + 1
            H5Tset_size(strType, width)
            H5Tset_strpad(strType, H5T_STR_NULLTERM)
            var bytes = [CChar](repeating: 0, count: width * values.count)
            for (i, v) in values.enumerated() {
                for (j, b) in v.utf8.enumerated() { bytes[i * width + j] = CChar(bitPattern: b) }
            }
            try writeAttribute(attribute, on: dataset, type: strType, space: space) { attr in H5Awrite(attr, strType, bytes) }
        }
    }

    private func writeAttribute(_ attribute: String, on dataset: String?, type: hid_t, space: hid_t,
                                write: (hid_t) -> herr_t) throws {
        let target: hid_t
        var opened = false
        if let d = dataset {
            if let ds = datasets[d] {
                target = ds.id
            } else if H5Lexists(file, d, hid_t(H5P_DEFAULT)) > 0 {
                target = H5Dopen2(file, d, hid_t(H5P_DEFAULT))
                opened = true
            } else {
                throw H5Error.noSuchDataset(name: d)
            }
        } else {
            target = file
        }
        defer { if opened { H5Dclose(target) } }
        // Replace an attribute written earlier (a resumed file's `complete`, say).
        if H5Aexists(target, attribute) > 0 { H5Adelete(target, attribute) }
        let (attr, createFailure) = attempt { H5Acreate2(target, attribute, type, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)) }
        do { try agree(attr >= 0, createFailure, call: "H5Acreate2(\(attribute))") } catch {
            if attr >= 0 { H5Aclose(attr) }
            throw error
        }
        defer { H5Aclose(attr) }
        let (rc, failure) = attempt { write(attr) }
        try agree(rc >= 0, failure, call: "H5Awrite(\(attribute))")
    }

    /// Collectively close and publish: `<path>.partial` becomes `<path>`.
    public func close() throws {
        guard !closed else { return }
        if imageDescriptor != nil { return try writeImageAndClose() }
        try flushOrAbandon()
        do { try closeHandles(call: "H5Fclose") } catch {
            releaseFailedClose()
            if comm.isRoot { unlink(partialPath) }
            throw error
        }
        var renamed = true
        if comm.isRoot { renamed = rename(partialPath, path) == 0 }
        guard comm.allAgree(renamed) else { throw H5Error.renameFailed(from: partialPath, to: path) }
    }

    /// Collectively close but keep `<path>.partial` (an interrupted run to be resumed with `init(resuming:)`).
    public func suspend() throws {
        guard !closed else { return }
        try flushOrAbandon()
        do { try closeHandles(call: "H5Fclose") } catch {
            releaseFailedClose()
            throw error
        }
    }

    /// Write out everything HDF5 still caches while the file is intact. A small file (a model) lives in the
    /// cache until here, so a full disk shows up at this flush; closing after a failed H5Fclose instead crashes
    /// libhdf5 1.10 (SIGSEGV in H5F__close). On failure the partial file is removed: without its metadata it
    /// could not be read or resumed.
    private func flushOrAbandon() throws {
        let (rc, failure) = attempt { H5Fflush(file, H5F_SCOPE_GLOBAL) }
        do { try agree(rc >= 0, failure, call: "H5Fflush") } catch {
            abandon()
            throw error
        }
    }

    /// In-memory file: take its image, write it to `<path>.partial` (every failure named, then the partial
    /// file removed), close the memory file, publish.
    private func writeImageAndClose() throws {
        guard let fd = imageDescriptor else { return }
        var failure: H5WriteFailure?
        closeDatasets()
        H5Fflush(file, H5F_SCOPE_GLOBAL)
        let size = H5Fget_file_image(file, nil, 0)
        var image = [UInt8](repeating: 0, count: max(Int(size), 0))
        if size < 0 || H5Fget_file_image(file, &image, image.count) != size {
            failure = H5WriteFailure.capture()
        }
        H5MetadataChecksum.repairSuperblock(&image)
        closed = true
        H5Fclose(file)
        if failure == nil {
            var written = 0
            errno = 0
            while written < image.count {
                let n = image.withUnsafeBytes { write(fd, $0.baseAddress! + written, image.count - written) }
                if n <= 0 { break }
                written += n
            }
            if written < image.count || fsync(fd) != 0 { failure = H5WriteFailure(code: errno, libraryMessage: nil) }
        }
        if Glibc.close(fd) != 0, failure == nil { failure = H5WriteFailure(code: errno, libraryMessage: nil) }
        imageDescriptor = nil
        if let failure {
            unlink(partialPath)
            throw H5Error.writeFailed(path: path, call: "write", reason: failure.reason(path: partialPath))
        }
        guard rename(partialPath, path) == 0 else {
            unlink(partialPath)
            throw H5Error.renameFailed(from: partialPath, to: path)
        }
    }

    /// Close every dataset and the file (collective). Closing flushes what HDF5 still caches: on a full disk
    /// it fails here, and every rank throws with the reason.
    private func closeHandles(call: String) throws {
        closed = true
        var failure: H5WriteFailure?
        for (_, ds) in datasets {
            let (rc, f) = attempt { H5Dclose(ds.id) }
            if rc < 0 { failure = failure ?? f }
        }
        datasets = [:]
        let (rc, f) = attempt { H5Fclose(file) }
        if rc < 0 { failure = failure ?? f }
        try agree(failure == nil, failure, call: call)
    }

    /// Give up: close handles and delete the partial file (collective when called on all ranks).
    public func abandon() {
        guard !closed else { return }
        closed = true
        if let fd = imageDescriptor {
            Glibc.close(fd)
            imageDescriptor = nil
            closeDatasets()
            H5Fclose(file)
            unlink(partialPath)
            return
        }
        // Free the partial file's space before the flushes inside H5Dclose/H5Fclose: on a full disk they would
        // fail, and HDF5 would keep a half-closed file that crashes MPI_Finalize (SIGSEGV in H5F__close_cb).
        freePartialFile()
        closeDatasets()
        if H5Fclose(file) < 0 { releaseFailedClose() }
        if comm.isRoot { unlink(partialPath) }
    }

    /// Close every dataset handle, ignoring failures (the file is being given up, or lives in memory).
    private func closeDatasets() {
        for (_, ds) in datasets { H5Dclose(ds.id) }
        datasets = [:]
    }

    /// Rank 0 empties the partial file (its contents are being discarded); every rank waits for that.
    private func freePartialFile() {
        if comm.isRoot { truncate(partialPath, 0) }
        comm.barrier()
    }

    /// After an H5Fclose that failed (a flush on a full disk): free the space and close again, so that no
    /// half-closed file is left for HDF5's shutdown inside MPI_Finalize. Every rank learns the outcome.
    private func releaseFailedClose() {
        let stillOpen = H5Iis_valid(file) > 0
        guard comm.allreduce(Int64(stillOpen ? 1 : 0), .max) == 1 else { return }
        freePartialFile()
        if stillOpen { H5Fclose(file) }
    }

    /// Run one HDF5 call that writes, with errno cleared before it and the failure captured right after it
    /// (before any other HDF5 call resets the error stack).
    private func attempt<R: BinaryInteger>(_ call: () -> R) -> (R, H5WriteFailure?) {
        H5WriteFailure.prepare()
        let rc = call()
        return (rc, rc < 0 ? H5WriteFailure.capture() : nil)
    }

    /// The collective outcome of a write-side call: if it failed on any rank, every rank throws `writeFailed`
    /// with the reason the lowest failing rank saw (on a full disk it may be only the rank that wrote).
    private func agree(_ ok: Bool, _ failure: H5WriteFailure?, call: String) throws {
        let firstFailing = Int(comm.allreduce(Int64(ok ? comm.size : comm.rank), .min))
        guard firstFailing < comm.size else { return }
        let local = ok ? "" : (failure ?? H5WriteFailure.capture()).reason(path: partialPath)
        let reason = comm.broadcast(local, root: firstFailing)
        throw H5Error.writeFailed(path: path, call: call, reason: reason)
    }
}
