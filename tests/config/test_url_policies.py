"""Every view declares a permission policy; no URL can ship without one."""

from django.urls import URLPattern, URLResolver, get_resolver

# Django's admin guards itself (staff only) and is not part of the service's pages.
EXEMPT_NAMESPACES = {"admin"}


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_view_declares_a_permission_policy():
    views = list(walk(get_resolver().url_patterns))
    assert len(views) >= 5
    missing = [route for route, view in views if not getattr(view, "permission_policy", None)]
    assert missing == [], f"views without a permission policy: {missing}"


def test_only_sign_in_sign_out_single_sign_on_accessibility_and_healthz_are_public():
    # Single sign-on's start and return must be reachable before signing in; the accessibility
    # statement must be readable by someone who cannot sign in.
    public = sorted(
        route
        for route, view in walk(get_resolver().url_patterns)
        if getattr(view, "permission_policy", None) == "public"
    )
    assert public == [
        "accessibility/",
        "accounts/login/",
        "accounts/logout/",
        "accounts/oidc/callback/",
        "accounts/oidc/start/",
        "healthz",
    ]
