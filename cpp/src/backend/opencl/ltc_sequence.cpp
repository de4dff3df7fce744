// OpenCL kernels of the fused LTC sequence (kernels/ltc.cl), with the inputs, attrs and
// outputs of backend/cpu/ltc_sequence.cpp: the whole time loop, forward and backward
// through time, runs on the device, one work-group per sequence. The synapse tables are
// built on the device too, so nothing is copied to or from the host. Where the kernels do
// not fit (float64 without cl_khr_fp64, or more local memory than the device has) the op
// takes the host path instead, and so it does with mixed memory and on CPU devices (sequences_on_host,
// host_path.h): PoCL runs each work-item's loop over its neuron's synapses serially, where
// the cpu kernel advances 16 sequences per SIMD instruction, several times faster.
#include <algorithm>
#include <string>

#include "backend/opencl/host_path.h"
#include "backend/opencl/kernels.h"
#include "backend/opencl/runtime.h"
#include "backend/opencl/sources.h"
#include "ember/liquid.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

// Work-items per work-group: one per neuron up to this; beyond it each owns several.
constexpr std::size_t kMaxLocal = 256;
// The backward pass keeps per-work-group scratch and gradient sums; its work-groups (at most
// one per sequence) are capped so that these stay under this many bytes.
constexpr std::size_t kBackwardScratchBytes = std::size_t{256} << 20;

// The launch shape of one op call; `fits` is false where the host path must run it.
struct Plan {
  std::size_t local = 1, local_bytes = 0;
  bool fits = false;
};

// `local_values` values of the op's dtype per work-group (a function of the work-group size).
template <class F>
Plan plan(const DeviceContext& ctx, DType dtype, std::int64_t n, F local_values) {
  Plan p;
  const auto max_group = static_cast<std::size_t>(ctx.info.max_work_group_size);
  p.local = std::max<std::size_t>(1, std::min({static_cast<std::size_t>(n), kMaxLocal, max_group}));
  p.local_bytes = local_values(p.local) * itemsize(dtype);
  p.fits = (dtype != DType::Float64 || ctx.info.fp64) &&
           p.local_bytes <= ctx.info.local_mem_bytes;
  return p;
}

std::string program_source(DType dtype) {
  return std::string(kernel_source("common")) + "#define T " + (dtype == DType::Float64 ? "double" : "float") +
         "\n" + kernel_source("ltc");
}

// A launch of kernel `name` of the ltc program for `dtype`.
Launch ltc_launch(DeviceContext& ctx, DType dtype, const char* name, const char* op) {
  return Launch(ctx, std::string(name) + "|" + dtype_name(dtype), [dtype] { return program_source(dtype); }, op,
                name);
}

Launch& tensor_arg(Launch& l, const Tensor& t) { return l.tensor(t).scalar<cl_long>(t.offset()); }

Launch& float_arg(Launch& l, DType dtype, double v) {
  if (dtype == DType::Float64) return l.scalar<cl_double>(v);
  return l.scalar<cl_float>(static_cast<float>(v));
}

// The synapse table of a (rows, n) wiring (layout in kernels/ltc.cl), sized for every pair.
struct Table {
  Tensor col_off, col_pre, par, row_off, row_k, row_post, map;

  // params: w, mu, sigma, erev, mask.
  Table(DeviceContext& ctx, std::span<const Tensor> params, std::int64_t rows, std::int64_t n, const char* op) {
    const Device dev = params[0].device();
    const DType dtype = params[0].dtype();
    const std::int64_t pairs = rows * n;
    auto ints = [&](std::int64_t size) { return Tensor::empty({std::max<std::int64_t>(size, 1)}, DType::Int32, dev); };
    col_off = ints(n + 1);
    col_pre = ints(pairs);
    par = Tensor::empty({std::max<std::int64_t>(4 * pairs, 1)}, dtype, dev);
    row_off = ints(rows + 1);
    row_k = ints(pairs);
    row_post = ints(pairs);
    map = ints(pairs);
    Launch l = ltc_launch(ctx, dtype, "ltc_table", op);
    for (const Tensor& t : params.first(5)) tensor_arg(l, t);
    l.scalar<cl_long>(rows).scalar<cl_long>(n);
    for (const Tensor* t : {&col_off, &col_pre, &par, &row_off, &row_k, &row_post, &map}) l.tensor(*t);
    const std::size_t local = std::min<std::size_t>(static_cast<std::size_t>(std::max(rows, n)), kMaxLocal);
    l.run(local, local);
  }
};

