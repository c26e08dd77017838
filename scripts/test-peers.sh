#!/usr/bin/env bash
# Runs the projects' own test suites twice on the same groups: with the C
# tools, then with ovskit standing in for one of them (a link named
# ovs-ofctl, ovs-vsctl or ovn-nbctl to the ovskit binary, first on the
# suite's PATH; no test is changed). Prints one summary line per suite and
# each group that the C tool passes and ovskit fails.
#
# Open vSwitch's suite (tests/ovs-ofctl.at, tests/ovs-vsctl.at) comes from
# Debian's openvswitch-source, the installed version's. OVN's
# tests/ovn-nbctl.at (every group: direct mode, and daemon mode, where
# ovn-nbctl runs as a server and the lines go through its control socket)
# comes from testdata/upstream/ovn-23.03.1, the installed ovn-nbctl's
# version, built with autom4te against Open vSwitch's macros.
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

# OVN's ovn-nbctl.at, generated once per content of its files: autom4te
# with Open vSwitch's macros (m4/compat.m4), an atconfig naming this tree,
# an atlocal from OVN's atlocal.in, the NB schema of the same version at the
# top (the suite creates its database from $abs_top_srcdir/ovn-nb.ovsschema)
# and the uuidfilt.py the OVS and OVN trees share.
upstream=testdata/upstream/ovn-23.03.1
ovn=$work/ovn
ovnstamp=$work/ovn.$( (cat "$stamp"; find "$upstream" testdata/schemas/ovn-nb-23.03.0.ovsschema -type f | sort | xargs sha256sum) | sha256sum | cut -c1-16)
if [ ! -e "$ovnstamp" ]; then
  rm -rf "$ovn" "$work"/ovn.*
  mkdir -p "$ovn"
  cp -a "$upstream/tests" "$ovn/tests"
  cp testdata/schemas/ovn-nb-23.03.0.ovsschema "$ovn/ovn-nb.ovsschema"
  cp "$src/tests/uuidfilt.py" "$ovn/tests/"
  (cd "$ovn" && autom4te --language=autotest -I . -I "$src" -o tests/nbctlsuite tests/nbctlsuite.at) ||
    { echo "test-peers: autom4te failed on $upstream/tests/nbctlsuite.at" >&2; exit 1; }
  cat >"$ovn/tests/atconfig" <<EOF
at_testdir='tests'
abs_builddir='$ovn/tests'
at_srcdir='.'
abs_srcdir='$ovn/tests'
at_top_srcdir='..'
abs_top_srcdir='$ovn'
at_top_build_prefix='../'
abs_top_builddir='$ovn'
at_top_builddir=\$at_top_build_prefix
EXEEXT=''
AUTOTEST_PATH='tests'
SHELL=\${CONFIG_SHELL-'/bin/bash'}
EOF
  # The keys and certificates the suite's ssl groups use ($PKIDIR is its
  # tests directory), made as OVN's tests/automake.mk makes them: ovs-pki
  # init, then req+sign per name (those ovn-nbctl.at uses).
  (cd "$ovn/tests" && ovs-pki --dir="$ovn/tests/pki" --log="$ovn/tests/ovs-pki.log" init >/dev/null 2>&1 &&
    cp pki/switchca/cacert.pem testpki-cacert.pem &&
    cd pki && for cn in test hv1 hv2 hv3; do
      ovs-pki --dir="$ovn/tests/pki" --log="$ovn/tests/ovs-pki.log" -u req+sign "$cn" >/dev/null 2>&1 &&
        for f in cert privkey req; do cp "$cn-$f.pem" "../testpki-$cn-$f.pem"; done || exit 1
    done) || { echo "test-peers: ovs-pki failed; see $ovn/tests/ovs-pki.log" >&2; exit 1; }
  sed -e 's/@HAVE_OPENSSL@/yes/; s/@OPENSSL_SUPPORTS_SNI@/yes/; s/@HAVE_UNBOUND@/no/' \
    -e 's/@EGREP@/grep -E/; s/@PYTHON3@/python3/g' "$ovn/tests/atlocal.in" >"$ovn/tests/atlocal"
  touch "$ovnstamp"
fi

