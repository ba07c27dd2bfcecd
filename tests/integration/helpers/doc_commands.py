#!/usr/bin/env python3
"""doc_commands.py PHIWALL FILE... — check every `phiwall ...` command the docs show.

A reader copies the commands of README.md, docs/*.md and contrib/ as written, so each one must
parse. For every command found (fenced code blocks, `\\`-continued lines joined, and inline code
spans) this checks, against the built program:
  - the command exists (`phiwall help` lists it; `audit` takes verify or list);
  - every option is one that `phiwall CMD --help` lists, and one that takes a value has one
    (`--opt VALUE` or `--opt=VALUE`), while a switch is not given `=VALUE`;
  - examples in code blocks that name no placeholder (FILE, `<…>`, `[…]`, `…`, `$VAR`) are run
    with `--help` appended, in an empty directory: the program's own parser reads every option
    and value before `--help` answers, so exit 0 means the line parses (nothing is scanned or
    started).
The usage and example lines of every `phiwall CMD --help` are checked the same way.
Prints one line per problem (FILE:LINE: command: problem) and exits 1 if there is any, else
prints how many commands it checked.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

COMMANDS = ("scan", "trackers", "redact", "gateway", "audit", "help", "version")
# `phiwall` as a program name: not phiwall-demo-server, phiwall.js, "phiwall (privacy audit)"
START = re.compile(r"(?:(?<=^)|(?<=[\s;&|(`/=\"']))phiwall(?=\s+(?:[a-z]+|-{1,2}[a-zA-Z<]|<))")
PLACEHOLDER = re.compile(r"…|\.\.\.|<[^>]*>|\[|\]|\$|\bFILE\b|\bURL\b|\bDIR\b|\bPATH\b|\bTIME\b|"
                         r"\bHASH\b|\bID\b|\bNAME\b|\bADDR\b|\bEVENT\b|\bSEVERITY\b|\bFMT\b")


def run(argv, cwd=None):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                       stdin=subprocess.DEVNULL, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def help_options(text):
    """{option: takes_value} from a --help text; short options share their long one's."""
    opts = {}
    for m in re.finditer(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])( [^\s-]| |\n|=|,|$)?",
                         text):
        name, after = m.group(1), m.group(2) or ""
        takes = len(after) == 2 and after[0] == " " and after[1] not in "|("
        opts[name] = opts.get(name, False) or takes
    for m in re.finditer(r"(?<![\w-])(-[a-zA-Z]), (--[a-z][a-z0-9-]*)", text):
        opts[m.group(1)] = opts.get(m.group(1), False) or opts.get(m.group(2), False)
    return opts


