#!/usr/bin/env bash
# Runs Open vSwitch's own test suite (Debian's openvswitch-source, the
# installed version's) twice on the same groups: with the C tools, then with
# ovskit standing in for them (a link named ovs-ofctl to the ovskit binary,
# first on the suite's PATH; no test is changed). Prints one summary line per
# suite and each group that the C tool passes and ovskit fails.
#
# The groups ovskit does not pass yet are listed, by title, in
# scripts/peers/<suite>.todo. The run fails when the C tools fail a group
# (the machine is not fit to judge), when ovskit fails a group that is not
# listed (a regression), and when a listed group passes (the list is stale:
# remove the line). The work directory is .peers/ in the checkout, made here.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/.peers
tarball=/usr/src/openvswitch/openvswitch.tar.gz

[ -e "$tarball" ] || { echo "test-peers: $tarball missing (make deps installs openvswitch-source)" >&2; exit 1; }
# The work directory is ours: made here, owned by us, writable by no one else.
mkdir -p "$work"
chmod 700 "$work"
[ "$(stat -c %u "$work")" = "$(id -u)" ] || { echo "test-peers: $work is not owned by $(id -un)" >&2; exit 1; }

# The source, configured once (configure writes the suite's atconfig and
# atlocal; the suite itself ships generated in the tarball). Nothing of Open
# vSwitch is compiled: the suite runs the installed daemons.
src=$work/openvswitch
stamp=$work/configured.$(sha256sum "$tarball" | cut -c1-16)
if [ ! -e "$stamp" ]; then
  rm -rf "$src" "$work"/configured.*
  tar xzf "$tarball" -C "$work"
  (cd "$src" && ./configure >"$work/configure.log" 2>&1) ||
    { echo "test-peers: configure failed; see $work/configure.log" >&2; exit 1; }
  touch "$stamp"
fi

# ovskit under the C tools' names.
bin=$work/bin
rm -rf "$bin"
mkdir -p "$bin"
go build -o "$bin/ovskit" ./cmd/ovskit
ln -s ovskit "$bin/ovs-ofctl"

sys=/usr/bin:/usr/sbin:/bin:/sbin
status=0
# suite file, tool it exercises
for entry in "ovs-ofctl.at ovs-ofctl"; do
  read -r at tool <<<"$entry"
  groups=$(cd "$src" && ./tests/testsuite -l | awk -v f="$at:" '$2 ~ "^"f {sub(":","",$1); print $1}' | paste -sd' ')
  [ -n "$groups" ] || { echo "test-peers: no groups of $at in the suite" >&2; exit 1; }
  n=$(wc -w <<<"$groups")
  results() { # label, AUTOTEST_PATH: prints "ok|FAILED<TAB>title" per group
    local dir=$work/run.$1
    rm -rf "$dir"
    cp -a "$src/tests" "$dir"
    # The suite's helpers find their data through abs_srcdir (the copy has it).
    (cd "$src" && ./tests/testsuite -C "$dir" -j2 $groups AUTOTEST_PATH="$2" >"$work/$1.log" 2>&1) || true
    sed -nE 's/^ *[0-9]+: (.*[^ ]) +(ok|FAILED \(.*\)|skipped \(.*\))$/\2\t\1/p' "$work/$1.log" | sed -E 's/^(FAILED|skipped) \([^)]*\)/\1/'
  }
  ref=$(results ref "$sys")
  got=$(results ovskit "$bin:$sys")
  ref_ok=$(grep -c $'^ok\t' <<<"$ref" || true)
  got_ok=$(grep -c $'^ok\t' <<<"$got" || true)
  todo_file=scripts/peers/$at.todo
  todo=$(grep -v '^#' "$todo_file" 2>/dev/null | sed '/^$/d' || true)
  echo "peers: tests/$at: $tool $ref_ok of $n groups pass, ovskit as $tool $got_ok of $n"
  if [ "$ref_ok" -ne "$n" ]; then
    echo "test-peers: $tool itself fails $((n - ref_ok)) groups of $at (see $work/ref.log)" >&2
    status=1
  fi
  while IFS=$'\t' read -r res title; do
    [ -n "$title" ] || continue
    listed=no
    grep -qxF "$title" <<<"$todo" && listed=yes
    case "$res/$listed" in
      ok/yes) echo "peers: $at: \"$title\" passes now: remove it from $todo_file"; status=1 ;;
      ok/no) ;;
      */yes) echo "peers: $at: not yet: $title" ;;
      *) echo "peers: $at: FAILS: $title (see $work/run.ovskit)"; status=1 ;;
    esac
  done <<<"$got"
done
exit $status
