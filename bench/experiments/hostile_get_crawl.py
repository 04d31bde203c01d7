"""Every page a role can reach from its home page (following links, up to 500), then every
field of every GET form found on them (filters, search, sort, page) with hostile values: each
request's status, and the URLs that answered 5xx. Signed in with the Django test Client, as
each demo sign-in in turn (ROLES="pmo manager …")."""

import html
import os
import re
from urllib.parse import urlencode, urlsplit

from django.contrib.auth import get_user_model
from django.test import Client

HOSTILE = [
    "\x00",
    "9" * 30,
    "-1",
    "²",
    "<script>",
    "' OR 1=1--",
    "2026-02-30",
    "%",
    "\u202e",
    "1e309",
    "[]",
    " ",
    "NaN",
]
SKIP = re.compile(
    r"/(logout|sign-out|accounts/logout|oidc)|\.(pdf|xlsx|csv|ics|pptx|zip)|/static/|/odata|/admin"
)


def crawl(username, limit=500):
    c = Client(raise_request_exception=False)
    c.force_login(get_user_model().objects.get(username=username))
    seen, queue, bad, forms = set(), ["/"], [], {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        r = c.get(url)
        if r.status_code >= 500:
            bad.append((url, r.status_code))
        if r.status_code != 200 or "html" not in r.get("Content-Type", "") or r.streaming:
            continue
        body = r.content.decode()
        for href in re.findall(r'href="([^"#]+)"', body):
            href = html.unescape(href)
            p = urlsplit(href)
            if p.netloc or not p.path.startswith("/") or SKIP.search(p.path):
                continue
            # collapse pagination/filters variety: keep query only once per path
            key = p.path + (
                "?" + p.query if p.query and p.path not in {urlsplit(s).path for s in seen} else ""
            )
            if key not in seen:
                queue.append(key)
        for m in re.finditer(r"<form([^>]*)>(.*?)</form>", body, re.S):
            attrs, inner = m.groups()
            if 'method="post"' in attrs.lower():
                continue
            names = set(re.findall(r'name="([^"]+)"', inner)) - {"csrfmiddlewaretoken"}
            action = re.search(r'action="([^"]*)"', attrs)
            target = (
                html.unescape(action.group(1)) if action and action.group(1) else urlsplit(url).path
            )
            if names:
                forms.setdefault(target, set()).update(names)
    for target, names in forms.items():
        for name in sorted(names | {"page", "sort", "q"}):
            for value in HOSTILE:
                u = target + ("&" if "?" in target else "?") + urlencode({name: value})
                r = c.get(u)
                if r.status_code >= 500:
                    bad.append((u, r.status_code))
    return len(seen), sum(len(n) for n in forms.values()), bad


for user in os.environ.get("ROLES", "pmo manager sro board scrutiny viewer").split():
    n, f, bad = crawl(user)
    print(user, "pages", n, "get-form fields", f, "5xx", len(bad))
    for b in bad[:30]:
        print("   ", b)
