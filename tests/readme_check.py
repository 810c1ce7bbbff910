#!/usr/bin/env python3
"""readme_check.py [--update] [--all] [--only N] README BUILDDIR SRCDIR

The console examples of README.md are real runs, and stay so.  Every fenced block without a
language tag is a transcript: lines "$ CMD" are commands, the lines after one (up to the next
"$ " or the end of the block) its expected output (standard output and standard error, as a
terminal shows them).  Each command runs with sh in one scratch folder shared by the whole
README (examples/, rules/ and bench/ linked from the source tree; the build's feynn first on
PATH), in the order of the README, and its output must match:

  - a line "..." stands for any number of lines (none included);
  - "[...]" inside a line stands for any text (timings, machine-dependent figures);
  - trailing blanks are ignored.

"cat FILE" where FILE does not exist yet writes the expected output to FILE first: the README
shows the input files it uses, and those are the files used.  A block preceded by the comment
line "<!-- readme-check: skip REASON -->" is not run (minutes-long jobs, benchmarks); the
reason is printed.  A command must exit 0 unless its block is preceded by
"<!-- readme-check: status N -->".  In a block preceded by "<!-- readme-check: tolerance R -->"
every number of an expected line matches a number within relative R of it (figures of trained
networks, which move with the CPU's BLAS kernels); the words around them must match exactly.
--all runs the skipped blocks too (`make readme-check`).

--update rewrites, in place, the expected output of every block whose run differs (elisions
in such a block are lost: put them back by hand); --only N checks block N only.
Exit 0 when every block matches, 1 otherwise."""
import os
import re
import subprocess
import sys
import tempfile
import time


def blocks(lines):
    """(start, end, skip_reason, status, tolerance) of each plain fenced block; lines[start] is
    the fence."""
    out = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip() == "```":
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            skip, status, tol = None, 0, None
            for k in range(max(0, i - 3), i):
                m = re.match(r"<!-- readme-check: skip (.*?) -->", lines[k].strip())
                if m:
                    skip = m.group(1)
                m = re.match(r"<!-- readme-check: status (\d+) -->", lines[k].strip())
                if m:
                    status = int(m.group(1))
                m = re.match(r"<!-- readme-check: tolerance ([0-9.]+) -->", lines[k].strip())
                if m:
                    tol = float(m.group(1))
            out.append((i, j, skip, status, tol))
            i = j + 1
        elif lines[i].startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            i = j + 1
        else:
            i += 1
    return out


def commands(body):
    """[(cmd, [expected lines])] of a block body."""
    out = []
    for line in body:
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line.rstrip())
    return out


NUMBER = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"


def line_matches(pat, s, tol=None):
    if tol is None:
        if "[...]" not in pat:
            return pat == s
        parts = [re.escape(p) for p in pat.split("[...]")]
        return re.fullmatch(".*".join(parts), s, re.S) is not None
    # numbers within relative tol: each number of the pattern becomes a captured number
    want, parts = [], []
    for lit in pat.split("[...]"):
        rx, last = "", 0
        for m in re.finditer(NUMBER, lit):
            rx += re.escape(lit[last:m.start()]) + "(" + NUMBER + ")"
            want.append(float(m.group(0)))
            last = m.end()
        parts.append(rx + re.escape(lit[last:]))
    m = re.fullmatch(".*".join(parts), s, re.S)
    if m is None:
        return False
    return all(abs(float(g) - w) <= tol * abs(w) for g, w in zip(m.groups(), want))


def matches(exp, act, tol=None):
    """exp with "..." lines against act (lists of lines), by backtracking."""
    memo = {}

    def go(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(exp):
            r = j == len(act)
        elif exp[i].strip() == "...":
            r = any(go(i + 1, k) for k in range(j, len(act) + 1))
        else:
            r = j < len(act) and line_matches(exp[i], act[j], tol) and go(i + 1, j + 1)
        memo[key] = r
        return r

    return go(0, 0)


def main(argv):
    update = "--update" in argv
    run_all = "--all" in argv
    argv = [a for a in argv if a not in ("--update", "--all")]
    only = None
    if "--only" in argv:
        k = argv.index("--only")
        only = int(argv[k + 1])
        del argv[k:k + 2]
    readme, builddir, srcdir = argv[1:4]
    with open(readme) as fp:
        lines = fp.read().split("\n")
    scratch = tempfile.mkdtemp(prefix="feynn_readme.")
    for name in ("examples", "rules", "bench"):
        os.symlink(os.path.join(os.path.abspath(srcdir), name), os.path.join(scratch, name))
    env = dict(os.environ)
    env["PATH"] = os.path.abspath(builddir) + os.pathsep + env.get("PATH", "")
    env["COLUMNS"] = "100"
    bad = 0
    n = 0
    replacements = []
    for bi, (start, end, skip, status, tol) in enumerate(blocks(lines), 1):
        cmds = commands(lines[start + 1:end])
        if not cmds:
            continue
        if only is not None and bi != only:
            continue
        where = "%s:%d" % (readme, start + 1)
        if skip is not None and not run_all:
            n += 1
            print("ok %d - %s %s # SKIP %s" % (n, where, cmds[0][0][:60], skip))
            continue
        new_body = []
        block_ok = True
        for cmd, exp in cmds:
            m = re.fullmatch(r"cat (\S+)", cmd)
            if m and not os.path.exists(os.path.join(scratch, m.group(1))):
                with open(os.path.join(scratch, m.group(1)), "w") as fp:
                    fp.write("\n".join(exp) + "\n")
            t0 = time.time()
            p = subprocess.run(cmd, shell=True, cwd=scratch, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True,
                               errors="replace")
            act = [l.rstrip() for l in p.stdout.split("\n")]
            while act and act[-1] == "":
                act.pop()
            exp_t = list(exp)
            while exp_t and exp_t[-1] == "":
                exp_t.pop()
            n += 1
            ok = matches(exp_t, act, tol) and p.returncode == status
            desc = "%s $ %s (%.1f s)" % (where, cmd[:70], time.time() - t0)
            if ok:
                print("ok %d - %s" % (n, desc))
                new_body += ["$ " + cmd] + exp
            else:
                block_ok = False
                print("not ok %d - %s" % (n, desc))
                if p.returncode != status:
                    print("# exit status %d, want %d" % (p.returncode, status))
                print("# expected:")
                for l in exp_t[:40]:
                    print("#   " + l)
                print("# got:")
                for l in act[:60]:
                    print("#   " + l)
                new_body += ["$ " + cmd] + act
        if not block_ok:
            bad = 1
            replacements.append((start + 1, end, new_body))
    print("1..%d" % n)
    if update and replacements:
        for s, e, body in sorted(replacements, reverse=True):
            lines[s:e] = body
        with open(readme, "w") as fp:
            fp.write("\n".join(lines))
        print("# %s: %d block(s) rewritten from real runs" % (readme, len(replacements)))
    subprocess.run(["rm", "-rf", scratch])
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv))
