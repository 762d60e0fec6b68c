#!/usr/bin/env bash
# The Debian package, built from this build tree and unpacked into a temporary root (dpkg -x, no root and no
# container needed): its Depends line is computed, and the faultline in it runs --version and checks the
# bundled example it installs, with the rule links pointing at the docs it installs.
# Exit code 77 (ctest's SKIP_RETURN_CODE) when the packaging tools are missing.
# usage: deb_package.sh BUILD_DIR
set -uo pipefail
build_dir=$1
for tool in cpack dpkg-deb dpkg-shlibdeps; do
  if ! command -v "$tool" >/dev/null; then
    echo "deb: skipped: $tool is not installed (apt-get install dpkg-dev cmake)"
    exit 77
  fi
done
fail() {
  echo "deb: $*" >&2
  exit 1
}
unset FAULTLINE_DOCS_URL # the links must come from the installed docs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack -G DEB failed"; }
debs=("$work"/out/faultline_*.deb)
[[ -f ${debs[0]} ]] || fail "no faultline_*.deb in $work/out"
deb=${debs[0]}
echo "deb: $(basename "$deb") ($(du -h "$deb" | cut -f1))"

depends=$(dpkg-deb -f "$deb" Depends)
echo "deb: Depends: $depends"
[[ $depends == *libc6* ]] || fail "the Depends line was not computed from the linked libraries: '$depends'"

root=$work/root
dpkg -x "$deb" "$root" || fail "dpkg -x failed"
binary=$root/usr/bin/faultline
[[ -x $binary ]] || fail "no usr/bin/faultline in the package"
version=$("$binary" --version) || fail "faultline --version failed"
[[ $version =~ ^faultline\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version printed '$version'"
echo "deb: $version"

example=$root/usr/share/doc/faultline/examples/binary_softmax.py
[[ -f $example ]] || fail "the package has no examples/binary_softmax.py"
[[ -f $root/usr/share/doc/faultline/rules.md ]] || fail "the package has no docs (rules.md)"
out=$("$binary" check --format json "$example")
code=$?
((code == 1)) || fail "check on the installed example exited with $code, not 1 (a known fault)"
grep -q '"code": "FL111"' <<<"$out" || fail "check found no FL111 on the installed example"
# The rule links resolve to the docs installed beside the binary.
grep -q "\"href\": \"file://$root/usr/share/doc/faultline/rules.md#fl111\"" <<<"$out" ||
  fail "the rule link does not point at the installed rules.md: $(grep -m1 href <<<"$out")"
echo "deb: check on the installed example found FL111, linked to the installed rules.md"
