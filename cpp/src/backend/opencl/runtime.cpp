// Device discovery, contexts and queues, asynchronous error flags, transfers, launches.
#include "backend/opencl/runtime.h"

#include <atomic>
#include <deque>
#include <memory>

namespace ember::opencl {

[[noreturn]] void raise_cl(cl_int err, const char* call, const std::string& op) {
  raise(ErrorKind::Runtime, op, call, " failed: ", error_name(err), " (", err, ")");
}

namespace {

struct FlaggedError {
  ErrorKind kind;
  std::string op, message;
};

std::atomic<std::uint64_t> g_h2d{0}, g_h2d_bytes{0}, g_d2h{0}, g_d2h_bytes{0};

// A string property of a device or platform (clGetDeviceInfo / clGetPlatformInfo).
template <class Object, class Info, class Getter>
std::string info_string(Getter getter, Object object, Info what) {
  std::size_t n = 0;
  if (getter(object, what, 0, nullptr, &n) != CL_SUCCESS || n == 0) return {};
  std::string s(n, '\0');
  getter(object, what, n, s.data(), nullptr);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}
std::string device_string(cl_device_id d, cl_device_info what) { return info_string(clGetDeviceInfo, d, what); }
std::string platform_string(cl_platform_id p, cl_platform_info what) {
  return info_string(clGetPlatformInfo, p, what);
}

// Every device of every platform, discovered once. Never destroyed: tensors freed
// during interpreter shutdown still return their buffers to it.
class Runtime {
 public:
  static Runtime& get() {
    static Runtime* r = new Runtime();
    return *r;
  }

  const std::string& reason() const { return reason_; }
  std::deque<DeviceContext>& devices() { return devices_; }

  DeviceContext& context(int index, const std::string& op) {
    if (devices_.empty()) raise(ErrorKind::Runtime, op, "OpenCL is unavailable: ", reason_);
    if (index < 0 || index >= static_cast<int>(devices_.size())) {
      value_error(op, "device opencl:", index, " does not exist; there are ", devices_.size(), " OpenCL devices");
    }
    DeviceContext& ctx = devices_[index];
    std::call_once(created_[index], [&] { create(ctx, op); });
    if (!ctx.queue) raise(ErrorKind::Runtime, op, "could not create a context for opencl:", index);
    return ctx;
  }

  int flag_code(ErrorKind kind, const std::string& op, const std::string& message) {
    std::lock_guard<std::mutex> lock(flag_mutex_);
    for (std::size_t i = 0; i < flagged_.size(); ++i) {
      if (flagged_[i].kind == kind && flagged_[i].op == op && flagged_[i].message == message) {
        return static_cast<int>(i) + 1;
      }
    }
    flagged_.push_back({kind, op, message});
    return static_cast<int>(flagged_.size());
  }

  [[noreturn]] void raise_flagged(int code) {
    FlaggedError e;
    {
      std::lock_guard<std::mutex> lock(flag_mutex_);
      e = flagged_.at(static_cast<std::size_t>(code) - 1);
    }
    raise(e.kind, e.op, e.message, " (raised by an earlier asynchronous opencl kernel)");
  }

