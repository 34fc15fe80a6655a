#!/bin/sh
# Builds the caching CPU allocator for libtorch (facebeam_torch_alloc.c) into $1/libfacebeam_torch_alloc.so
# with the JDK at $2. Where it cannot be built it says why and builds nothing: TorchCpuAllocator then
# reports it missing and libtorch keeps its own allocator (the same numbers, slower steps: docs/training.md).
# Also facebeam_env.c into $1/libfacebeam_env.so (OneDnnIsa's setenv; without it oneDNN is not capped).
set -eu
out=$1
jdk=$2
here=$(dirname "$0")
skip() {
  echo "facebeam: libtorch allocator not built: $1"
  exit 0
}
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || skip "not Linux x86-64"
command -v gcc >/dev/null 2>&1 || skip "no gcc"
[ -f "$jdk/include/jni.h" ] || skip "no jni.h under $jdk (a JRE, not a JDK)"
mkdir -p "$out"
# -fexceptions: libtorch's own out-of-memory error may unwind through caching_allocate.
gcc -O2 -fPIC -shared -fexceptions -Wall -Wextra -Werror -I"$jdk/include" -I"$jdk/include/linux" \
  "$here/facebeam_torch_alloc.c" -ldl -lpthread -o "$out/libfacebeam_torch_alloc.so.tmp"
mv "$out/libfacebeam_torch_alloc.so.tmp" "$out/libfacebeam_torch_alloc.so"
gcc -O2 -fPIC -shared -Wall -Wextra -Werror -I"$jdk/include" -I"$jdk/include/linux" "$here/facebeam_env.c" -o "$out/libfacebeam_env.so.tmp"
mv "$out/libfacebeam_env.so.tmp" "$out/libfacebeam_env.so"
