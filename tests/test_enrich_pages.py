"""HTML records, the pages source, the target crawl and outbound-link exports.

Network tests serve virtual hosts from one aiohttp server on 127.0.0.1; a dict resolver
maps every name to it.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest
from aiohttp import web

from detector.enrich.base import NetworkConfig
from detector.enrich.html import parse_page, style_hides
from detector.enrich.http import default_resolver, dict_resolver
from detector.enrich.pages import (
    PageSource,
    crawl_target_outbound,
    crawl_target_outbound_async,
    read_outbound_export,
)
from detector.errors import EmptyInputError, InputError, UnrecognisedFormatError
from tests.conftest import free_port

# --- html records -----------------------------------------------------------------------------

HIDDEN_STYLES = {
    "display": 'style="display: none"',
    "visibility": 'style="visibility:hidden"',
    "fontsize": 'style="font-size:0px"',
    "offscreen": 'style="position:absolute; left:-9999px"',
    "indent": 'style="text-indent:-5000px"',
    "attribute": "hidden",
    "class": 'class="sr-gone"',
}

HANDCRAFTED = f"""<!doctype html>
<html lang="id-ID"><head>
<title>  Daftar Slot
 Gacor </title>
<meta name="generator" content="WordPress 6.4.2">
<meta name="robots" content="noindex, follow">
<link rel="canonical" href="https://blog.mysite.com/post">
<link rel="stylesheet" href="https://blog.mysite.com/wp-content/themes/flavor-pro/style.css">
<style>.sr-gone {{ display:none }} .fine {{ color: red }}</style>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF"></script>
<script>gtag('config', 'UA-1234567-3'); fbq('init', '123456789012345');</script>
<script>(adsbygoogle = window.adsbygoogle || []).push({{}}); var c = "ca-pub-9876543210123456";</script>
</head><body>
<nav><a href="/about-us/">About us</a> <a href="/kontakt">Kontakt</a> <a href="/privacy-policy">Privacy</a></nav>
<h1>Hello readers</h1>
<p>This is a sponsored post about travel. Want to write for us? Read our rules.</p>
<p class="fine">Visible <a href="https://target-site.com/page" rel="nofollow sponsored">target anchor</a> here.</p>
{"".join(f'<div {attr}><a href="https://{name}.hidden-site.com/">{name} link</a> secret {name}</div>'
         for name, attr in HIDDEN_STYLES.items())}
