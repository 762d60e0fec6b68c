#!/usr/bin/env bash
# README.md's "Two commands", parsed from the README and checked against this build tree, so the README cannot
# drift from the build. In the first command, each `scripts/...` step must be an executable script of the
# repository (running set-up and a build inside the suite would recurse) and come before the step that uses the
# build; the `build/...` step runs for real, with build/ meaning this build directory, and must do what the README
# says it does: find the known fault of the bundled example (exit code 1, an error or warning line naming the
# file). The second command must be a repository script that CI (.ci/run) runs.
# usage: readme_commands.sh README SOURCE_DIR BUILD_DIR
set -uo pipefail
readme=$1 source_dir=$2 build_dir=$3
fail() {
  echo "readme: $*" >&2
  exit 1
}

block=$(awk '/^## Two commands/ {s = 1; next} s && /^## / {exit} s && /^```sh/ {b = 1; next} b && /^```/ {exit} b' \
  "$readme")
mapfile -t commands < <(grep -v '^[[:space:]]*#' <<<"$block" | grep -v '^[[:space:]]*$')
((${#commands[@]} == 2)) || fail "the sh block under '## Two commands' has ${#commands[@]} commands, not 2"

# A step naming a script of the repository: present and executable.
check_script() {
  [[ $1 == scripts/* || $1 == .ci/* ]] || return 1
  [[ -f $source_dir/$1 && -x $source_dir/$1 ]] || fail "'$1' (in: $2) is not an executable file of the repository"
}

cd "$source_dir" || fail "no source dir $source_dir"
built=0 ran=0
mapfile -t parts < <(sed 's/[[:space:]]*&&[[:space:]]*/\n/g' <<<"${commands[0]}")
for part in "${parts[@]}"; do
  read -r -a words <<<"$part"
  program=${words[0]:-}
  if [[ $program == build/* ]]; then
    ((built)) || fail "'$program' runs before any step builds it: ${commands[0]}"
    binary=$build_dir/${program#build/}
    [[ -x $binary ]] || fail "'$program' does not exist in the build tree ($binary): ${commands[0]}"
    out=$("$binary" "${words[@]:1}" 2>&1)
    code=$?
    echo "$out"
    ((code == 1)) || fail "'$part' exited with $code; the README promises a known fault (exit code 1)"
    target=${words[${#words[@]} - 1]}
    [[ -f $target ]] || fail "'$target' (in: $part) is not a file of the repository"
    grep -Eq "^$target:[0-9]+:[0-9]+: (error|warning): " <<<"$out" ||
      fail "'$part' printed no error or warning on $target"
    ran=1
  else
    check_script "$program" "${commands[0]}" || fail "'$program' is neither a repository script nor build/...: ${commands[0]}"
    [[ $program == scripts/build ]] && built=1
  fi
done
((ran)) || fail "the first command runs nothing from the build: ${commands[0]}"

read -r -a words <<<"${commands[1]}"
second=${words[0]:-}
check_script "$second" "${commands[1]}" || fail "the second command is not a repository script: ${commands[1]}"
grep -Eq "(^|[[:space:]])(bash[[:space:]]+)?$second([[:space:]]|$)" .ci/run ||
  fail "CI (.ci/run) does not run the README's second command '$second'"
grep -q 'CI runs `bash .ci/run`' "$readme" || fail "README no longer says what CI runs"
echo "readme: both commands check out"