# ovskit, then under each C tool's name in a directory of its own: a
# suite runs with ovskit standing in for its one tool (the others, which
# its macros use to set up, stay the C tools).
rm -rf "$work"/bin "$work"/bin.*
mkdir -p "$work/bin"
go build -o "$work/bin/ovskit" ./cmd/ovskit

sys=/usr/bin:/usr/sbin:/bin:/sbin
status=0
# suite file, tool it exercises, the suite's tree and program, its groups
# (a pattern on the titles of the file's groups), more arguments
for entry in \
  "ovs-ofctl.at|ovs-ofctl|$src|testsuite|.|" \
  "ovs-vsctl.at|ovs-vsctl|$src|testsuite|.|" \
  "ovn-nbctl.at|ovn-nbctl|$ovn|nbctlsuite|.|ovs_srcdir=$src"; do
  IFS='|' read -r at tool tree suite pattern extra <<<"$entry"
  bin=$work/bin.$tool
  mkdir -p "$bin"
  ln -s ../bin/ovskit "$bin/$tool"
  groups=$(cd "$tree" && "./tests/$suite" -l |
    awk -v f="$at:" -v p="$pattern" '$2 ~ "^"f && $0 ~ p {sub(":","",$1); print $1}' | paste -sd' ')
  [ -n "$groups" ] || { echo "test-peers: no groups of $at in $tree/tests/$suite" >&2; exit 1; }
  n=$(wc -w <<<"$groups")
  results() { # label, AUTOTEST_PATH: prints "ok|FAILED<TAB>title" per group
    # Inside the source tree: the suite finds its helpers at
    # ../../../tests from a group's directory (uuidfilt.py, ...).
    local dir=$tree/run.$1
    rm -rf "$dir"
    cp -a "$tree/tests" "$dir"
    # The suite's helpers find their data through abs_srcdir (the copy has it).
    (cd "$tree" && "./tests/$suite" -C "$dir" -j2 $groups AUTOTEST_PATH="$2" $extra >"$work/$1.log" 2>&1) || true
    sed -nE 's/^ *[0-9]+: (.*[^ ]) +(ok|FAILED \(.*\)|skipped \(.*\))$/\2\t\1/p' "$work/$1.log" | sed -E 's/^(FAILED|skipped) \([^)]*\)/\1/'
  }
  ref=$(results "ref.$tool" "$sys")
  got=$(results "ovskit.$tool" "$bin:$sys")
  # A group the suite skips with the C tool (a prerequisite this machine
  # lacks, as the suite itself decides) is not judged.
  skipped=$(sed -n $'s/^skipped\t//p' <<<"$ref")
  n=$((n - $(grep -c . <<<"$skipped" || true)))
  got=$(while IFS=$'\t' read -r res title; do
    grep -qxF -- "$title" <<<"$skipped" || printf '%s\t%s\n' "$res" "$title"
  done <<<"$got")
  ref_ok=$(grep -c $'^ok\t' <<<"$ref" || true)
  got_ok=$(grep -c $'^ok\t' <<<"$got" || true)
  todo_file=scripts/peers/$at.todo
  todo=$(grep -v '^#' "$todo_file" 2>/dev/null | sed '/^$/d' || true)
  note=""
  [ -z "$skipped" ] || note=" ($(grep -c . <<<"$skipped") skipped by the suite here, not counted)"
  echo "peers: tests/$at: $tool $ref_ok of $n groups pass, ovskit as $tool $got_ok of $n$note"
  if [ "$ref_ok" -ne "$n" ]; then
    echo "test-peers: $tool itself fails $((n - ref_ok)) groups of $at (see $work/ref.$tool.log)" >&2
    status=1
  fi
  while IFS=$'\t' read -r res title; do
    [ -n "$title" ] || continue
    listed=no
    grep -qxF -- "$title" <<<"$todo" && listed=yes
    case "$res/$listed" in
      ok/yes) echo "peers: $at: \"$title\" passes now: remove it from $todo_file"; status=1 ;;
      ok/no) ;;
      */yes) echo "peers: $at: not yet: $title" ;;
      *) echo "peers: $at: FAILS: $title (see $tree/run.ovskit.$tool)"; status=1 ;;
    esac
  done <<<"$got"
done
exit $status