using Spec = liquid::LtcSpec;

// Kernel inputs (liquid::LtcSpec) and what every kernel needs of them.
struct Call {
  std::span<const Tensor> in;
  DeviceContext& ctx;
  DType dtype;
  std::int64_t batch, steps, c, n, unfolds;
  double eps;
  bool step_mask;
  bool mixed_memory;  // the device kernels have no mixed memory: the host path runs it

  Call(std::span<const Tensor> in, const Attrs& attrs, const char* op)
      : Call(in, Spec::from_attrs(attrs), op) {}
  Call(std::span<const Tensor> in, const Spec& spec, const char* op)
      : in(in), ctx(context_of(in[0], op)), dtype(in[0].dtype()), batch(in[0].shape()[0]),
        steps(in[0].shape()[1]), c(in[0].shape()[2]), n(in[Spec::kH0].shape()[1]), unfolds(spec.ode_unfolds),
        eps(spec.epsilon), step_mask(spec.has_step_mask), mixed_memory(spec.mixed_memory) {}

  // The kernels' (keep, keep_off, masked) arguments; without a mask any buffer stands in.
  void step_mask_args(Launch& l) const {
    tensor_arg(l, in[step_mask ? Spec::kStepMask : Spec::kElapsed]);
    l.scalar<cl_long>(step_mask ? 1 : 0);
  }
  Table sensory(const char* op) const { return Table(ctx, in.subspan(Spec::kSensoryW, 5), c, n, op); }
  Table synapses(const char* op) const { return Table(ctx, in.subspan(Spec::kW, 5), n, n, op); }
  Tensor scratch(std::int64_t size) const {
    return Tensor::empty({std::max<std::int64_t>(size, 1)}, dtype, in[0].device());
  }
};

void forward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  constexpr const char* op = "ltc_sequence";
  const Call k(in, attrs, op);
  const Plan p = plan(k.ctx, k.dtype, k.n, [&](std::size_t) { return static_cast<std::size_t>(4 * k.n); });
  if (!p.fits || k.mixed_memory || sequences_on_host(in[0], op)) return run_on_host(op, in, out, attrs);
  const Table sens = k.sensory(op), syn = k.synapses(op);
  Launch l = ltc_launch(k.ctx, k.dtype, "ltc_forward", op);
  for (std::size_t i : {Spec::kInputs, Spec::kH0, Spec::kElapsed}) tensor_arg(l, in[i]);
  k.step_mask_args(l);
  for (std::size_t i : {Spec::kCm, Spec::kGleak, Spec::kVleak}) tensor_arg(l, in[i]);
  l.tensor(sens.col_off).tensor(sens.col_pre).tensor(sens.par);
  l.tensor(syn.col_off).tensor(syn.col_pre).tensor(syn.par);
  tensor_arg(l, out[0]);
  l.scalar<cl_long>(k.steps).scalar<cl_long>(k.c).scalar<cl_long>(k.n).scalar<cl_long>(k.unfolds);
  float_arg(l, k.dtype, k.eps).raw(nullptr, p.local_bytes);
  l.run(static_cast<std::size_t>(k.batch) * p.local, p.local);
}

