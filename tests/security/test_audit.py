"""bin/audit (make audit) fails on any finding not explained in the allow-list, and on an audit
that could not run. The real pip-audit and bandit are replaced by stand-ins printing set JSON."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_PIP_AUDIT = textwrap.dedent(
    f"""\
    #!{sys.executable}
    import os, sys
    args = sys.argv[1:]
    sys.stderr.write(os.environ.get("FAKE_PIP_AUDIT_STDERR", ""))
    report = os.environ.get("FAKE_PIP_AUDIT_JSON")
    if report is not None:
        open(args[args.index("--output") + 1], "w").write(report)
    sys.exit(int(os.environ.get("FAKE_PIP_AUDIT_EXIT", "0")))
    """
)
FAKE_BANDIT = textwrap.dedent(
    f"""\
    #!{sys.executable}
    import os
    print(os.environ.get("FAKE_BANDIT_JSON", '{{"errors": [], "results": []}}'))
    """
)

CLEAN_DEPENDENCIES = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "celery", "version": "5.7.0", "vulns": []},
    ]
}
DJANGO_VULN = {
    "dependencies": [
        {
            "name": "Django",
            "version": "5.2.19",
            "vulns": [
                {
                    "id": "PYSEC-2099-1",
                    "aliases": ["GHSA-aaaa-bbbb-cccc", "CVE-2099-0001"],
                    "fix_versions": ["5.2.20"],
                    "description": "Denial of service in a feature.",
                }
            ],
        }
    ]
}
BANDIT_FINDING = {
    "errors": [],
    "results": [
        {
            "filename": str(ROOT / "config" / "health.py"),
            "line_number": 12,
            "test_id": "B608",
            "issue_severity": "MEDIUM",
            "issue_text": "Possible SQL injection vector through string-based query construction.",
        }
    ],
}


@pytest.fixture
def audit(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in [("pip-audit", FAKE_PIP_AUDIT), ("bandit", FAKE_BANDIT)]:
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    allowlist = tmp_path / "audit-allowlist.toml"

    def run(allow: str = "", pip_audit=CLEAN_DEPENDENCIES, bandit=None, **env: str):
        allowlist.write_text(allow)
        fake = {"AUDIT_BIN": str(bin_dir), "AUDIT_ALLOWLIST": str(allowlist)}
        if pip_audit is not None:
            fake["FAKE_PIP_AUDIT_JSON"] = json.dumps(pip_audit)
        if bandit is not None:
            fake["FAKE_BANDIT_JSON"] = json.dumps(bandit)
        result = subprocess.run(
            [sys.executable, "bin/audit"],
            cwd=ROOT,
            env={**os.environ, **fake, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return result.returncode, result.stdout + result.stderr

    return run


def test_a_clean_audit_passes_and_says_what_it_checked(audit):
    status, output = audit()
    assert status == 0, output
    assert "pip-audit: 2 of 2 locked dependencies checked, 0 known vulnerabilities" in output
    assert "audit: clean: no unexplained findings." in output


def test_an_unexplained_vulnerability_fails_naming_package_id_and_fix(audit):
    status, output = audit(pip_audit=DJANGO_VULN, FAKE_PIP_AUDIT_EXIT="1")
    assert status == 1
    assert "Django 5.2.19: PYSEC-2099-1 (fixed in 5.2.20): Denial of service" in output


def test_a_vulnerability_explained_by_one_of_its_aliases_passes(audit):
    allow = '[[pip_audit]]\nid = "CVE-2099-0001"\npackage = "django"\nreason = "Not used."\n'
    status, output = audit(allow, pip_audit=DJANGO_VULN, FAKE_PIP_AUDIT_EXIT="1")
    assert status == 0, output
    assert "1 known vulnerabilities, 1 explained" in output


def test_an_allow_list_entry_without_a_reason_is_refused(audit):
    allow = '[[pip_audit]]\nid = "CVE-2099-0001"\npackage = "django"\nreason = " "\n'
    status, output = audit(allow, pip_audit=DJANGO_VULN)
    assert status == 2
    assert "[[pip_audit]] entry 1 has no reason" in output


def test_dependencies_pip_audit_could_not_check_fail_the_audit(audit):
    skipped = {
        "dependencies": [
            {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be "
             "audited: django (5.2.19)"}
        ]
    }  # fmt: skip
    status, output = audit(pip_audit=skipped)
    assert status == 1
    assert "pip-audit could not check 1 of 1 locked dependencies" in output
    assert "NOT audited" in output


def test_unreachable_vulnerability_data_is_said_plainly(audit):
    status, output = audit(
        pip_audit=None,
        FAKE_PIP_AUDIT_EXIT="1",
        FAKE_PIP_AUDIT_STDERR="requests.exceptions.ConnectionError: Max retries exceeded\n",
    )
    assert status == 1
    assert "pip-audit could not reach PyPI's vulnerability data" in output
    assert "the dependency audit did not run" in output


def test_an_unexplained_bandit_finding_fails_and_an_explained_one_passes(audit):
    status, output = audit(bandit=BANDIT_FINDING)
    assert status == 1
    assert "config/health.py:12: B608 (medium severity): Possible SQL injection" in output
    allow = '[[bandit]]\ntest_id = "B608"\nfile = "config/health.py"\nreason = "Fixed SQL."\n'
    status, output = audit(allow, bandit=BANDIT_FINDING)
    assert status == 0, output


def test_ci_warns_loudly_when_the_vulnerability_data_is_unreachable_but_findings_still_fail(audit):
    skipped = {
        "dependencies": [
            {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be "
             "audited: django (5.2.19)"}
        ]
    }  # fmt: skip
    status, output = audit(pip_audit=skipped, AUDIT_UNREACHABLE="warn")
    assert status == 0, output
    assert "WARNING — NOT AUDITED: pip-audit could not check 1 of 1" in output
    status, output = audit(pip_audit=skipped, bandit=BANDIT_FINDING, AUDIT_UNREACHABLE="warn")
    assert status == 1
    assert "B608" in output
