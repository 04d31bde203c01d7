"""Static files found once per test process, not once per test Client.

WhiteNoise lists and stats every static file each time Django builds a middleware chain, and
the test Client builds one for each instance: the suite makes thousands of instances (the
permission matrix alone makes nine per URL). It lists two places:

- the finders (``WHITENOISE_USE_FINDERS``, on with ``DJANGO_DEBUG`` as in `make test`): 199
  files, 39 ms a build on the CI machine;
- ``STATIC_ROOT`` (var/staticfiles), once `collectstatic` has filled it: `make serve` and
  `make bench` do, and so does the suite's own test of `make serve`, part-way through a run.
  From then on every build listed its 1,141 files again: 0.22 s a Client on a slow 2-core
  machine, a quarter of the permission matrix's time.

The files do not change while the suite runs, but for that collectstatic, which copies the
files the finders already serve. Each place's first scan's responders are kept and given to
every later middleware that has the same static settings. Nothing else about serving a static
file changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware

_scan = WhiteNoiseMiddleware.add_files_from_finders
_scan_directory = WhiteNoiseMiddleware.update_files_dictionary
_scanned: dict[tuple, dict[str, Any]] = {}


def _key(middleware: WhiteNoiseMiddleware) -> tuple:
    """What a scan's responders depend on: the static settings and the responders' headers."""
    return (
        middleware.static_prefix,
        middleware.max_age,
        middleware.allow_all_origins,
        middleware.charset,
        middleware.index_file,
        middleware.add_headers_function,
        tuple(map(str, settings.STATICFILES_DIRS)),
        tuple(settings.STATICFILES_FINDERS),
        settings.STORAGES["staticfiles"]["BACKEND"],
    )


def _once(self: WhiteNoiseMiddleware, key: tuple, scan: Any) -> None:
    """``scan()`` adds responders to ``self.files``: the first time for this key, run and kept;
    later, the kept ones added instead."""
    if key not in _scanned:
        before = dict(self.files)
        scan()
        _scanned[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
    self.files.update(_scanned[key])


def _add_files_from_finders_once(self: WhiteNoiseMiddleware) -> None:
    _once(self, ("finders", *_key(self)), lambda: _scan(self))


def _update_files_dictionary_once(self: WhiteNoiseMiddleware, root: str, prefix: str) -> None:
    _once(self, (root, prefix, *_key(self)), lambda: _scan_directory(self, root, prefix))


def scan_once() -> None:
    """From now on in this process, a WhiteNoise middleware scans the finders and each static
    directory only where no earlier one with the same settings did."""
    WhiteNoiseMiddleware.add_files_from_finders = _add_files_from_finders_once  # type: ignore[method-assign]
    WhiteNoiseMiddleware.update_files_dictionary = _update_files_dictionary_once  # type: ignore[method-assign]
