"""Figures the security tests print at the end of the run (README "Security and reliability")."""

from tests.security import figures


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for line in figures.summary_lines():
        terminalreporter.write_line(line)
