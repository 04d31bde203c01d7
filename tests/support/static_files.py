"""Static files found once per test process, not once per test Client.

With ``DJANGO_DEBUG`` on (the default outside production, so in `make test`),
``WHITENOISE_USE_FINDERS`` is on, and WhiteNoise lists and stats every static file through the
finders each time Django builds a middleware chain. The test Client builds one for each
instance, and the suite makes thousands of instances: the permission matrix alone makes nine
per URL. Each build took 39 ms on the CI machine, for 199 files.

The files do not change while the suite runs. The first scan's responders are kept and given
to every later middleware that has the same static settings. Each middleware still reads
``STATIC_ROOT`` itself, as before. Nothing else about serving a static file changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware

_scan = WhiteNoiseMiddleware.add_files_from_finders
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


def _add_files_from_finders_once(self: WhiteNoiseMiddleware) -> None:
    key = _key(self)
    if key not in _scanned:
        before = dict(self.files)
        _scan(self)
        _scanned[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
    self.files.update(_scanned[key])


def scan_once() -> None:
    """From now on in this process, a WhiteNoise middleware scans the finders only where no
    earlier one with the same settings did."""
    WhiteNoiseMiddleware.add_files_from_finders = _add_files_from_finders_once  # type: ignore[method-assign]
