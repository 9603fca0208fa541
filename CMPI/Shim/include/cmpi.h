// Thin C shim: the MPI and HDF5 names Swift cannot import (macros expanding to globals or calls).
#ifndef NISGEN_CMPI_H
#define NISGEN_CMPI_H

#include <stdint.h>
#include <mpi.h>
#include <hdf5.h>

// ---- MPI ----
typedef enum { CMPI_SUM = 0, CMPI_MAX = 1, CMPI_MIN = 2 } cmpi_op;

int cmpi_init(void);               // idempotent; returns MPI error code
int cmpi_is_initialized(void);
int cmpi_finalize(void);
int cmpi_rank(void);
int cmpi_size(void);
int cmpi_barrier(void);
double cmpi_wtime(void);
void cmpi_abort(int code);

int cmpi_allreduce_double(double *buf, int64_t count, cmpi_op op);
int cmpi_allreduce_float(float *buf, int64_t count, cmpi_op op);
int cmpi_allreduce_int64(int64_t *buf, int64_t count, cmpi_op op);
int64_t cmpi_exscan_sum_int64(int64_t value);   // rank 0 gets 0
int cmpi_bcast_bytes(void *buf, int64_t count, int root);
int cmpi_gather_int64(int64_t value, int64_t *recv, int root);
int cmpi_gatherv_double(const double *send, int sendcount, double *recv, const int *counts, const int *displs, int root);

// ---- HDF5 ----
hid_t cmpi_h5t_native_double(void);
hid_t cmpi_h5t_native_float(void);
hid_t cmpi_h5t_native_int64(void);
hid_t cmpi_h5t_native_int32(void);
hid_t cmpi_h5t_native_uint64(void);
hid_t cmpi_h5t_c_s1(void);
hid_t cmpi_h5p_file_access(void);
hid_t cmpi_h5p_dataset_create(void);
hid_t cmpi_h5p_dataset_xfer(void);
unsigned cmpi_h5f_acc_trunc(void);
unsigned cmpi_h5f_acc_excl(void);
unsigned cmpi_h5f_acc_rdonly(void);
unsigned cmpi_h5f_acc_rdwr(void);
hsize_t cmpi_h5s_unlimited(void);
// Variable-length UTF-8 string type (caller closes it): the string form h5py and HighFive write by default.
hid_t cmpi_h5t_vlen_utf8(void);
// File-access list with the MPI-IO driver on MPI_COMM_WORLD (or default driver when MPI is not running).
hid_t cmpi_h5_fapl_mpio(void);
// Transfer list requesting collective MPI-IO.
hid_t cmpi_h5_dxpl_collective(void);
// 1 when the last transfer with this list was collective, 0 otherwise, -1 on error.
int cmpi_h5_last_io_was_collective(hid_t dxpl);
void cmpi_h5_silence_errors(void);

#endif
