// OpenCL kernels for elementwise unary, binary and ternary (where) ops. Every op of one
// compute dtype is a kernel of one program (the "ew|<dtype>" family), its expression
// mirroring the CPU functor of the same op in backend/cpu/elementwise.cpp; the helpers
// they call are in kernels/elementwise.cl.
#include <string>
#include <utility>

#include "backend/opencl/kernels.h"
#include "backend/opencl/sources.h"
#include "backend/opencl/strided.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

// An op's expressions on a0 (and a1) in the compute type C, by the kind of C; integer
// arithmetic wraps through ulong. "" where the front-end never sends that kind.
struct EwOp {
  const char* name;
  int arity;
  bool predicate;        // bool result
  const char* floating;
  const char* integer;
  const char* boolean;   // nullptr: as integer
};

constexpr EwOp kOps[] = {
    {"add", 2, false, "a0 + a1", "(C)((ulong)a0 + (ulong)a1)", "a0 | a1"},
    {"subtract", 2, false, "a0 - a1", "(C)((ulong)a0 - (ulong)a1)", nullptr},
    {"multiply", 2, false, "a0 * a1", "(C)((ulong)a0 * (ulong)a1)", "a0 & a1"},
    {"divide", 2, false, "a0 / a1", "a0 / a1", nullptr},
    {"floor_divide", 2, false, "ember_floor_divide(a0, a1)", "ember_floor_divide(a0, a1)", nullptr},
    {"mod", 2, false, "ember_mod(a0, a1)", "ember_mod(a0, a1)", nullptr},
    {"maximum", 2, false, "ember_max(a0, a1)", "ember_max(a0, a1)", nullptr},
    {"minimum", 2, false, "ember_min(a0, a1)", "ember_min(a0, a1)", nullptr},
    {"equal", 2, true, "a0 == a1", "a0 == a1", nullptr},
    {"not_equal", 2, true, "a0 != a1", "a0 != a1", nullptr},
    {"less", 2, true, "a0 < a1", "a0 < a1", nullptr},
    {"less_equal", 2, true, "a0 <= a1", "a0 <= a1", nullptr},
    {"greater", 2, true, "a0 > a1", "a0 > a1", nullptr},
    {"greater_equal", 2, true, "a0 >= a1", "a0 >= a1", nullptr},
    {"logical_and", 2, true, "(a0 != 0) && (a1 != 0)", "(a0 != 0) && (a1 != 0)", nullptr},
    {"logical_or", 2, true, "(a0 != 0) || (a1 != 0)", "(a0 != 0) || (a1 != 0)", nullptr},
    {"logical_xor", 2, true, "(a0 != 0) != (a1 != 0)", "(a0 != 0) != (a1 != 0)", nullptr},
    {"bitwise_and", 2, false, "", "a0 & a1", nullptr},
    {"bitwise_or", 2, false, "", "a0 | a1", nullptr},
    {"bitwise_xor", 2, false, "", "a0 ^ a1", nullptr},
    {"left_shift", 2, false, "", "ember_lshift(a0, a1)", nullptr},
    {"right_shift", 2, false, "", "ember_rshift(a0, a1)", nullptr},
    {"exp", 1, false, "exp(a0)", "", nullptr},
    {"log", 1, false, "log(a0)", "", nullptr},
    {"log10", 1, false, "log10(a0)", "", nullptr},
    {"log2", 1, false, "log2(a0)", "", nullptr},
    {"sqrt", 1, false, "sqrt(a0)", "", nullptr},
    {"sin", 1, false, "sin(a0)", "", nullptr},
    {"cos", 1, false, "cos(a0)", "", nullptr},
    {"tan", 1, false, "tan(a0)", "", nullptr},
    {"sinh", 1, false, "sinh(a0)", "", nullptr},
    {"cosh", 1, false, "cosh(a0)", "", nullptr},
    {"erf", 1, false, "erf(a0)", "", nullptr},
    {"tanh", 1, false, "tanh(a0)", "", nullptr},
    {"sigmoid", 1, false, "ember_sigmoid(a0)", "", nullptr},
    {"abs", 1, false, "fabs(a0)", "(IS_SIGNED && a0 < 0) ? (C)(0 - (ulong)a0) : a0", "a0"},
    {"negative", 1, false, "-a0", "(C)(0 - (ulong)a0)", nullptr},
    {"sign", 1, false, "ember_sign(a0)", "ember_sign(a0)", nullptr},
    {"square", 1, false, "a0 * a0", "(C)((ulong)a0 * (ulong)a0)", nullptr},
    {"floor", 1, false, "floor(a0)", "a0", nullptr},
    {"ceil", 1, false, "ceil(a0)", "a0", nullptr},
    {"isnan", 1, true, "isnan(a0)", "0", nullptr},
    {"isinf", 1, true, "isinf(a0)", "0", nullptr},
    {"isfinite", 1, true, "isfinite(a0)", "1", nullptr},
    {"logical_not", 1, true, "a0 == 0", "a0 == 0", nullptr},
    {"bitwise_not", 1, false, "", "~a0", "a0 == 0"},
    {"count_ones", 1, false, "", "popcount(a0)", "a0"},
    {"power", 2, false, "pow(a0, a1)", "ember_ipow(a0, a1, err, code)", nullptr},
    {"arctan2", 2, false, "atan2(a0, a1)", "", nullptr},
};

