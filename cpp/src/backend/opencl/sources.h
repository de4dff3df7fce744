// OpenCL C sources embedded at build time from kernels/*.cl (cmake/embed_opencl.cmake).
#pragma once

#include <string_view>

namespace ember::opencl {
// The text of kernels/<name>.cl; raises NotImplementedError for an unknown name.
const char* kernel_source(std::string_view name);
}  // namespace ember::opencl
