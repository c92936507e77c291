"""`make audit`: known vulnerabilities in the locked dependencies (issue 14 point 15).

Python: pip-audit over every package of uv.lock (all extras, exported pinned), with PyPI's
advisory data. Console: `npm audit --omit=dev` over console/package-lock.json. Exit 0 when both
audited clean, 1 when either found a vulnerability, 2 when an advisory service could not be
reached (then nothing is claimed about that half: it says so, it does not pass silently).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CLEAN, VULNERABLE, UNREACHABLE = 0, 1, 2


def python_audit() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        reqs, report = Path(tmp) / "requirements.txt", Path(tmp) / "audit.json"
        subprocess.run(
            [BIN / "uv", "export", "-q", "--frozen", "--all-extras", "--no-emit-project",
             "--no-hashes", "-o", reqs],
            cwd=ROOT, check=True,
        )  # fmt: skip
        run = subprocess.run(
            [BIN / "pip-audit", "-r", reqs, "--no-deps", "--disable-pip", "--progress-spinner",
             "off", "-f", "json", "-o", report],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if not report.exists():
            print(run.stderr.strip())
            print("python: pip-audit could not reach PyPI's advisory data: NOT audited")
            return UNREACHABLE
        deps = json.loads(report.read_text())["dependencies"]
    skipped = [d for d in deps if d.get("skip_reason")]
    vulnerable = [d for d in deps if d.get("vulns")]
    for d in vulnerable:
        for v in d["vulns"]:
            fix = ", ".join(v.get("fix_versions") or []) or "no fix yet"
            print(f"python: {d['name']} {d['version']}: {v['id']} (fixed in {fix})")
    if skipped:
        print(
            f"python: PyPI's advisory data (the JSON API, /pypi/<name>/<version>/json) did not "
            f"answer for {len(skipped)} of {len(deps)} locked packages, e.g. "
            f"{skipped[0]['name']}: {skipped[0]['skip_reason']}"
        )
        print("python: those packages were NOT audited; run `make audit` where PyPI is reachable")
        return VULNERABLE if vulnerable else UNREACHABLE
    if vulnerable:
        return VULNERABLE
    print(f"python: {len(deps)} locked packages, no known vulnerability")
    return CLEAN


def npm_audit() -> int:
    console = ROOT / "console"
    if not (console / "package-lock.json").exists():
        print("console: no package-lock.json, nothing to audit")
        return CLEAN
    run = subprocess.run(
        ["npm", "audit", "--omit=dev", "--json"], cwd=console, capture_output=True, text=True
    )
    try:
        out = json.loads(run.stdout or "{}")
    except json.JSONDecodeError:
        out = {}
    if "vulnerabilities" not in out:
        why = out.get("message") or run.stderr.strip().splitlines()[-1:] or "no answer"
        print(f"console: npm's advisory service could not be reached ({why}): NOT audited")
        return UNREACHABLE
    found = out["vulnerabilities"]
    for name, v in sorted(found.items()):
        print(f"console: {name} ({v.get('severity')}): {v.get('range')}")
    if found:
        print("console: `npm audit --omit=dev` in console/ for the details")
        return VULNERABLE
    deps = out.get("metadata", {}).get("dependencies", {}).get("prod", "?")
    print(f"console: {deps} production packages, no known vulnerability")
    return CLEAN


def main() -> int:
    results = [python_audit(), npm_audit()]
    if VULNERABLE in results:
        return VULNERABLE
    return max(results)


if __name__ == "__main__":
    sys.exit(main())