 private:
  Runtime() {
    cl_uint np = 0;
    cl_int err = clGetPlatformIDs(0, nullptr, &np);
    if (err != CL_SUCCESS || np == 0) {
      reason_ = std::string("no OpenCL platform found (clGetPlatformIDs: ") +
                (err == CL_SUCCESS ? "0 platforms" : error_name(err)) +
                "); install an OpenCL driver, e.g. Debian's pocl-opencl-icd";
      return;
    }
    std::vector<cl_platform_id> platforms(np);
    clGetPlatformIDs(np, platforms.data(), nullptr);
    for (cl_platform_id p : platforms) {
      cl_uint nd = 0;
      if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &nd) != CL_SUCCESS || nd == 0) continue;
      std::vector<cl_device_id> ids(nd);
      clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd, ids.data(), nullptr);
      for (cl_device_id d : ids) add_device(p, d);
    }
    if (devices_.empty()) reason_ = "OpenCL platforms were found but they have no devices";
    created_ = std::make_unique<std::once_flag[]>(devices_.size());
  }

  void add_device(cl_platform_id p, cl_device_id d) {
    DeviceContext& ctx = devices_.emplace_back();
    ctx.index = static_cast<int>(devices_.size()) - 1;
    ctx.platform = p;
    ctx.device = d;
    DeviceInfo& info = ctx.info;
    info.index = ctx.index;
    info.name = device_string(d, CL_DEVICE_NAME);
    info.vendor = device_string(d, CL_DEVICE_VENDOR);
    info.version = device_string(d, CL_DEVICE_VERSION);
    info.driver_version = device_string(d, CL_DRIVER_VERSION);
    info.platform = platform_string(p, CL_PLATFORM_NAME);
    const std::string extensions = device_string(d, CL_DEVICE_EXTENSIONS);
    info.fp64 = extensions.find("cl_khr_fp64") != std::string::npos;
    cl_device_type type = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof(type), &type, nullptr);
    info.type = (type & CL_DEVICE_TYPE_GPU) ? "gpu"
                : (type & CL_DEVICE_TYPE_CPU) ? "cpu"
                : (type & CL_DEVICE_TYPE_ACCELERATOR) ? "accelerator" : "other";
    cl_ulong mem = 0;
    clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof(mem), &mem, nullptr);
    info.global_mem_bytes = mem;
    cl_uint cu = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof(cu), &cu, nullptr);
    info.compute_units = cu;
    std::size_t group = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof(group), &group, nullptr);
    info.max_work_group_size = group;
    cl_ulong local = 0;
    clGetDeviceInfo(d, CL_DEVICE_LOCAL_MEM_SIZE, sizeof(local), &local, nullptr);
    info.local_mem_bytes = local;
    ctx.identity = info.platform + "|" + platform_string(p, CL_PLATFORM_VERSION) + "|" + info.name + "|" +
                   info.version + "|" + info.driver_version;
  }

  static void create(DeviceContext& ctx, const std::string& op) {
    cl_int err = CL_SUCCESS;
    const cl_context_properties props[] = {CL_CONTEXT_PLATFORM,
                                           reinterpret_cast<cl_context_properties>(ctx.platform), 0};
    ctx.context = clCreateContext(props, 1, &ctx.device, nullptr, nullptr, &err);
    check(err, "clCreateContext", op);
    // In-order (no CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE): the pool relies on it.
    ctx.queue = clCreateCommandQueue(ctx.context, ctx.device, 0, &err);
    check(err, "clCreateCommandQueue", op);
    const cl_int zero = 0;
    ctx.error_flag = clCreateBuffer(ctx.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof(cl_int),
                                    const_cast<cl_int*>(&zero), &err);
    check(err, "clCreateBuffer", op);
  }

  std::string reason_;
  std::deque<DeviceContext> devices_;
  std::unique_ptr<std::once_flag[]> created_;
  std::mutex flag_mutex_;
  std::vector<FlaggedError> flagged_;
};

// Reads and clears the device error flag; raises the flagged error if there was one.
// The blocking read also waits for every kernel queued before it.
void check_flag(DeviceContext& ctx, const std::string& op) {
  cl_int code = 0;
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  check(clEnqueueReadBuffer(ctx.queue, ctx.error_flag, CL_TRUE, 0, sizeof(code), &code, 0, nullptr, nullptr),
        "clEnqueueReadBuffer", op);
  if (code == 0) return;
  const cl_int zero = 0;
  check(clEnqueueWriteBuffer(ctx.queue, ctx.error_flag, CL_TRUE, 0, sizeof(zero), &zero, 0, nullptr, nullptr),
        "clEnqueueWriteBuffer", op);
  Runtime::get().raise_flagged(code);
}

void* allocate(std::size_t nbytes, int index) {
  DeviceContext& ctx = context(index, "allocate");
  return ctx.pool.acquire(ctx.context, nbytes);
}

void release(void* handle, std::size_t nbytes, int index) {
  Runtime::get().devices()[index].pool.release(static_cast<cl_mem>(handle), nbytes);
}

}  // namespace

DeviceContext& context(int index, const std::string& op) { return Runtime::get().context(index, op); }

DeviceContext& context_of(const Tensor& t, const std::string& op) { return context(t.device().index, op); }

int flag_error_code(ErrorKind kind, const std::string& op, const std::string& message) {
  return Runtime::get().flag_code(kind, op, message);
}

void write_buffer(DeviceContext& ctx, cl_mem buffer, std::size_t offset, std::size_t nbytes, const void* host,
                  const std::string& op) {
  if (nbytes == 0) return;
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  check(clEnqueueWriteBuffer(ctx.queue, buffer, CL_TRUE, offset, nbytes, host, 0, nullptr, nullptr),
        "clEnqueueWriteBuffer", op);
  ++g_h2d;
  g_h2d_bytes += nbytes;
}