def code_lines(path):
    """(line number, text) of every line a reader would copy: fenced blocks (continuations
    joined) and inline code spans elsewhere; every line of a non-Markdown file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, fenced, is_md = [], False, path.endswith(".md")
    i = 0
    while i < len(lines):
        line, no = lines[i], i + 1
        if is_md and line.lstrip().startswith("```"):
            fenced = not fenced
            i += 1
            continue
        if fenced or (not is_md and not line.lstrip().startswith("#")):
            while line.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line.rstrip()[:-1] + " " + lines[i].strip()
            if is_md or re.match(r"(Exec\w*=)?(\S*/)?phiwall\s", line.strip()):
                out.append((no, line, True))  # a .service's Exec lines are commands
        else:  # prose, and comments of a non-Markdown file: only what is in backticks
            for span in re.findall(r"``?([^`]+)``?", line):
                out.append((no, span, False))
        i += 1
    return out


def commands_in(text):
    """Each `phiwall …` command in a line, cut where the shell would end it."""
    found = []
    for m in START.finditer(text):
        before = re.sub(r"\S*$", "", text[:m.start()]).split()
        if before and re.search(r"\.(py|sh|mjs)$", before[-1]):
            continue  # `bench/demo_eval.py build/phiwall demo`: an argument, not a command
        rest = text[m.end():]
        depth, end = 0, len(rest)
        for j, ch in enumerate(rest):
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth = max(0, depth - 1)
            elif depth == 0 and (ch in ";<>`)" or (ch == "|") or
                                 (ch == "#" and (j == 0 or rest[j - 1].isspace())) or
                                 rest.startswith("&&", j)):
                end = j
                break
        found.append(rest[:end].strip())
    return found


def tokens(cmd):
    flat = re.sub(r"\[|\]", " ", cmd).replace(" | ", " ")
    try:
        return shlex.split(flat)
    except ValueError:
        return flat.split()


def main():
    phiwall, files = os.path.abspath(sys.argv[1]), sys.argv[2:]
    rc, listing, _ = run([phiwall, "help"])
    if rc != 0:
        print("phiwall help failed", file=sys.stderr)
        return 2
    known = [c for c in COMMANDS if re.search(r"^  %s " % c, listing, re.M)]
    helps = {}
    for c in known:
        if c in ("help", "version"):
            helps[c] = {"-h": False, "--help": False}
            continue
        rc, text, _ = run([phiwall, c, "--help"])
        helps[c] = help_options(text) if rc == 0 else {}
    helps["--version"] = helps["-V"] = helps["--help"] = helps["-h"] = {}
    problems, checked, dry = [], 0, 0
    empty = tempfile.mkdtemp(prefix="doc-commands-")
    # each command's --help is documentation too: its usage and example lines are checked like
    # a doc's (options and values; not run, they name placeholders)
    sources = []
    for c in known:
        if c not in ("help", "version"):
            text = run([phiwall, c, "--help"])[1]
            lines = [(no, ln, True) for no, ln in enumerate(text.split("\n"), 1)
                     if re.match(r"\s*(Usage:)?\s*phiwall ", ln)]
            sources.append(("`phiwall %s --help`" % c, lines))
    sources += [(os.path.relpath(p), code_lines(p)) for p in files]
    for rel, lines in sources:
        for no, line, example in lines:
            for cmd in commands_in(line):
                argv = tokens(cmd)
                if not argv:
                    continue
                where = "%s:%d: phiwall %s" % (rel, no, cmd)
                sub = argv[0]
                if sub.startswith("<"):
                    continue  # `phiwall <command> --help`
                if sub not in helps:
                    problems.append("%s: unknown command '%s'" % (where, sub))
                    continue
                checked += 1
                opts, args = helps[sub], argv[1:]
                if sub == "audit" and args and args[0] not in ("verify", "list") and \
                        not args[0].startswith("-"):
                    problems.append("%s: audit takes verify or list, not '%s'" % (where, args[0]))
                bad = False
                for k, a in enumerate(args):
                    if not a.startswith("-") or a == "-" or a[1:2].isdigit():
                        continue
                    if k > 0 and args[k - 1] in opts and opts[args[k - 1]] and \
                            "=" not in args[k - 1]:
                        continue  # a value that starts with '-' (--browser-arg=--x is fine)
                    name, _, value = a.partition("=")
                    if name not in opts:
                        problems.append("%s: '%s' is not an option of `phiwall %s --help`"
                                        % (where, name, sub))
                        bad = True
                    elif opts[name] and not value and (
                            (k + 1 >= len(args) and example) or
                            (k + 1 < len(args) and args[k + 1].startswith("-") and
                             args[k + 1] != "-")):  # prose may name an option alone
                        problems.append("%s: '%s' needs a value" % (where, name))
                        bad = True
                    elif not opts[name] and value:
                        problems.append("%s: '%s' takes no value" % (where, name))
                        bad = True
                if bad or not example or PLACEHOLDER.search(cmd) or \
                        sub in ("--help", "-h", "help") or "'" in cmd and "…" in cmd:
                    continue
                dry += 1
                rc, _, err = run([phiwall] + argv + ["--help"], cwd=empty)
                if rc == 2:  # 3: a named file could not be read, after the options parsed
                    problems.append("%s: does not parse (exit %d): %s"
                                    % (where, rc, err.strip().split("\n")[0]))
    os.rmdir(empty)
    for p in problems:
        print(p)
    print("%d commands checked (%d parsed by phiwall itself), %d problems"
          % (checked, dry, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
