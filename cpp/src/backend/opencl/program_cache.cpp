// The program cache: built programs live in memory for the process and on disk across
// processes. A disk entry is keyed by a hash of the device identity (platform, device,
// device and driver versions), the build options and the source, and stores that full
// key so a hash collision or a truncated / corrupt file is detected and rebuilt.
// Entries are written to a temporary file and renamed into place (atomic on POSIX), so
// concurrent processes never read a half-written entry.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "backend/opencl/runtime.h"

namespace ember::opencl {
namespace {

namespace fs = std::filesystem;

std::atomic<std::uint64_t> g_memory_hits{0}, g_disk_hits{0}, g_builds{0}, g_corrupt{0};

constexpr char kMagic[8] = {'E', 'M', 'B', 'R', 'C', 'L', '0', '1'};

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// $EMBER_ML_CACHE_DIR, else $XDG_CACHE_HOME/ember_ml, else ~/.cache/ember_ml; "" if none.
fs::path cache_dir() {
  if (const char* d = std::getenv("EMBER_ML_CACHE_DIR"); d && *d) return fs::path(d) / "opencl";
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return fs::path(d) / "ember_ml" / "opencl";
  if (const char* d = std::getenv("HOME"); d && *d) return fs::path(d) / ".cache" / "ember_ml" / "opencl";
  return {};
}

fs::path entry_path(const std::string& key) {
  const fs::path dir = cache_dir();
  if (dir.empty()) return {};
  std::ostringstream name;
  name << std::hex << fnv1a(key) << ".clbin";
  return dir / name.str();
}

void write_u64(std::ostream& os, std::uint64_t v) { os.write(reinterpret_cast<const char*>(&v), sizeof v); }
bool read_u64(std::istream& is, std::uint64_t& v) {
  return static_cast<bool>(is.read(reinterpret_cast<char*>(&v), sizeof v));
}

// The stored binary for `key`; empty when absent. Sets `corrupt` when a file exists
// but does not hold a valid entry for this key.
std::string load_entry(const fs::path& path, const std::string& key, bool& corrupt) {
  corrupt = false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  char magic[sizeof kMagic];
  std::uint64_t key_len = 0, bin_len = 0, sum = 0;
  corrupt = true;
  if (!in.read(magic, sizeof magic) || !std::equal(magic, magic + sizeof magic, kMagic)) return {};
  if (!read_u64(in, key_len) || key_len != key.size()) return {};
  std::string stored_key(key_len, '\0');
  if (!in.read(stored_key.data(), static_cast<std::streamsize>(key_len)) || stored_key != key) return {};
  if (!read_u64(in, bin_len) || bin_len == 0 || bin_len > (std::uint64_t{1} << 30)) return {};
  std::string binary(bin_len, '\0');
  if (!in.read(binary.data(), static_cast<std::streamsize>(bin_len)) || !read_u64(in, sum) || sum != fnv1a(binary)) {
    return {};
  }
  corrupt = false;
  return binary;
}

// Best effort: a cache that cannot be written only costs a rebuild next time.
void store_entry(const fs::path& path, const std::string& key, const std::string& binary) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return;
  fs::path tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out.write(kMagic, sizeof kMagic);
    write_u64(out, key.size());
    out.write(key.data(), static_cast<std::streamsize>(key.size()));
    write_u64(out, binary.size());
    out.write(binary.data(), static_cast<std::streamsize>(binary.size()));
    write_u64(out, fnv1a(binary));
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
}

std::string build_log(DeviceContext& ctx, cl_program program) {
  std::size_t n = 0;
  clGetProgramBuildInfo(program, ctx.device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &n);
  std::string log(n, '\0');
  if (n) clGetProgramBuildInfo(program, ctx.device, CL_PROGRAM_BUILD_LOG, n, log.data(), nullptr);
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  return log;
}

std::string program_binary(cl_program program, const std::string& op) {
  std::size_t size = 0;
  check(clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, nullptr), "clGetProgramInfo", op);
  std::string binary(size, '\0');
  unsigned char* ptr = reinterpret_cast<unsigned char*>(binary.data());
  if (size) check(clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof ptr, &ptr, nullptr), "clGetProgramInfo", op);
  return binary;
}

cl_program from_binary(DeviceContext& ctx, const std::string& binary, const std::string& options) {
  const std::size_t size = binary.size();
  const auto* ptr = reinterpret_cast<const unsigned char*>(binary.data());
  cl_int status = CL_SUCCESS, err = CL_SUCCESS;
  cl_program program = clCreateProgramWithBinary(ctx.context, 1, &ctx.device, &size, &ptr, &status, &err);
  if (err != CL_SUCCESS || status != CL_SUCCESS) {
    if (program) clReleaseProgram(program);
    return nullptr;
  }
  if (clBuildProgram(program, 1, &ctx.device, options.c_str(), nullptr, nullptr) != CL_SUCCESS) {
    clReleaseProgram(program);
    return nullptr;
  }
  return program;
}

cl_program from_source(DeviceContext& ctx, const std::string& source, const std::string& options,
                       const std::string& op) {
  const char* text = source.c_str();
  const std::size_t len = source.size();
  cl_int err = CL_SUCCESS;
  cl_program program = clCreateProgramWithSource(ctx.context, 1, &text, &len, &err);
  check(err, "clCreateProgramWithSource", op);
  err = clBuildProgram(program, 1, &ctx.device, options.c_str(), nullptr, nullptr);
  if (err != CL_SUCCESS) {
    const std::string log = build_log(ctx, program);
    clReleaseProgram(program);
    raise(ErrorKind::Runtime, op, "clBuildProgram failed: ", error_name(err), " (", err, ") on ", ctx.info.name,
          " (opencl:", ctx.index, "); build log:\n", log);
  }
  ++g_builds;
  return program;
}

}  // namespace

cl_program get_program(DeviceContext& ctx, const std::string& source, const std::string& options,
                       const std::string& op) {
  const std::string memory_key = options + '\n' + source;
  if (auto it = ctx.programs.find(memory_key); it != ctx.programs.end()) {
    ++g_memory_hits;
    return it->second;
  }
  const std::string key = ctx.identity + '\n' + memory_key;
  const fs::path path = entry_path(key);
  cl_program program = nullptr;
  if (!path.empty()) {
    bool corrupt = false;
    const std::string binary = load_entry(path, key, corrupt);
    if (!binary.empty()) {
      program = from_binary(ctx, binary, options);
      corrupt = program == nullptr;
    }
    if (program) ++g_disk_hits;
    if (corrupt) ++g_corrupt;
  }
  if (!program) {
    program = from_source(ctx, source, options, op);
    if (!path.empty()) store_entry(path, key, program_binary(program, op));
  }
  ctx.programs.emplace(memory_key, program);
  return program;
}

ProgramCacheStats program_cache_stats() {
  return {g_memory_hits.load(), g_disk_hits.load(), g_builds.load(), g_corrupt.load()};
}

}  // namespace ember::opencl
