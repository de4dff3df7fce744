// The explicit host path of the OpenCL backend, for dense decompositions (and, when
// they land, FFTs): inputs are copied to the host, the cpu kernel of the same op runs
// (Eigen), and the outputs are copied back. The copies go through read_buffer /
// write_buffer, so they show in opencl::transfer_stats(); results equal the cpu
// backend's exactly. Device-side decompositions would need a LAPACK for OpenCL, which
// Debian does not ship (clMAGMA / ViennaCL are unmaintained).
#include <vector>

#include "backend/opencl/kernels.h"
#include "backend/opencl/strided.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

Tensor to_host(const Tensor& t, const std::string& op) {
  const Tensor src = contiguous_on_device(t);
  Tensor host = Tensor::empty(t.shape(), t.dtype(), Device{});
  read_buffer(context_of(src, op), buffer_of(src), static_cast<std::size_t>(src.offset()) * src.itemsize(),
              static_cast<std::size_t>(src.numel()) * src.itemsize(), host.raw_data(), op);
  return host;
}

// Op names are template arguments so that each op gets its own plain kernel function.
template <const char* Name>
void host_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  std::vector<Tensor> host_in, host_out;
  for (const Tensor& t : in) host_in.push_back(to_host(t, Name));
  for (const Tensor& t : out) host_out.push_back(Tensor::empty(t.shape(), t.dtype(), Device{}));
  op_entry(Name).call(Device{}, host_in, host_out, attrs);
  for (std::size_t k = 0; k < out.size(); ++k) {
    const Tensor& dst = out[k];  // fresh contiguous outputs of the front-end
    write_buffer(context_of(dst, Name), buffer_of(dst), static_cast<std::size_t>(dst.offset()) * dst.itemsize(),
                 static_cast<std::size_t>(dst.numel()) * dst.itemsize(), host_out[k].raw_data(), Name);
  }
}

constexpr char kSolve[] = "linalg_solve";
constexpr char kInv[] = "linalg_inv";
constexpr char kDet[] = "linalg_det";
constexpr char kCholesky[] = "linalg_cholesky";
constexpr char kEigh[] = "linalg_eigh";
constexpr char kSvd[] = "linalg_svd";
constexpr char kQr[] = "linalg_qr";
constexpr char kLstsq[] = "linalg_lstsq";

}  // namespace

void register_host_path_kernels() {
  constexpr auto ocl = DeviceType::OpenCL;
  op_entry(kSolve).set_kernel(ocl, host_kernel<kSolve>);
  op_entry(kInv).set_kernel(ocl, host_kernel<kInv>);
  op_entry(kDet).set_kernel(ocl, host_kernel<kDet>);
  op_entry(kCholesky).set_kernel(ocl, host_kernel<kCholesky>);
  op_entry(kEigh).set_kernel(ocl, host_kernel<kEigh>);
  op_entry(kSvd).set_kernel(ocl, host_kernel<kSvd>);
  op_entry(kQr).set_kernel(ocl, host_kernel<kQr>);
  op_entry(kLstsq).set_kernel(ocl, host_kernel<kLstsq>);
}

}  // namespace ember::opencl