// Outputs: dx, dh0, delapsed, then d sensory w, mu, sigma, erev, d w, mu, sigma, erev, d cm,
// gleak, vleak.
void backward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  constexpr const char* op = "ltc_sequence_backward";
  const Call k(in, attrs, op);
  const Plan p =
      plan(k.ctx, k.dtype, k.n, [&](std::size_t local) { return static_cast<std::size_t>(8 * k.n) + local; });
  if (!p.fits || k.mixed_memory || sequences_on_host(in[0], op)) return run_on_host(op, in, out, attrs);
  const Table sens = k.sensory(op), syn = k.synapses(op);
  const std::int64_t syn_max = k.n * k.n, sens_max = k.c * k.n;
  const std::int64_t scratch_size = (2 * k.unfolds + 1) * k.n + k.unfolds * syn_max;
  const std::int64_t per_group = scratch_size + 4 * (syn_max + sens_max) + 3 * k.n;
  const std::int64_t cap = static_cast<std::int64_t>(kBackwardScratchBytes / itemsize(k.dtype)) / per_group;
  const std::int64_t groups = std::max<std::int64_t>(1, std::min(cap, k.batch));
  const Tensor scratch = k.scratch(groups * scratch_size), gsens = k.scratch(groups * 4 * sens_max);
  const Tensor gsyn = k.scratch(groups * 4 * syn_max), gneu = k.scratch(groups * 3 * k.n);
  {
    Launch l = ltc_launch(k.ctx, k.dtype, "ltc_backward", op);
    for (std::size_t i : {Spec::kInputs, Spec::kH0, Spec::kElapsed}) tensor_arg(l, in[i]);
    k.step_mask_args(l);
    const std::size_t states = k.step_mask ? Spec::kStepMask + 1 : Spec::kStepMask;
    for (std::size_t i : {std::size_t{Spec::kCm}, std::size_t{Spec::kGleak}, std::size_t{Spec::kVleak}, states,
                          states + 1}) {
      tensor_arg(l, in[i]);
    }
    for (const Table* t : {&sens, &syn}) {
      l.tensor(t->col_off).tensor(t->col_pre).tensor(t->par).tensor(t->row_off).tensor(t->row_k).tensor(t->row_post);
    }
    l.tensor(scratch).tensor(gsens).tensor(gsyn).tensor(gneu);
    for (int i : {0, 1, 2}) tensor_arg(l, out[i]);
    l.scalar<cl_long>(k.batch).scalar<cl_long>(k.steps).scalar<cl_long>(k.c).scalar<cl_long>(k.n);
    l.scalar<cl_long>(k.unfolds);
    float_arg(l, k.dtype, k.eps).raw(nullptr, p.local_bytes);
    l.run(static_cast<std::size_t>(groups) * p.local, p.local);
  }
  auto sum_synapses = [&](const Table& t, const Tensor& gsum, std::int64_t pairs, const Tensor& mask, int first) {
    Launch l = ltc_launch(k.ctx, k.dtype, "ltc_sum_synapses", op);
    l.tensor(gsum).scalar<cl_long>(groups).scalar<cl_long>(pairs).tensor(t.map).tensor(t.par);
    tensor_arg(l, mask).scalar<cl_long>(pairs);
    for (int i = first; i < first + 4; ++i) tensor_arg(l, out[i]);
    l.run(static_cast<std::size_t>(pairs));
  };
  sum_synapses(sens, gsens, sens_max, in[Spec::kSensoryMask], 3);
  sum_synapses(syn, gsyn, syn_max, in[Spec::kMask], 7);
  Launch l = ltc_launch(k.ctx, k.dtype, "ltc_sum_neurons", op);
  l.tensor(gneu).scalar<cl_long>(groups).scalar<cl_long>(k.n);
  for (int i : {11, 12, 13}) tensor_arg(l, out[i]);
  l.run(static_cast<std::size_t>(k.n));
}

}  // namespace

void register_ltc_kernels() {
  op_entry("ltc_sequence").set_kernel(DeviceType::OpenCL, forward_kernel);
  op_entry("ltc_sequence_backward").set_kernel(DeviceType::OpenCL, backward_kernel);
}

}  // namespace ember::opencl
