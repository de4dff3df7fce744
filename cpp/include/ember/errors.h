// Typed errors of the Ember ML core. The Python bindings map each to the Python
// exception of the same name; messages start with "[op]".
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace ember {

// Memory: an allocation the machine cannot satisfy (MemoryError). Overflow: a Python
// scalar that does not fit the operand's dtype (OverflowError, as NumPy 2). LinAlg: a
// decomposition of non-finite input, or one that did not converge (LinAlgError, a
// ValueError subclass, as numpy.linalg.LinAlgError).
enum class ErrorKind { Value, Type, Index, NotImplemented, Runtime, Memory, Overflow, LinAlg };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

namespace detail {
template <class... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

// Builds "[op] ..." messages from streamable pieces and throws the typed error.
template <class... Args>
[[noreturn]] void raise(ErrorKind kind, const std::string& op, const Args&... args) {
  throw Error(kind, detail::concat("[", op, "] ", args...));
}
template <class... Args>
[[noreturn]] void value_error(const std::string& op, const Args&... args) {
  raise(ErrorKind::Value, op, args...);
}
template <class... Args>
[[noreturn]] void type_error(const std::string& op, const Args&... args) {
  raise(ErrorKind::Type, op, args...);
}
template <class... Args>
[[noreturn]] void index_error(const std::string& op, const Args&... args) {
  raise(ErrorKind::Index, op, args...);
}
template <class... Args>
[[noreturn]] void not_implemented(const std::string& op, const Args&... args) {
  raise(ErrorKind::NotImplemented, op, args...);
}

template <class... Args>
[[noreturn]] void overflow_error(const std::string& op, const Args&... args) {
  raise(ErrorKind::Overflow, op, args...);
}
template <class... Args>
[[noreturn]] void linalg_error(const std::string& op, const Args&... args) {
  raise(ErrorKind::LinAlg, op, args...);
}

}  // namespace ember
