#include "backend/opencl/strided.h"

#include <algorithm>
#include <vector>

#include "backend/opencl/sources.h"

namespace ember::opencl {

const char* storage_type(DType dtype) {
  switch (dtype) {
    case DType::Bool: return "uchar";
    case DType::Int8: return "char";
    case DType::Int16: return "short";
    case DType::Int32: return "int";
    case DType::Int64: return "long";
    case DType::UInt8: return "uchar";
    case DType::UInt16: return "ushort";
    case DType::UInt32: return "uint";
    case DType::UInt64: return "ulong";
    case DType::Float16: return "half";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    // Complex arithmetic runs on the host path; device kernels only move complex values.
    case DType::Complex64: return "float2";
    case DType::Complex128: return "double2";
  }
  return "uchar";
}

const char* compute_type(DType dtype) { return dtype == DType::Float16 ? "float" : storage_type(dtype); }

namespace {
const char* unsigned_type(DType dtype) {
  switch (itemsize(dtype)) {
    case 1: return "uchar";
    case 2: return "ushort";
    case 4: return "uint";
    case 8: return "ulong";
    default: return "ulong2";  // complex128
  }
}
}  // namespace

std::string convert_expr(DType from, DType to, const std::string& expr) {
  if (from == to || (is_floating(from) && is_floating(to) && std::string(compute_type(from)) == compute_type(to))) {
    return expr;
  }
  if (to == DType::Bool) return "((" + expr + ") != 0)";
  if (is_floating(from) && !is_floating(to)) return std::string("convert_") + storage_type(to) + "_sat(" + expr + ")";
  // float64 -> float16 keeps the double so that vstore_half_rte rounds once, as the CPU does.
  if (to == DType::Float16 && from == DType::Float64) return expr;
  if (is_floating(to)) return std::string("convert_") + compute_type(to) + "(" + expr + ")";
  return std::string("(") + storage_type(to) + ")(" + expr + ")";
}

std::string op_dtype_defines(DType dtype) {
  std::string s = std::string("#define C ") + compute_type(dtype) + "\n#define U " + unsigned_type(dtype) + "\n";
  s += "#define IS_FLOAT " + std::to_string(is_floating(dtype) ? 1 : 0) + "\n";
  s += "#define IS_SIGNED " + std::to_string(is_integral(dtype) && !is_unsigned(dtype) ? 1 : 0) + "\n";
  s += "#define IS_BOOL " + std::to_string(dtype == DType::Bool ? 1 : 0) + "\n";
  s += "#define NBITS " + std::to_string(8 * itemsize(dtype)) + "\n";
  return s;
}

std::string dtype_macros(const std::string& name, DType dtype) {
  const std::string s = storage_type(dtype);
  std::string m = "#define S_" + name + " " + s + "\n#define C_" + name + " " + compute_type(dtype) + "\n";
  if (dtype == DType::Float16) {
    m += "#define LOAD_" + name + "(p, i) vload_half((i), (p))\n";
    m += "#define STORE_" + name + "(p, i, v) vstore_half_rte((v), (i), (p))\n";
  } else {
    m += "#define LOAD_" + name + "(p, i) ((p)[i])\n";
    m += "#define STORE_" + name + "(p, i, v) ((p)[i] = (" + s + ")(v))\n";
  }
  return m;
}

namespace {

// Shape and per-tensor strides with size-1 axes dropped and mergeable axes merged.
struct Collapsed {
  Shape shape;
  std::vector<Strides> strides;  // one row per tensor (out first)
};

Collapsed collapse(const Tensor& out, std::span<const Tensor> ins) {
  std::vector<const Tensor*> ts{&out};
  for (const Tensor& t : ins) ts.push_back(&t);
  Collapsed c;
  c.strides.resize(ts.size());
  for (int d = 0; d < out.ndim(); ++d) {
    const std::int64_t n = out.shape()[d];
    if (n == 1) continue;
    bool merge = !c.shape.empty();
    for (std::size_t k = 0; merge && k < ts.size(); ++k) merge = c.strides[k].back() == ts[k]->strides()[d] * n;
    for (std::size_t k = 0; k < ts.size(); ++k) {
      if (merge) {
        c.strides[k].back() = ts[k]->strides()[d];
      } else {
        c.strides[k].push_back(ts[k]->strides()[d]);
      }
    }
    if (merge) {
      c.shape.back() *= n;
    } else {
      c.shape.push_back(n);
    }
  }
  return c;
}

bool is_linear(const Collapsed& c) {
  if (c.shape.size() > 1) return false;
  if (c.shape.empty()) return true;
  return std::all_of(c.strides.begin(), c.strides.end(), [](const Strides& s) { return s[0] == 1; });
}

std::string load(DType dtype, const std::string& ptr, const std::string& idx) {
  return dtype == DType::Float16 ? "vload_half(" + idx + ", " + ptr + ")" : ptr + "[" + idx + "]";
}

std::string store(DType dtype, const std::string& ptr, const std::string& idx, const std::string& v) {
  if (dtype == DType::Float16) return "vstore_half_rte(" + v + ", " + idx + ", " + ptr + ")";
  return ptr + "[" + idx + "] = (" + storage_type(dtype) + ")(" + v + ")";
}

// Layout rows: the shape, then the strides of out and of up to 3 inputs.
constexpr int kLayoutRows = 5;

// Elements per work-item on contiguous operands. PoCL does not vectorise a work-group
// whose work-items take a bounds check (`if (i < n)`): one element per work-item ran add
// on 1e7 float32 at about half of clEnqueueCopyBuffer's bandwidth here, a fixed-count
// loop over 8 consecutive elements at 1.1-1.4 times it (bench/ops_opencl.py).
constexpr int kLinearUnroll = 8;

// Loads the operands at p0, p1, ... and stores the expression at p_out.
std::string kernel_body(const StridedKernel& k, const std::string& indent) {
  std::string s;
  for (std::size_t j = 0; j < k.ins.size(); ++j) {
    const std::string n = std::to_string(j);
    s += indent + "const " + compute_type(k.ins[j]) + " a" + n + " = " + load(k.ins[j], "in" + n, "p" + n) + ";\n";
  }
  return s + indent + store(k.out, "out", "p_out", k.expr) + ";\n";
}

std::string kernel_text(const StridedKernel& k) {
  const std::string unroll = std::to_string(kLinearUnroll);
  // The prefix keeps kernel names apart from built-ins (exp, ...) and helpers (ember_*).
  std::string s = "__kernel void ek_" + k.name + "(__global " + storage_type(k.out) + "* out, long off_out";
  for (std::size_t j = 0; j < k.ins.size(); ++j) {
    const std::string n = std::to_string(j);
    s += std::string(", __global const ") + storage_type(k.ins[j]) + "* in" + n + ", long off" + n;
  }
  s += ", __global int* err, long n, int linear, Layout L" + k.params + ") {\n";
  // Contiguous operands: the first n / kLinearUnroll work-items take kLinearUnroll
  // elements each, the rest one element each of the tail through the index arithmetic
  // (valid for any layout), as every work-item of other layouts.
  s += "  const long g = get_global_id(0), full = linear ? n / " + unroll + " : 0;\n";
  s += "  if (g < full) {\n    for (int u = 0; u < " + unroll + "; ++u) {\n";
  s += "      const long i = g * " + unroll + " + u;\n      const long p_out = off_out + i";
  for (std::size_t j = 0; j < k.ins.size(); ++j) s += ", p" + std::to_string(j) + " = off" + std::to_string(j) + " + i";
  s += ";\n" + kernel_body(k, "      ") + "    }\n    return;\n  }\n";
  s += "  const long i = full * " + unroll + " + g - full;\n  if (i < n) {\n    long r = i, p_out = off_out";
  for (std::size_t j = 0; j < k.ins.size(); ++j) s += ", p" + std::to_string(j) + " = off" + std::to_string(j);
  s += ";\n    for (int d = NDIM - 1; d >= 0; --d) {\n      const long c = r % L.v[d];\n      r /= L.v[d];\n";
  s += "      p_out += c * L.v[NDIM + d];\n";
  for (std::size_t j = 0; j < k.ins.size(); ++j) {
    s += "      p" + std::to_string(j) + " += c * L.v[" + std::to_string(j + 2) + " * NDIM + d];\n";
  }
  s += "    }\n" + kernel_body(k, "    ") + "  }\n}\n";
  return s;
}

}  // namespace

std::string family_source(const std::string& preamble, const std::vector<StridedKernel>& kernels, int ndim) {
  std::string s = std::string(kernel_source("common")) + preamble + "\n#define NDIM " + std::to_string(ndim) +
                  "\ntypedef struct { long v[" + std::to_string(ndim * kLayoutRows) + "]; } Layout;\n";
  for (const StridedKernel& k : kernels) s += kernel_text(k);
  return s;
}

void run_strided(const std::string& op, const std::string& family, const std::function<std::string(int)>& source,
                 const std::string& name, const Tensor& out, std::span<const Tensor> ins,
                 const std::function<void(Launch&)>& args) {
  DeviceContext& ctx = context_of(out, op);
  require_dtype(ctx, out.dtype(), op);
  for (const Tensor& t : ins) require_dtype(ctx, t.dtype(), op);
  const Collapsed c = collapse(out, ins);
  // Families are compiled for a few fixed ranks so that nearly every layout shares one.
  int ndim = 4;
  while (ndim < static_cast<int>(c.shape.size())) ndim *= 2;
  Launch launch(ctx, family + "|nd" + std::to_string(ndim) + "|" + name, [&] { return source(ndim); }, op, "ek_" + name);
  launch.tensor(out).scalar<cl_long>(out.offset());
  for (const Tensor& t : ins) launch.tensor(t).scalar<cl_long>(t.offset());
  const bool linear = is_linear(c);
  launch.buffer(ctx.error_flag).scalar<cl_long>(out.numel()).scalar<cl_int>(linear ? 1 : 0);
  // Leading padding axes have size 1 and stride 0.
  const std::size_t pad = ndim - c.shape.size();
  std::vector<cl_long> blob(static_cast<std::size_t>(ndim) * kLayoutRows, 0);
  for (std::size_t d = 0; d < static_cast<std::size_t>(ndim); ++d) blob[d] = d < pad ? 1 : c.shape[d - pad];
  for (std::size_t t = 0; t < c.strides.size(); ++t) {
    for (std::size_t d = pad; d < static_cast<std::size_t>(ndim); ++d) blob[(t + 1) * ndim + d] = c.strides[t][d - pad];
  }
  launch.raw(blob.data(), blob.size() * sizeof(cl_long));
  if (args) args(launch);
  const auto n = static_cast<std::size_t>(out.numel());
  launch.run(linear ? n / kLinearUnroll + n % kLinearUnroll : n);
}

Tensor contiguous_on_device(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor out = Tensor::empty(t.shape(), t.dtype(), t.device());
  const DeviceContext& ctx = context_of(t, "copy");
  run_strided("copy", copy_family_key(t.dtype()), [&](int nd) { return copy_family_source(ctx, t.dtype(), nd); },
              std::string("copy_") + dtype_name(t.dtype()), out, std::span<const Tensor>(&t, 1));
  return out;
}

}  // namespace ember::opencl
