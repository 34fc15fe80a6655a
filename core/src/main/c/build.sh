#!/bin/sh
# Builds libjpeg-turbo's JNI glue (facebeam_jpeg.c) into $1/libfacebeam_jpeg.so with the JDK at $2.
# Where it cannot be built it says why and builds nothing: LibjpegTurbo then reports it missing and
# the pure-Java decoder serves (the same pixels, about half OpenCV's speed: README, "Benchmark").
set -eu
out=$1
jdk=$2
here=$(dirname "$0")
skip() {
  echo "facebeam: libjpeg-turbo glue not built: $1"
  exit 0
}
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || skip "not Linux x86-64"
command -v gcc >/dev/null 2>&1 || skip "no gcc"
[ -f "$jdk/include/jni.h" ] || skip "no jni.h under $jdk (a JRE, not a JDK)"
printf '#include <stdio.h>\n#include <jpeglib.h>\nint main(void){return 0;}\n' | gcc -x c -fsyntax-only - 2>/dev/null \
  || skip "no jpeglib.h (apt-get install libjpeg62-turbo-dev)"
mkdir -p "$out"
gcc -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror -I"$jdk/include" -I"$jdk/include/linux" "$here/facebeam_jpeg.c" "$here/facebeam_entropy.c" -ljpeg \
  -o "$out/libfacebeam_jpeg.so.tmp"
mv "$out/libfacebeam_jpeg.so.tmp" "$out/libfacebeam_jpeg.so"
