"""A URL that answers htmx with a fragment tells caches so: Back never shows a bare fragment."""

from accounts.roles import Role


def test_pages_vary_on_the_htmx_request_header(make_user, client_as):
    client = client_as(make_user(Role.PMO))
    page = client.get("/dashboard/?portfolio=partner-of-choice")
    fragment = client.get(
        "/dashboard/?portfolio=partner-of-choice",
        headers={"HX-Request": "true", "HX-Target": "dashboard-panels"},
    )
    assert "HX-Request" in page["Vary"]
    assert "HX-Request" in fragment["Vary"]
    assert "<html" in page.content.decode()
    assert "<html" not in fragment.content.decode()