std::string pick(const EwOp& e, DType dtype) {
  if (is_floating(dtype)) return e.floating;
  if (dtype == DType::Bool && e.boolean) return e.boolean;
  return e.integer;
}

// Every op computing in `dtype`, and where(cond, x, y) of that dtype. Integer power
// flags a negative exponent through the device error flag with the code passed to
// every kernel of the family.
std::string family(DType dtype, int ndim) {
  std::vector<StridedKernel> ks;
  if (is_complex(dtype)) {  // complex arithmetic runs on the host path; where only selects
    ks.push_back({"where", dtype, {DType::Bool, dtype, dtype}, "(a0 ? a1 : a2)", ", int code"});
    return family_source(op_dtype_defines(dtype), ks, ndim);
  }
  for (const EwOp& e : kOps) {
    const std::string expr = pick(e, dtype);
    if (expr.empty()) continue;
    std::vector<DType> ins(static_cast<std::size_t>(e.arity), dtype);
    ks.push_back({e.name, e.predicate ? DType::Bool : dtype, ins, expr, ", int code"});
  }
  ks.push_back({"where", dtype, {DType::Bool, dtype, dtype}, "(a0 ? a1 : a2)", ", int code"});
  return family_source(op_dtype_defines(dtype) + kernel_source("elementwise"), ks, ndim);
}

void run_family(const char* name, DType dtype, const Tensor& out, std::span<const Tensor> in) {
  static const int code =
      flag_error_code(ErrorKind::Value, "power", "integers to negative integer powers are not allowed");
  run_strided(name, std::string("ew|") + dtype_name(dtype), [dtype](int nd) { return family(dtype, nd); }, name, out,
              in, [](Launch& l) { l.scalar<cl_int>(code); });
}

template <std::size_t I>
void elementwise_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  run_family(kOps[I].name, in[0].dtype(), out[0], in);
}

// inputs: condition (bool), x, y (same dtype); all broadcast to the output shape.
void where_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  run_family("where", in[1].dtype(), out[0], in);
}

template <std::size_t... I>
void register_all(std::index_sequence<I...>) {
  (op_entry(kOps[I].name).set_kernel(DeviceType::OpenCL, elementwise_kernel<I>), ...);
}

}  // namespace

void register_elementwise_kernels() {
  register_all(std::make_index_sequence<std::size(kOps)>());
  op_entry("where").set_kernel(DeviceType::OpenCL, where_kernel);
}

}  // namespace ember::opencl
