#!/usr/bin/env python3
"""Checks the Markdown documentation, from the repository root: python3 docs/check-docs.py

1. Every relative link in README.md, CONTRIBUTING.md, SECURITY.md, CHANGELOG.md and docs/*.md resolves: the file
   exists and, for a link with #anchor, that file has a heading whose GitHub slug is the anchor.
2. README's first screen (its first 45 lines) holds what a Jetty user decides on: the dependency, the embedded
   one-liner, the jetty-home module, the Spring Boot property, the demo command and the test command.
Exits 1, naming each problem, when either fails.
"""
import glob
import os
import re
import sys

FIRST_SCREEN = [
    "<artifactId>jetty-sqlite-sessions</artifactId>",
    "addBean(new SQLiteSessionDataStoreFactory",
    "--add-modules=session-store-sqlite",
    "jetty.sessions.sqlite.file",
    "mvn -q -pl examples/embedded -am compile exec:java",
    "mvn verify",
]


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def outside_code(path):
    fence = False
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.startswith("```"):
            fence = not fence
        elif not fence:
            yield number, line


def anchors(path):
    seen, found = {}, set()
    for _, line in outside_code(path):
        match = re.match(r"#{1,6} (.*)", line)
        if match:
            base = slug(match.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(files):
    problems = []
    for path in files:
        for number, line in outside_code(path):
            for target in re.findall(r"\]\(([^)\s]+)\)", line):
                if re.match(r"[a-z]+:", target):
                    continue
                file, _, anchor = target.partition("#")
                dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
                if not os.path.exists(dest):
                    problems.append(f"{path}:{number}: {target}: no file {dest}")
                elif anchor and (not dest.endswith(".md") or anchor not in anchors(dest)):
                    problems.append(f"{path}:{number}: {target}: no heading #{anchor} in {dest}")
    return problems


def first_screen_gaps():
    screen = "".join(open("README.md", encoding="utf-8").readlines()[:45])
    return [f"README.md: not in the first 45 lines: {item}" for item in FIRST_SCREEN if item not in screen]


if __name__ == "__main__":
    files = [f for f in ["README.md", "CONTRIBUTING.md", "SECURITY.md", "CHANGELOG.md"] if os.path.exists(f)]
    files += sorted(glob.glob("docs/*.md"))
    problems = broken_links(files) + first_screen_gaps()
    for problem in problems:
        print(problem)
    print(f"{len(files)} files checked: {'ok' if not problems else f'{len(problems)} problems'}")
    sys.exit(1 if problems else 0)
