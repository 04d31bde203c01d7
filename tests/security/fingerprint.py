"""A fingerprint of everything the service keeps: per model, the row count and a hash of every
row (ordered by primary key). Two databases with equal fingerprints hold the same portfolio.

Run as a script against DATABASE_URL: ``python -m tests.security.fingerprint`` prints JSON.
"""

import hashlib
import json

APPS = ("accounts", "portfolio", "governance", "benefits", "dashboard")


def portfolio_fingerprint() -> dict[str, dict[str, object]]:
    from django.apps import apps

    result: dict[str, dict[str, object]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        for row in model._default_manager.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
            count += 1
        result[model._meta.label] = {"count": count, "sha256": digest.hexdigest()}
    return result


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    django.setup()
    print(json.dumps(portfolio_fingerprint(), sort_keys=True))
