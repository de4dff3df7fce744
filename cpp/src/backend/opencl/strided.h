// Generated strided kernels: one work-item per output element (per 8 elements when every
// operand is contiguous), any strides (including 0 for broadcast and negative for
// reversed views), any dtype per operand. Sources are generated per family (e.g. every
// elementwise op of one dtype) and cached as programs.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backend/opencl/runtime.h"

namespace ember::opencl {

// The OpenCL C type elements of `dtype` are stored as ("half" for float16, "uchar" for bool).
const char* storage_type(DType dtype);
// The type arithmetic on `dtype` uses ("float" for float16).
const char* compute_type(DType dtype);
// An OpenCL C expression converting `expr` (of dtype `from`'s compute type) to `to`'s
// compute type with the CPU backend's rules: floats to integers saturate (NaN gives 0),
// integers wrap, anything non-zero is true.
std::string convert_expr(DType from, DType to, const std::string& expr);
// "#define S_<name>, C_<name>, LOAD_<name>(p, i), STORE_<name>(p, i, v)": the storage
// and compute types of an operand and how to read / write element i of pointer p.
std::string dtype_macros(const std::string& name, DType dtype);
// "#define C ..., U ..., IS_FLOAT, IS_SIGNED, IS_BOOL, NBITS" for an op computing in `dtype`.
std::string op_dtype_defines(DType dtype);

// One kernel of a family: the kernels of a family are compiled together in one
// program, so PoCL and other drivers pay one build for all of them.
struct StridedKernel {
  std::string name;         // the kernel function's name, unique in its family
  DType out;                // output dtype
  std::vector<DType> ins;   // input dtypes (inputs a0, a1, ... in the expression)
  std::string expr;         // the output value; may use a0, a1, ... and i (linear index)
  std::string params = "";  // extra kernel parameters, e.g. ", long vi"; set by `args`
};

// The source of a family: `preamble` (helpers the expressions call), then every kernel,
// compiled for strided layouts of up to `ndim` collapsed axes.
std::string family_source(const std::string& preamble, const std::vector<StridedKernel>& kernels, int ndim);

// Runs kernel `name` of the family `family` (whose program source `source(ndim)`
// generates on first use) over every element of `out`; `ins` have out's shape
// (broadcast views allowed). `args` sets the kernel's extra parameters.
void run_strided(const std::string& op, const std::string& family, const std::function<std::string(int)>& source,
                 const std::string& name, const Tensor& out, std::span<const Tensor> ins,
                 const std::function<void(Launch&)>& args = {});

// The copy family of source dtype `src`: casts to every dtype (kernel "copy_<dtype>"),
// and fill / arange / linspace of dtype `src` (see copy.cpp).
std::string copy_family_key(DType src);
std::string copy_family_source(const DeviceContext& ctx, DType src, int ndim);

// `t` itself when C-contiguous, else a C-contiguous copy on its device.
Tensor contiguous_on_device(const Tensor& t);

}  // namespace ember::opencl
