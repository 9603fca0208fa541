#include "cmpi.h"

static MPI_Op op_of(cmpi_op op) {
    switch (op) {
    case CMPI_MAX: return MPI_MAX;
    case CMPI_MIN: return MPI_MIN;
    default: return MPI_SUM;
    }
}

int cmpi_init(void) {
    int flag = 0;
    MPI_Initialized(&flag);
    if (flag) return MPI_SUCCESS;
    return MPI_Init(NULL, NULL);
}
int cmpi_is_initialized(void) { int f = 0; MPI_Initialized(&f); return f; }
int cmpi_finalize(void) {
    int init = 0, fin = 0;
    MPI_Initialized(&init); MPI_Finalized(&fin);
    if (!init || fin) return MPI_SUCCESS;
    return MPI_Finalize();
}
int cmpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
int cmpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
int cmpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
double cmpi_wtime(void) { return MPI_Wtime(); }
void cmpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

// MPI counts are int: split very long buffers into chunks.
#define CHUNK ((int64_t)1 << 30)
int cmpi_allreduce_double(double *buf, int64_t count, cmpi_op op) {
    for (int64_t o = 0; o < count; o += CHUNK) {
        int n = (int)((count - o) < CHUNK ? (count - o) : CHUNK);
        int rc = MPI_Allreduce(MPI_IN_PLACE, buf + o, n, MPI_DOUBLE, op_of(op), MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}
int cmpi_allreduce_float(float *buf, int64_t count, cmpi_op op) {
    for (int64_t o = 0; o < count; o += CHUNK) {
        int n = (int)((count - o) < CHUNK ? (count - o) : CHUNK);
        int rc = MPI_Allreduce(MPI_IN_PLACE, buf + o, n, MPI_FLOAT, op_of(op), MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}
int cmpi_allreduce_int64(int64_t *buf, int64_t count, cmpi_op op) {
    for (int64_t o = 0; o < count; o += CHUNK) {
        int n = (int)((count - o) < CHUNK ? (count - o) : CHUNK);
        int rc = MPI_Allreduce(MPI_IN_PLACE, buf + o, n, MPI_INT64_T, op_of(op), MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}
int64_t cmpi_exscan_sum_int64(int64_t value) {
    int64_t out = 0;
    MPI_Exscan(&value, &out, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (cmpi_rank() == 0) out = 0;  // MPI leaves rank 0's result undefined
    return out;
}
int cmpi_bcast_bytes(void *buf, int64_t count, int root) {
    for (int64_t o = 0; o < count; o += CHUNK) {
        int n = (int)((count - o) < CHUNK ? (count - o) : CHUNK);
        int rc = MPI_Bcast((char *)buf + o, n, MPI_BYTE, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}
int cmpi_gather_int64(int64_t value, int64_t *recv, int root) {
    return MPI_Gather(&value, 1, MPI_INT64_T, recv, 1, MPI_INT64_T, root, MPI_COMM_WORLD);
}
int cmpi_gatherv_double(const double *send, int sendcount, double *recv, const int *counts, const int *displs, int root) {
    return MPI_Gatherv(send, sendcount, MPI_DOUBLE, recv, counts, displs, MPI_DOUBLE, root, MPI_COMM_WORLD);
}

hid_t cmpi_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
hid_t cmpi_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
hid_t cmpi_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
hid_t cmpi_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
hid_t cmpi_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
hid_t cmpi_h5t_c_s1(void) { return H5T_C_S1; }
hid_t cmpi_h5p_file_access(void) { return H5P_FILE_ACCESS; }
hid_t cmpi_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
hid_t cmpi_h5p_dataset_xfer(void) { return H5P_DATASET_XFER; }
unsigned cmpi_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
unsigned cmpi_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
unsigned cmpi_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
unsigned cmpi_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
hsize_t cmpi_h5s_unlimited(void) { return H5S_UNLIMITED; }
hid_t cmpi_h5t_vlen_utf8(void) {
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

hid_t cmpi_h5_fapl_mpio(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return fapl;
    if (cmpi_is_initialized()) {
        if (H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL) < 0) { H5Pclose(fapl); return -1; }
    }
    return fapl;
}
hid_t cmpi_h5_dxpl_collective(void) {
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl < 0) return dxpl;
    if (cmpi_is_initialized()) {
        if (H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0) { H5Pclose(dxpl); return -1; }
    }
    return dxpl;
}
int cmpi_h5_last_io_was_collective(hid_t dxpl) {
    H5D_mpio_actual_io_mode_t mode;
    if (H5Pget_mpio_actual_io_mode(dxpl, &mode) < 0) return -1;
    return mode != H5D_MPIO_NO_COLLECTIVE ? 1 : 0;
}
void cmpi_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
