"""The test suite's WhiteNoise shortcut (tests/support/static_files.py): the finders and each
static directory are walked once per process, and every test Client still serves the static
files."""

from unittest import mock

from django.test import Client
from whitenoise.middleware import WhiteNoiseMiddleware

from tests.support import static_files


def test_a_second_middleware_reuses_the_first_ones_files_without_walking_the_finders(settings):
    settings.WHITENOISE_USE_FINDERS = True  # as DJANGO_DEBUG has it, whatever the environment
    first = WhiteNoiseMiddleware(lambda request: None)
    with mock.patch.object(static_files, "_scan", side_effect=AssertionError("walked again")):
        second = WhiteNoiseMiddleware(lambda request: None)
    assert first.use_finders
    assert "/static/css/app.css" in second.files
    assert second.files["/static/css/app.css"] is first.files["/static/css/app.css"]


def test_every_new_client_still_serves_a_static_file():
    for _ in range(2):
        response = Client().get("/static/css/app.css")
        assert response.status_code == 200
        assert b"".join(response.streaming_content)


def test_a_second_middleware_reuses_a_collected_static_roots_files_without_walking_it(
    settings, tmp_path
):
    """As after `collectstatic` (var/staticfiles): the root is listed by the first middleware
    only."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "collected.css").write_text("body { color: #0b0c0c; }")
    settings.STATIC_ROOT = str(tmp_path)
    first = WhiteNoiseMiddleware(lambda request: None)
    with mock.patch.object(static_files, "_scan_directory", side_effect=AssertionError("again")):
        second = WhiteNoiseMiddleware(lambda request: None)
    assert "/static/css/collected.css" in second.files
    assert second.files["/static/css/collected.css"] is first.files["/static/css/collected.css"]