<div style="display:none"><div><span hidden><b style="display:none">nested secret</b><a href="https://deep.hidden-site.com/">deep</a></span></div></div>
<span style="font-size: 0"><a href="https://target-site.com/">hidden target</a></span>
<a href="mailto:me@mysite.com">mail</a> <a href="javascript:void(0)">js</a> <a href="#top">top</a>
<a href="page2.html"><img src="x.png" alt="Next page"></a>
<script>document.write("not visible text")</script>
</body></html>"""


def test_record_title_language_meta_and_sizes():
    rec = parse_page(HANDCRAFTED, "https://blog.mysite.com/post/")
    assert rec["title"] == "Daftar Slot Gacor"
    assert rec["language"] == "id-id"
    assert rec["meta_robots"] == "noindex, follow"
    assert rec["canonical"] == "https://blog.mysite.com/post"
    assert rec["html_bytes"] == len(HANDCRAFTED.encode())
    assert 0 < rec["text_html_ratio"] < 1
    assert rec["text_chars"] == len(rec["text"])
    json.dumps(rec)  # JSON-able


def test_hidden_links_in_every_style_and_hidden_text_excluded():
    rec = parse_page(HANDCRAFTED, "https://blog.mysite.com/post/")
    by_href = {link["href"]: link for link in rec["links"]}
    for name in HIDDEN_STYLES:
        assert by_href[f"https://{name}.hidden-site.com/"]["hidden"], name
        assert f"secret {name}" not in rec["text"]
    assert by_href["https://deep.hidden-site.com/"]["hidden"]  # hidden ancestor
    assert not by_href["https://target-site.com/page"]["hidden"]
    assert by_href["https://target-site.com/page"]["rel"] == ["nofollow", "sponsored"]
    assert by_href["https://target-site.com/"]["hidden"]
    assert rec["hidden_links"] == len(HIDDEN_STYLES) + 2
    assert "not visible text" not in rec["text"]
    assert "secret display" in rec["hidden_text"] and "nested secret" in rec["hidden_text"]
    assert rec["hidden_text"].count("nested secret") == 1  # nested hidden nodes counted once
    assert rec["hidden_words"] == len(rec["hidden_text"].split())
    assert "Visible target anchor here." in rec["text"]


def test_links_absolute_internal_external_and_skipped_schemes():
    rec = parse_page(HANDCRAFTED, "https://blog.mysite.com/post/")
    hrefs = [link["href"] for link in rec["links"]]
    assert "https://blog.mysite.com/about-us/" in hrefs
    assert "https://blog.mysite.com/post/page2.html" in hrefs
    assert not any(h.startswith(("mailto:", "javascript:")) or h.endswith("#top") for h in hrefs)
    image_link = next(link for link in rec["links"] if link["href"].endswith("page2.html"))
    assert image_link["text"] == "Next page"
    assert rec["internal_links"] == 4
    assert rec["external_links"] == len(HIDDEN_STYLES) + 3
    assert rec["link_count"] == rec["internal_links"] + rec["external_links"]
    assert "target-site.com" in rec["external_domains"]


def test_ids_cms_trust_pages_and_markers():
    rec = parse_page(HANDCRAFTED, "https://blog.mysite.com/post/", target_keys={"target-site.com"})
    assert set(rec["analytics_ids"]) == {"G-AB12CD34EF", "UA-1234567-3", "fb_pixel:123456789012345",
                                         "ca-pub-9876543210123456"}
    assert rec["cms"]["generator"] == "WordPress 6.4.2"
    assert rec["cms"]["cms"] == "wordpress" and rec["cms"]["theme"] == "flavor-pro"
    assert rec["trust_pages"] == {"about": True, "contact": True, "privacy": True}
    assert {"sponsored_post", "write_for_us"} <= set(rec["markers"])
    assert [link["href"] for link in rec["target_links"]] == ["https://target-site.com/page",
                                                             "https://target-site.com/"]


def test_plain_page_has_no_false_markers():
    html = ("<html><body><h1>Ferns of the Pacific</h1><p>Ferns grow well in shade. "
            "<a href='https://b-site.com/x' style='color:blue'>source</a></p></body></html>")
    rec = parse_page(html, "http://a-site.com/")
    assert rec["language"] is None and rec["title"] is None
    assert rec["analytics_ids"] == [] and rec["markers"] == []
    assert rec["trust_pages"] == {"about": False, "contact": False, "privacy": False}
    assert rec["hidden_links"] == 0 and rec["word_count"] == 10


def test_text_cap_keeps_full_word_count():
    html = "<html><body><p>" + "word " * 10_000 + "</p></body></html>"
    rec = parse_page(html, "http://a-site.com/", max_text_chars=100)
    assert len(rec["text"]) == 100 and rec["word_count"] == 10_000


@pytest.mark.parametrize("style,hidden", [
    ("display:none", True), ("DISPLAY : NONE !important", True), ("opacity:0", True),
    ("height:0; overflow:hidden", True), ("position:fixed; top:-800px", True),
    ("font-size:0.0em", True), ("display:block", False), ("left:-9999px", False),
    ("font-size:11px", False), ("", False),
])
def test_style_hides(style, hidden):
    assert style_hides(style) is hidden


# --- the pages source ----------------------------------------------------------------------------

SITES = {
    "pbn-site.com": {
        "/post": "<html><body><p>Great post</p><a href='https://www.target-site.com/shop' rel='sponsored'>"
                 "best shoes</a></body></html>",
        "/": "<html><title>PBN home</title><body><a href='/post'>post</a></body></html>",
    },
    "hacked-site.com": {
        "/news": "<html><body><p>Council news</p><div style='display:none'>"
                 "<a href='http://target-site.com/'>slot gacor</a></div></body></html>",
        "/": "<html><body>Council</body></html>",
    },
    "gone-site.com": {"/": "<html><body>Only a home page</body></html>"},
    "target-site.com": {
        "/": "<html><body><a href='/about'>About</a> <a href='https://partner-site.com/'>partner</a>"
             "<a href='/blog/'>Blog</a> <a href='/file.pdf'>pdf</a></body></html>",
        "/about": "<html><body><a href='https://friend-site.com/x'>friend</a><a href='/'>home</a></body></html>",
        "/blog/": "<html><body><a href='http://www.target-site.com/blog/2'>next</a>"
                  "<a href='https://pbn-site.com/post'>pbn</a></body></html>",
        "/blog/2": "<html><body><a href='https://third-site.com/'>third</a></body></html>",
    },
}


def _app(hits: list) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        host = (request.host or "").split(":")[0].removeprefix("www.")
        hits.append((host, request.path))
        if request.path == "/robots.txt":
            return web.Response(status=404)
        body = SITES.get(host, {}).get(request.path)
        if body is None:
            return web.Response(status=404, text="missing")
        return web.Response(text=body, content_type="text/html")

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    return app


@asynccontextmanager
async def serving(hits: list):
    port = free_port()
    runner = web.AppRunner(_app(hits), shutdown_timeout=0.2)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port
    finally:
        await runner.cleanup()


NAMES = {name: ["127.0.0.1"] for site in SITES for name in (site, "www." + site)}


def _config(port: int, **overrides) -> NetworkConfig:
    return replace(NetworkConfig(http_port=port, https_port=port, http_timeout=2.0, per_host_rate=1000.0,
                                 allow_private_addresses=True, retries=0), **overrides)


LINKING = {
    "pbn-site.com": ["http://pbn-site.com/post"],
    "hacked-site.com": ["http://hacked-site.com/news", "http://hacked-site.com/news"],
    "gone-site.com": ["http://gone-site.com/deleted"],
    "dead-site.com": ["http://dead-site.com/page"],
}


def _lookups(**overrides):
    hits: list = []

    async def scenario():
        async with serving(hits) as port:
            async with PageSource(_config(port, **overrides), LINKING, {"target-site.com"},
                                  resolve=dict_resolver(NAMES)) as source:
                return {d: await source.lookup(d) for d in ["pbn-site.com", "hacked-site.com", "gone-site.com", "dead-site.com"]}

    return asyncio.run(asyncio.wait_for(scenario(), 25)), hits


def test_page_source_backlinks_rel_hidden_and_failures():
    lookups, hits = _lookups()
    pbn = lookups["pbn-site.com"]
    assert pbn.ok and pbn.kind == "pages"
    roles = [page["role"] for page in pbn.data["pages"]]
    assert roles == ["linking", "home"]
    linking = pbn.data["pages"][0]
    assert linking["backlink"]["present"] and not linking["backlink"]["hidden"]
    assert linking["backlink"]["rel"] == ["sponsored"] and not linking["backlink"]["followed"]
    assert pbn.data["pages"][1]["record"]["title"] == "PBN home"
    json.dumps(pbn.to_json())

    hacked = lookups["hacked-site.com"]
    assert len(hacked.data["pages"]) == 2  # duplicate linking URL fetched once, plus home
    assert hacked.data["pages"][0]["backlink"] == {
        **hacked.data["pages"][0]["backlink"], "present": True, "hidden": True, "followed": True}
    assert hits.count(("hacked-site.com", "/news")) == 1

    gone = lookups["gone-site.com"]  # linking page 404, home page fine: still ok
    assert gone.ok and gone.data["pages"][0]["error"] == "HTTP 404"
    assert gone.data["pages"][0]["backlink"] is None and gone.data["pages"][1]["ok"]

    dead = lookups["dead-site.com"]  # no address at all: nothing fetched
    assert not dead.ok
    assert "no address for dead-site.com" in dead.error and "linking page" in dead.error


def test_page_source_refuses_loopback_without_allow():
    lookups, hits = _lookups(allow_private_addresses=False)
    assert not lookups["pbn-site.com"].ok
    assert "address 127.0.0.1 is loopback" in lookups["pbn-site.com"].error
    assert hits == []


def test_home_page_that_is_the_linking_page_is_fetched_once():
    source = PageSource(NetworkConfig(), {"a-site.com": ["http://a-site.com/"]}, {"t-site.com"})
    assert source.urls_for("a-site.com") == [("linking+home", "http://a-site.com/")]
    source = PageSource(NetworkConfig(), {"a-site.com": ["https://a-site.com/1", "https://a-site.com/2",
                                                     "https://a-site.com/3", "https://a-site.com/4"]}, {"t-site.com"})
    assert source.urls_for("a-site.com") == [("linking", "https://a-site.com/1"), ("linking", "https://a-site.com/2"),
                                         ("linking", "https://a-site.com/3"), ("home", "https://a-site.com/")]
    assert PageSource(NetworkConfig(), {}, {"t-site.com"}).urls_for("b-site.com") == [("home", "http://b-site.com/")]


def test_crawl_target_outbound_collects_external_domains():
    hits: list = []

    async def scenario():
        async with serving(hits) as port:
            full = await crawl_target_outbound_async(_config(port), {"target-site.com"}, resolve=dict_resolver(NAMES))
            short = await crawl_target_outbound_async(_config(port), {"target-site.com"}, max_pages=1,
                                                      resolve=dict_resolver(NAMES))
            return full, short

    full, short = asyncio.run(asyncio.wait_for(scenario(), 25))
    assert full == {"partner-site.com", "friend-site.com", "pbn-site.com", "third-site.com"}
    assert short == {"partner-site.com"}
    assert ("target-site.com", "/file.pdf") not in hits


def test_crawl_target_outbound_sync_wrapper_runs_its_own_loop():
    # no server: the only host has no address, so nothing is found and nothing is sent
    assert crawl_target_outbound(NetworkConfig(), {"nowhere-site.com"}, resolve=dict_resolver({})) == set()


# --- outbound-link exports -----------------------------------------------------------------------

def test_read_outbound_export_plain_list(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("# my outgoing links\nhttps://www.Partner-site.com/page\nfriend.co.uk\n"
                    "domain:third-site.com\n\nnot a domain at all\n", encoding="utf-8")
    assert read_outbound_export(path) == {"partner-site.com", "friend.co.uk", "third-site.com"}


def test_read_outbound_export_csv_picks_the_target_column(tmp_path):
    path = tmp_path / "ahrefs.csv"
    text = ("Referring page URL\tTarget URL\tAnchor\n"
            "https://mymysite.com/a\thttps://blog.partner-site.com/x\tpartner\n"
            "https://mymysite.com/b\thttp://other-site.com/\tother\n")
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))  # Ahrefs' Excel export
    assert read_outbound_export(path) == {"partner-site.com", "other-site.com"}
    linked = tmp_path / "linked.csv"
    linked.write_text('"Linked domain","DR"\n"a-site.com","10"\n"b-site.com","20"\n', encoding="utf-8-sig")
    assert read_outbound_export(linked) == {"a-site.com", "b-site.com"}


def test_read_outbound_export_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match="missing.csv"):
        read_outbound_export(tmp_path / "missing.csv")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n# nothing\n")
    with pytest.raises(EmptyInputError, match="empty.txt"):
        read_outbound_export(empty)
    bad = tmp_path / "bad.csv"
    bad.write_text("Anchor,Clicks\nhello there,3\n")
    with pytest.raises(UnrecognisedFormatError, match=r"bad.csv: line 1: .*'Target URL'"):
        read_outbound_export(bad)


# --- end to end: a served synthetic world ------------------------------------------------------------

@pytest.mark.slow
def test_pages_against_a_served_world():
    """Real pages, failures and hidden links of a generated world become lookups and features."""
    from detector.signals.content import content_features
    from detector.simulate.config import WorldConfig
    from detector.simulate.generate import generate_world
    from detector.simulate.serve import serve_world

    world = generate_world(WorldConfig.preset("medium", n_domains=80, seed=10))
    target = world.targets[0]
    linking: dict[str, list[str]] = {}
    for domain, url in zip(world.links["domain"], world.links["source_url"]):
        linking.setdefault(domain, []).append(url)
    # the socket guard allows 127.0.0.1 only: serve there, resolve the world's names through
    # its DNS server, then send the (loopback) answers to 127.0.0.1
    with serve_world(world, slow_seconds=6.0, bind_all_addresses=False) as served:
        config = served.network_config(http_timeout=3.0, per_host_rate=50.0, retries=0)
        world_dns = default_resolver(config)

        async def resolve(host: str) -> list[str]:
            return ["127.0.0.1" if a.startswith("127.") else a for a in await world_dns(host)]

        async def scenario():
            async with PageSource(config, linking, {target}, resolve=resolve) as source:
                results = await asyncio.gather(*(source.lookup(d) for d in linking))
            return {r.domain: r for r in results}

        lookups = asyncio.run(asyncio.wait_for(scenario(), 60))

    truth = world.referring.set_index("domain")
    expected_reason = {"404": "HTTP 404", "500": "HTTP 500", "redirect_loop": "redirect loop",
                       "slow": "timeout after 3s", "gzip_bomb": "after decompression",
                       "non_html": "not HTML (application/pdf)", "oversized": "body over"}
    live = world.links[world.links["lost_at"].isna()]
    for domain, lookup in lookups.items():
        row = truth.loc[domain]
        if row["dns_failure"]:
            reason = {"servfail": "SERVFAIL", "timeout": "DNS failure"}.get(row["dns_failure"], "no address")
            assert not lookup.ok and reason in lookup.error, (domain, lookup.error)
        elif row["http_failure"]:
            assert not lookup.ok, domain
            assert expected_reason[row["http_failure"]] in lookup.error, (domain, lookup.error)
        else:
            assert lookup.ok, (domain, lookup.error)
            page = lookup.data["pages"][0]
            assert page["ok"], (domain, page["error"])
            if domain in set(live["domain"]):
                assert page["backlink"]["present"], domain
    features = content_features(lookups, set(lookups)).set_index("domain")
    healthy = truth[(truth["dns_failure"] == "") & (truth["http_failure"] == "")].index
    failed = truth.index.difference(healthy).intersection(features.index)
    assert features.loc[failed, "content_backlink_present"].isna().all()  # failure = unknown, not 0
    hidden = set(live.loc[live["placement"] == "hidden", "domain"]) & set(healthy)
    assert hidden and (features.loc[sorted(hidden), "content_backlink_hidden"] == 1).all()
    nofollow = live.groupby("domain")["rel"].agg(lambda r: all("nofollow" in x for x in r))
    flagged = [d for d in nofollow[nofollow].index if d in healthy and d in lookups]
    assert flagged
    for domain in flagged:  # the world's rel is what the page really says
        assert "nofollow" in lookups[domain].data["pages"][0]["backlink"]["rel"], domain
    # the feature is 1 only when no link to the target on the page passes credit
    single = [d for d in flagged if len(lookups[d].data["pages"][0]["backlink"]["links"]) == 1]
    assert single and (features.loc[single, "content_backlink_nofollow"] == 1).all()
