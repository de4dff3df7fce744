// Prelude of every generated program. EMBER_FP64 is defined in the build options when
// the device reports cl_khr_fp64 (float64 tensors are refused on other devices).
#ifdef EMBER_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif
