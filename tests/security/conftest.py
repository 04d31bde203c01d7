"""The security tests' figures (README "Security and reliability") are counted in
tests/security/figures.py and printed by tests/conftest.py's terminal summary."""

from tests.security import figures
from tests.support import workers


def pytest_sessionfinish(session):
    workers.publish(session.config, "security_figures", figures.export())
