// The explicit host path of the OpenCL backend: dense decompositions, FFTs, complex
// arithmetic, the fused optimizer updates, the random distributions other than
// uniform / normal / bernoulli. run_on_host also serves the fused CfC and LTC sequences
// on CPU devices and where LTC's device kernels do not fit (cfc_sequence.cpp, ltc_sequence.cpp).
// Each tensor's whole device buffer is mirrored on the host (so strided and in-place outputs keep their layout), the cpu
// kernel of the same op runs (Eigen, kissfft), and the output buffers are copied back.
// The copies go through read_buffer / write_buffer, so they show in
// opencl::transfer_stats(); results equal the cpu backend's exactly. Device-side
// decompositions would need a LAPACK for OpenCL, which Debian does not ship (clMAGMA /
// ViennaCL are unmaintained); device-side FFT and complex kernels are future work.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include "backend/opencl/host_path.h"
#include "backend/opencl/kernels.h"
#include "backend/opencl/strided.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

// A host tensor viewing a copy of t's whole buffer with t's shape, strides and offset.
Tensor mirror(const Tensor& t, const char* op) {
  if (!t.defined()) return t;  // an optional buffer the op's options leave out
  const std::size_t nbytes = t.storage()->nbytes();
  const std::int64_t elements = static_cast<std::int64_t>(nbytes / t.itemsize());
  Tensor whole = Tensor::empty({elements}, t.dtype(), Device{});
  if (nbytes > 0) read_buffer(context_of(t, op), buffer_of(t), 0, nbytes, whole.raw_data(), op);
  return whole.as_strided(t.shape(), t.strides(), t.offset());
}

// The ops on the host path; each gets its own plain kernel function, host_kernel<index>.
constexpr std::array kHostOps = {
    "linalg_solve",
    "linalg_inv",
    "linalg_det",
    "linalg_cholesky",
    "linalg_eigh",
    "linalg_svd",
    "linalg_qr",
    "linalg_lstsq",
    "linalg_eig",
    "fft",
    "complex_add",
    "complex_subtract",
    "complex_multiply",
    "complex_divide",
    "complex_equal",
    "complex_not_equal",
    "complex_exp",
    "complex_log",
    "complex_sqrt",
    "complex_negative",
    "complex_square",
    "complex_abs",
    "complex_isnan",
    "complex_isinf",
    "complex_isfinite",
    "conj",
    "angle",
    "complex_copy",
    "complex_fill",
    "complex_sum",
    "sgd_step",
    "adam_step",
    "rmsprop_step",
    // Rejection and sequential samplers: the host draws the cpu backend's exact numbers.
    "random_binomial",
    "random_gamma",
    "random_exponential",
    "random_poisson",
    "random_categorical",
    "random_shuffle",
};

template <std::size_t I>
void host_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  run_on_host(kHostOps[I], in, out, attrs);
}

template <std::size_t... I>
void register_all(std::index_sequence<I...>) {
  (op_entry(kHostOps[I]).set_kernel(DeviceType::OpenCL, host_kernel<I>), ...);
}

}  // namespace

void run_on_host(const char* name, std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  std::vector<Tensor> host_in, host_out;
  for (const Tensor& t : in) host_in.push_back(mirror(t, name));
  // Outputs that share a buffer with an input (in-place updates) are written through that mirror.
  for (const Tensor& t : out) {
    const auto same = std::find_if(in.begin(), in.end(),
                                   [&](const Tensor& i) { return t.defined() && i.shares_storage(t); });
    if (same != in.end()) {
      host_out.push_back(host_in[same - in.begin()].as_strided(t.shape(), t.strides(), t.offset()));
      continue;
    }
    // Read even outputs the kernel overwrites: in-place updates (the optimizer steps) read
    // their output's current values.
    host_out.push_back(mirror(t, name));
  }
  op_entry(name).call(Device{}, host_in, host_out, attrs);
  for (std::size_t k = 0; k < out.size(); ++k) {
    const Tensor& dst = out[k];
    if (!dst.defined() || dst.storage()->nbytes() == 0) continue;
    const std::size_t nbytes = dst.storage()->nbytes();
    const void* whole = static_cast<const char*>(host_out[k].raw_data()) -
                        static_cast<std::ptrdiff_t>(dst.offset() * static_cast<std::int64_t>(dst.itemsize()));
    write_buffer(context_of(dst, name), buffer_of(dst), 0, nbytes, whole, name);
  }
}

bool sequences_on_host(const Tensor& t, const char* op) {
  const char* v = std::getenv("EMBER_OPENCL_SEQUENCES");
  if (v != nullptr && std::string_view(v) == "host") return true;
  if (v != nullptr && std::string_view(v) == "device") return false;
  return context_of(t, op).info.type == "cpu";
}

void register_host_path_kernels() {
  register_all(std::make_index_sequence<kHostOps.size()>());
}

}  // namespace ember::opencl
