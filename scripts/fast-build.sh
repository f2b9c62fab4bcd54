# Sourced by scripts/test, test-long, test-sanitize and demo (from the
# repository root): cmake arguments that make a rebuild cheap when ccache and
# mold are installed (scripts/install-deps installs both). The compiler cache
# lives outside the checkout (ccache's default directory), and paths are
# hashed relative to the checkout, so every clone on the machine (CI's fresh
# clone too) shares it.
FAST_BUILD_ARGS=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  FAST_BUILD_ARGS+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if command -v mold >/dev/null 2>&1; then
  FAST_BUILD_ARGS+=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=mold)
fi