void read_buffer(DeviceContext& ctx, cl_mem buffer, std::size_t offset, std::size_t nbytes, void* host,
                 const std::string& op) {
  if (nbytes > 0) {
    std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
    check(clEnqueueReadBuffer(ctx.queue, buffer, CL_TRUE, offset, nbytes, host, 0, nullptr, nullptr),
          "clEnqueueReadBuffer", op);
    ++g_d2h;
    g_d2h_bytes += nbytes;
  }
  check_flag(ctx, op);
}

Launch::Launch(DeviceContext& ctx, const std::string& key, const std::function<std::string()>& source,
               const std::string& op, const std::string& name)
    : ctx_(ctx), lock_(ctx.mutex), op_(op) {
  auto it = ctx.kernels.find(key);
  if (it == ctx.kernels.end()) {
    cl_program program = get_program(ctx, source(), build_options(ctx), op);
    cl_int err = CL_SUCCESS;
    cl_kernel k = clCreateKernel(program, name.c_str(), &err);
    check(err, "clCreateKernel", op);
    it = ctx.kernels.emplace(key, k).first;
  }
  kernel_ = it->second;
}

Launch& Launch::raw(const void* data, std::size_t size) {
  check(clSetKernelArg(kernel_, next_arg_++, size, data), "clSetKernelArg", op_);
  return *this;
}

Launch& Launch::wide_float(double v) {
  if (ctx_.info.fp64) return scalar<cl_double>(v);
  return scalar<cl_float>(static_cast<float>(v));
}

const char* wide_float_type(const DeviceContext& ctx) { return ctx.info.fp64 ? "double" : "float"; }

void Launch::run(std::size_t global, std::size_t local) {
  if (global == 0) return;
  const std::size_t rounded = (global + local - 1) / local * local;
  check(clEnqueueNDRangeKernel(ctx_.queue, kernel_, 1, nullptr, &rounded, &local, 0, nullptr, nullptr),
        "clEnqueueNDRangeKernel", op_);
}

std::string build_options(const DeviceContext& ctx) { return ctx.info.fp64 ? "-DEMBER_FP64=1" : ""; }

void require_dtype(const DeviceContext& ctx, DType dtype, const std::string& op) {
  if ((dtype == DType::Float64 || dtype == DType::Complex128) && !ctx.info.fp64) {
    type_error(op, dtype_name(dtype), " needs cl_khr_fp64, which ", ctx.info.name, " (opencl:", ctx.index,
               ") does not report; use float32 / complex64");
  }
}

// ---- public API (ember/opencl.h) ------------------------------------------------------

bool available() { return !Runtime::get().devices().empty(); }
std::string unavailable_reason() { return Runtime::get().reason(); }

bool has_gpu() {
  for (const auto& d : Runtime::get().devices()) {
    if (d.info.type == "gpu") return true;
  }
  return false;
}

std::vector<DeviceInfo> devices() {
  std::vector<DeviceInfo> out;
  for (const auto& d : Runtime::get().devices()) out.push_back(d.info);
  return out;
}

void synchronize(int index) {
  DeviceContext& ctx = context(index, "synchronize");
  {
    std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
    check(clFinish(ctx.queue), "clFinish", "synchronize");
  }
  check_flag(ctx, "synchronize");
}

MemoryInfo memory_info(int index) {
  DeviceContext& ctx = context(index, "memory_info");
  MemoryInfo info = ctx.pool.info();
  info.device_total_bytes = ctx.info.global_mem_bytes;
  return info;
}

void clear_cache(int index) { context(index, "clear_cache").pool.clear(); }

TransferStats transfer_stats() { return {g_h2d.load(), g_h2d_bytes.load(), g_d2h.load(), g_d2h_bytes.load()}; }

void reset_transfer_stats() {
  g_h2d = 0;
  g_h2d_bytes = 0;
  g_d2h = 0;
  g_d2h_bytes = 0;
}

void compile_program(int index, const std::string& source, const std::string& options) {
  DeviceContext& ctx = context(index, "compile_program");
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  get_program(ctx, source, options, "compile_program");
}

void register_allocator() { set_device_allocator(DeviceType::OpenCL, {allocate, release}); }

}  // namespace ember::opencl
