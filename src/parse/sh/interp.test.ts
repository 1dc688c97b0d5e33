/**
 * The interpreter against bash itself: each pure-shell snippet (no network, no files) is run
 * by `bash -c` and by runShell, and both must print the same and exit the same.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runShell } from "./interp.js";

function bash(script: string): { stdout: string; status: number } {
  try {
    const stdout = execFileSync("bash", ["-c", script, "t.sh"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return { stdout, status: 0 };
  } catch (e) {
    const x = e as { stdout: string; status: number };
    return { stdout: x.stdout, status: x.status };
  }
}

function ours(script: string): { stdout: string; status: number } {
  const r = runShell(script, "t.sh", { keepStdout: true });
  return { stdout: r.stdout ?? "", status: r.status };
}

const CASES: Record<string, string> = {
  "indexed arrays as setup scripts use them": [
    'a=(x "y z" w); a+=(v); echo ${#a[@]} ${a[1]} ${a[-1]} $a ${a[@]}',
    'for i in "${a[@]}"; do echo "[$i]"; done; echo "${a[*]}"; printf "<%s>" ${a[@]}; echo',
    "n=${#a[@]}; for ((k=0; k<n; k++)); do echo $k:${a[k]}; done",
    "ifs=(eth0\n  eth1); b=(); echo ${#b[@]} ${#ifs[@]} ${ifs[@]/eth/en}x",
    "f() { local -a l=(p q); echo ${l[@]} ${#l[@]}; }; f; declare -a d; d+=(1 2); echo ${d[0]}",
    'declare -a m=(10.0.0.0/8 192.168.0.0/16); for net in "${m[@]}"; do echo $net; done',
    'unset m; echo "${#m[@]}" "${m[@]}"x',
  ].join("\n"),
  "array elements assigned one by one": [
    "a[0]=x; a[2]=z; a[1]+=y; echo ${#a[@]} ${a[@]} $a ${a[2]} ${a[-1]}",
    'i=3; b[i]=p; b[$i+1]="q r"; b[i*2]=s; echo ${#b[@]} "${b[@]}" ${b[4]}',
    "s=one; s[1]=two; echo ${s[@]} $s; unset 's[0]'; echo ${#s[@]} ${s[@]} x${s}x",
    "for k in 0 1 2; do sq[k]=$((k*k)); done; echo ${sq[*]}; sq[-1]=last; echo ${sq[@]}",
  ].join("\n"),
  "process substitution of commands the shell answers": [
    "while read l; do echo \"<$l>\"; done < <(printf 'a\\nb c\\n')",
    "cat <(echo x) <(echo y); echo <(true)",
    "n=0; while read -r w; do n=$((n+1)); done < <(seq 5); echo $n",
  ].join("\n"),
  "arithmetic for loops": [
    "n=3; for ((i=0; i<n; i++)); do echo i=$i; done; echo after=$i",
    "for ((i=10; i>0; i-=4))\ndo echo $i; [ $i -lt 5 ] && break; done",
    "for (( ; ; )); do c=$((c+1)); [ $c -gt 2 ] && break; done; echo c=$c",
    "for ((i=0; i<4; i++)); do [ $i = 1 ] && continue; echo $i; done",
  ].join("\n"),
  "arithmetic is 64-bit and wraps":
    "echo $((2**63)) $((2**62*2)) $((-9223372036854775807-1)) $((1<<63>>63))",
  "arithmetic operators and assignment":
    "a=5; echo $((a+=3)) $a $((a++)) $a $((--a)) $((a>3?10:20)) $((7/2)) " +
    "$((-7%3)) $((0x1f)) $((010)) $((2#101)) $((1&&0||2))",
  "arithmetic of a big mark":
    "echo $((0xff000000 | 0x1)) $(( (1<<32) - 1 )) $((~0)) $((-(1<<63)/-1))",
  "arith on unset and nested": "echo $(( $(( 1 + $((2*3)) )) * 2 )) $((u + 1))",
  "parameter expansions":
    "x=hello.tar.gz; e=; " +
    "echo ${x%.*} ${x%%.*} ${x#*.} ${x##*.} ${#x} ${x/l/L} ${x//l/L} ${x:1:3} " +
    "${x: -2} ${x^^} ${e:-dflt} ${u-unset} ${e-set} ${x:+alt} ${e:+alt}x",
  "default assignment": "echo ${v:=7} $v; X=${1:-eth0}; echo $X",
  "positional parameters, shift and set --":
    'set -- a "b c" d; echo $#; for i in "$@"; do echo "[$i]"; done; shift; ' +
    'echo "$1" $#; set -- ; echo $#',
  "$* and $@ joined and split":
    'set -- "a b" c; echo "$*"; printf "<%s>" $*; echo; printf "<%s>" "$@"; echo',
  functions: 'f() { local x=$1; echo "f:$x:$#"; return 3; }; x=out; f one two; echo $? $x',
  "function recursion":
    "fact() { if [ $1 -le 1 ]; then echo 1; " +
    "else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }; fact 10",
  "if elif else":
    'for v in 1 2 3; do if [ "$v" = 1 ]; then echo one; elif [ "$v" -eq 2 ]; ' +
    "then echo two; else echo other; fi; done",
  "while and until":
    "i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done; until [ $i -eq 0 ]; " +
    "do i=$((i-1)); done; echo $i",
  "break and continue":
    "for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done",
  case:
    'for w in eth0 wlan0 tun5 x; do case "$w" in eth*|en*) echo wired;; ' +
    "wlan?) echo wifi;; tun[0-9]) echo tun;; *) echo other;; esac; done",
  "test operators":
    '[ -z "" ] && echo z; [ -n a ] && echo n; [ a != b ] && echo ne; ' +
    "[ 3 -gt 2 -a 1 -lt 2 ] && echo and; [ ! -z x ] && echo not; " +
    'test 1 -eq 2 || echo no; [ "(" = "(" ] && echo paren',
  "[[ ]] patterns":
    "[[ eth0 == eth* ]] && echo m; [[ -n x && 1 -lt 2 ]] && echo both; " +
    "[[ abc =~ ^a.c$ ]] && echo re",
  "command substitution and quoting":
    'a=$(echo "x  y"); echo $a; echo "$a"; b=`echo bq`; echo "$b" \'$b\' "\\$b"',
  "pipelines and read":
    'printf "a b\\nc d\\n" | while read x y; do echo "$y-$x"; done; ' +
    'echo "k=v" | { IFS== read k v; echo $k $v; }',
  "here-documents":
    "cat <<EOF\nx=$((1+1)) ${NOPE:-h}\n\\$lit\nEOF\ncat <<'E'\n$not\nE\ncat " +
    "<<-T\n\tstripped\n\tT\n",
  "exit status of ! and pipelines":
    "! false; echo $?; false | true; echo $?; true && false || echo or",
  "set -e stops at a failure outside conditions":
    "set -e; false || true; if false; then :; fi; echo before; false; echo after",
  "exit inside a subshell": "(exit 3); echo $?; x=$(exit 4); echo $?",
  "printf formats":
    'printf "%5s|%-4d|%04x|%o|%c|%%|%s\\n" ab 7 255 8 xyz; printf "%s," a b c; ' +
    'echo; printf "%d\\n" "\'A"',
  "echo options": 'echo -n a; echo -e "b\\tc"; echo -- d',
  "IFS splitting":
    'IFS=:; x="a::b"; for f in $x; do echo "[$f]"; done; IFS=" "; ' +
    'y="  lead  trail  "; for f in $y; do echo "<$f>"; done',
  "unset variables expand to nothing": 'echo "[$nope]" [${nope}]',
  "brace group and subshell variables": "x=1; { x=2; }; echo $x; (x=3); echo $x",
  "eval and nested quoting": 'cmd="echo \\"a  b\\""; eval $cmd; eval "y=5"; echo $y',
  "case with fallthrough-free default and status": "case x in y) echo no;; esac; echo $?",
  "for without in uses positional": "set -- p q; for a; do echo $a; done",
  "arithmetic command": "(( 3 > 2 )) && echo yes; (( 0 )) || echo zero; i=0; (( i++ )); echo $i",
  "UTF-8 BOM": "\ufeffecho bom",
  "trap EXIT runs at the end": "trap 'echo bye $?' EXIT; echo hi; (exit 3); exit 4",
  "seq, basename and dirname":
    'for i in $(seq 3) $(seq 8 -3 2); do printf "%s " $i; done; ' +
    "basename /etc/wireguard/wg0.conf .conf; dirname /etc/wireguard/wg0.conf; dirname x",
  "here-document inside $(…)": 'x=$(cat <<EOF\na $((1+1))\nEOF\n); echo "[$x]"',
  "while read from a here-string and a redirected group":
    'while read a b; do echo "$b/$a"; ' +
    'done <<< "1 2"; { echo in; echo out; } > /dev/null; echo after',
  "nested functions, return status and local scoping":
    "g() { local v=inner; return 5; }; " +
    'f() { local v=outer; g; echo "$? $v"; }; v=top; f; echo $v',
  "trap - EXIT drops it": "trap 'echo bye' EXIT; trap - EXIT; echo hi",
};

describe("the shell agrees with bash (stdout and exit status)", () => {
  for (const [name, script] of Object.entries(CASES))
    it(name, () => {
      expect(ours(script)).toEqual(bash(script.replace(/^\ufeff/, "")));
    });
});
