"""HTML of every page of the world, rendered on request from a domain's row and seed.

:class:`SiteIndex` holds the world's tables in a form that answers "which domain is this
host, which links sit on this path" in O(1); :meth:`SiteIndex.render` returns the page
(status, content type, body). Nothing is stored per page: the same (host, path) always
renders the same bytes, because every random choice is seeded from the domain's seed and
a stable hash of the path (never Python's salted ``hash``).

What a page carries, by scheme: analytics / ad / tag-manager IDs (``UA-``, ``G-``,
``GTM-``, ``ca-pub-``), CMS generator and theme paths, about/contact pages where the site
has them, outbound links (many on aggregators, bibliographies, directories and farms,
few to money sites on PBNs), the backlink to the target with the world's rel, hidden
gambling/pharma blocks on hacked sites, partner blocks on reciprocal sites, archive
months going back to the domain's history (before its registration for reused expired
domains), and robots.txt rules that block backlink crawlers on some PBN sites.
"""

from __future__ import annotations

import hashlib
import html
import random
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from detector.simulate import vocab

__all__ = ["Page", "SiteIndex"]


@dataclass
class Page:
    """One HTTP answer of the simulated web."""

    status: int  #: HTTP status
    content_type: str = "text/html; charset=utf-8"  #: Content-Type header
    body: bytes = b""  #: body bytes (uncompressed)
    headers: dict[str, str] = field(default_factory=dict)  #: extra headers (Location ...)


def _stable(*parts: Any) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def _a(href: str, text: str, rel: str = "") -> str:
    r = f' rel="{rel}"' if rel else ""
    return f'<a href="{html.escape(href, quote=True)}"{r}>{html.escape(text)}</a>'


_OUTBOUND = {  # (min, max) outbound links on a content page, by kind
    "blog": (2, 12), "news": (5, 20), "forum": (1, 6), "university": (20, 80), "directory": (20, 60),
    "aggregator": (50, 300), "bibliography": (40, 200), "shop": (1, 5), "new_site": (0, 5),
    "foreign_press": (5, 15), "blogroll": (5, 15), "cdn_site": (3, 10), "link_farm": (100, 600),
    "blog_comment": (3, 10), "forum_signature": (2, 8), "profile": (0, 3), "hacked": (20, 60),
    "guest_post": (2, 5), "sitewide_footer": (2, 10), "reciprocal": (10, 40), "parked": (5, 10),
    "gambling": (3, 10), "pharma": (3, 10), "adult": (3, 10), "pbn": (0, 1),
}


def _plain_list(series: pd.Series) -> list:
    """Column values as plain Python objects, missing values as None (fast to index)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        values = [None if v is None else v for v in series.dt.to_pydatetime().tolist()]
        return [None if (v is None or v != v) else v for v in values]
    values = series.astype(object).tolist()
    return [None if (v is None or v is pd.NA or (isinstance(v, float) and v != v)) else v for v in values]


class SiteIndex:
    """Fast look-ups over a world's tables, and the page renderer."""

    def __init__(self, world: "World") -> None:  # noqa: F821
        d = world.domains
        self.world = world
        self.columns = {c: _plain_list(d[c]) for c in d.columns}
        self.position = {name: i for i, name in enumerate(self.columns["domain"])}
        self.names = self.columns["domain"]
        links = world.links
        self.link_cols = {c: links[c].tolist() for c in ("domain", "source_url", "target_url", "anchor", "rel",
                                                         "link_type", "placement", "page_title", "sitewide")}
        self.links_on: dict[tuple[str, str], list[int]] = {}
        self.paths_of: dict[str, list[str]] = {}
        for i, (dom, url) in enumerate(zip(self.link_cols["domain"], self.link_cols["source_url"])):
            path = "/" + url.split("://", 1)[1].split("/", 1)[1] if "/" in url.split("://", 1)[1] else "/"
            key = (dom, path)
            if key not in self.links_on:
                self.paths_of.setdefault(dom, []).append(path)
            self.links_on.setdefault(key, []).append(i)
        self.sitewide_of: dict[str, list[int]] = {}
        for dom, idx in self.paths_of.items():
            first = self.links_on[(dom, idx[0])][0]
            if self.link_cols["sitewide"][first]:
                self.sitewide_of[dom] = self.links_on[(dom, idx[0])][:1]
        self.partners_of: dict[str, list[str]] = {}
        self.press_of: dict[str, list[str]] = {}
        for i, name in enumerate(self.names):
            if self.columns["role"][i] != "referring":
                continue
            target = self.columns["target"][i]
            if self.columns["scheme"][i] == "reciprocal":
                self.partners_of.setdefault(target, []).append(name)
            elif self.columns["kind"][i] == "news" and len(self.press_of.get(target, [])) < 3:
                self.press_of.setdefault(target, []).append(name)
        self.members: dict[int, list[str]] = {}
        for i, nid in enumerate(self.columns["network_id"]):
            if nid is not None and not pd.isna(nid):
                self.members.setdefault(int(nid), []).append(self.names[i])
        nets = world.networks
        self.money_of = {int(r.network_id): str(r.money_sites).split(";") for r in nets.itertuples()} if len(nets) else {}

    # ------------------------------------------------------------------ lookup
    def row(self, i: int) -> dict[str, Any]:
        """The domains-table row ``i`` as a dict (NA as None)."""
        return {c: col[i] for c, col in self.columns.items()}

    def domain_of_host(self, host: str) -> int | None:
        """Row position of the domain a Host header names (apex or ``www.``), else None."""
        host = host.split(":", 1)[0].strip().rstrip(".").lower()
        if host.startswith("www."):
            host = host[4:]
        return self.position.get(host)

    def canonical_host(self, i: int) -> str:
        """The host the site's links use (``www.`` or apex)."""
        return f"www.{self.names[i]}" if self.columns["www"][i] else self.names[i]

    # ------------------------------------------------------------------ render
    def render(self, host: str, path: str) -> Page:
        """The page at ``http://host/path`` (404 page for unknown hosts or paths)."""
        i = self.domain_of_host(host)
        if i is None:
            return Page(404, body=b"<html><body><h1>404 Not Found</h1><p>Unknown host.</p></body></html>")
        path = path.split("?", 1)[0].split("#", 1)[0] or "/"
        r = self.row(i)
        rng = random.Random(_stable(r["seed"], path))
        if path == "/robots.txt":
            return Page(200, "text/plain; charset=utf-8", self._robots(r, rng).encode())
        if r["scheme"] == "parked" and r["role"] == "referring":
            return self._page(r, rng, path, self._parked_body(r, rng, path))
        links = self.links_on.get((r["domain"], path), [])
        if links:
            return self._page(r, rng, path, self._link_page_body(r, rng, path, links))
        if path == "/":
            return self._page(r, rng, path, self._home_body(r, rng))
        if path in ("/about/", "/about") and r["has_about"]:
            return self._page(r, rng, path, f"<h1>About us</h1><p>{self._site_name(r)} is run by a small team "
                                             f"writing about {r['topic']} since {pd.Timestamp(r['history_start']).year}.</p>")
        if path in ("/contact/", "/contact") and r["has_contact"]:
            return self._page(r, rng, path, f"<h1>Contact</h1><p>Email: contact@{r['domain']}</p>"
                                             '<form method="post" action="/contact/"><textarea name="msg"></textarea></form>')
        if path == "/partners/" and r["role"] == "target":
            partners = self.partners_of.get(r["domain"], [])
            items = "".join(f"<li>{_a('http://' + p + '/', p)}</li>" for p in partners)
            return self._page(r, rng, path, f"<h1>Our partners</h1><ul>{items}</ul>")
        if path == "/write-for-us/" and r["kind"] == "guest_post":
            return self._page(r, rng, path, "<h1>Write for us</h1><p>We accept guest posts. Sponsored "
                                             "articles from $50, do-follow links included.</p>")
        return Page(404, body=b"<html><body><h1>404 Not Found</h1></body></html>")

    def _site_name(self, r: dict) -> str:
        return r["domain"].split(".")[0].replace("-", " ").title()

    def _robots(self, r: dict, rng: random.Random) -> str:
        lines = ["User-agent: *", "Disallow: /wp-admin/" if r["cms"] == "wordpress" else "Disallow: /admin/"]
        if r["scheme"] == "pbn" and r["role"] == "referring" and rng.random() < 0.6:
            lines = ["User-agent: AhrefsBot", "Disallow: /", "", "User-agent: MJ12bot", "Disallow: /",
                     "", "User-agent: SemrushBot", "Disallow: /", ""] + lines
        lines.append(f"Sitemap: http://{r['domain']}/sitemap.xml")
        return "\n".join(lines) + "\n"

    def _head(self, r: dict, title: str) -> str:
        parts = [f"<title>{html.escape(title)}</title>", '<meta charset="utf-8">']
        if r["cms"] == "wordpress":
            parts.append('<meta name="generator" content="WordPress 6.5.2">')
            if r["theme"]:
                parts.append(f'<link rel="stylesheet" href="/wp-content/themes/{r["theme"]}/style.css?ver=2.1">')
        elif r["cms"] in ("drupal", "joomla", "ghost"):
            parts.append(f'<meta name="generator" content="{r["cms"].title()}">')
        elif r["cms"] == "phpbb":
            parts.append('<link rel="stylesheet" href="/styles/prosilver/theme/stylesheet.css">')
        if r["ga4"]:
            parts.append(f'<script async src="https://www.googletagmanager.com/gtag/js?id={r["ga4"]}"></script>'
                         f"<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}"
                         f"gtag('js',new Date());gtag('config','{r['ga4']}');</script>")
        if r["ga_ua"]:
            parts.append(f"<script>ga('create','{r['ga_ua']}','auto');ga('send','pageview');</script>")
        if r["gtm"]:
            parts.append(f"<script>(function(w,d,s,l,i){{w[l]=w[l]||[];}})(window,document,'script','dataLayer','{r['gtm']}');</script>")
        if r["adsense"]:
            parts.append(f'<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js'
                         f'?client={r["adsense"]}" crossorigin="anonymous"></script>')
        return "".join(parts)

    def _page(self, r: dict, rng: random.Random, path: str, main: str) -> Page:
        name = self._site_name(r)
        title = f"{name}" if path == "/" else f"{path.strip('/').split('/')[-1].replace('-', ' ').title()} | {name}"
        nav = [_a("/", "Home")]
        if r["has_about"]:
            nav.append(_a("/about/", "About"))
        if r["has_contact"]:
            nav.append(_a("/contact/", "Contact"))
        if r["kind"] == "guest_post":
            nav.append(_a("/write-for-us/", "Write for us"))
        if r["role"] == "target":
            nav.append(_a("/partners/", "Partners"))
        footer = [f"&copy; {pd.Timestamp(r['history_start']).year}&ndash;2026 {html.escape(name)}"]
        for li in self.sitewide_of.get(r["domain"], []):
            footer.append(self._backlink(li))
        if r["scheme"] == "reciprocal" and r["role"] == "referring":
            footer.append(f"Partners: {_a('https://' + r['target'] + '/', r['target'].split('.')[0].title())}")
        if r["scheme"] == "hacked" and r["role"] == "referring":
            footer.append(self._hidden_block(r, rng, []))
        body_class = " ".join(x for x in (f"theme-{r['theme']}" if r["theme"] else "", r["template"] or "") if x)
        doc = (f'<!DOCTYPE html><html lang="{r["language"]}"><head>{self._head(r, title)}</head>'
               f'<body class="{body_class}"><header><nav>{" | ".join(nav)}</nav></header>'
               f"<main>{main}</main><footer>{' '.join(footer)}</footer></body></html>")
        return Page(200, body=doc.encode("utf-8"))

    def _outbound(self, r: dict, rng: random.Random, kind: str) -> list[str]:
        lo, hi = _OUTBOUND.get(kind, (2, 10))
        n = rng.randint(lo, hi)
        out = []
        if r["scheme"] == "pbn" and r["network_id"] is not None:
            nid = int(r["network_id"])
            out += [f"https://{m}/" for m in rng.sample(self.money_of.get(nid, []), k=min(2, len(self.money_of.get(nid, []))))]
            mates = self.members.get(nid, [])
            if mates and rng.random() < self.world.config.pbn_interlink:
                out.append(f"http://{rng.choice(mates)}/")
            return out[: max(1, n + 1)]
        total = len(self.names)
        for _ in range(n):
            out.append(f"http://{self.names[rng.randrange(total)]}/")
        return out

    def _backlink(self, li: int) -> str:
        c = self.link_cols
        if c["link_type"][li] == "image":
            rel = f' rel="{c["rel"][li]}"' if c["rel"][li] else ""
            return (f'<a href="{html.escape(c["target_url"][li], quote=True)}"{rel}>'
                    f'<img src="/img/banner.png" alt="{html.escape(c["anchor"][li], quote=True)}"></a>')
        return _a(c["target_url"][li], c["anchor"][li], c["rel"][li] or "")

    def _text(self, r: dict, rng: random.Random, thin: bool) -> str:
        if thin:  # spun, thin text
            sents = [" ".join(rng.choice(slot) for slot in vocab.SPIN) + "." for _ in range(rng.randint(2, 4))]
            return "<p>" + " ".join(sents) + "</p>"
        filler = vocab.FILLER.get(r["language"], vocab.FILLER["en"])
        return "".join(f"<p>{html.escape(filler)}</p>" for _ in range(rng.randint(3, 7)))

    def _hidden_block(self, r: dict, rng: random.Random, backlinks: list[int]) -> str:
        terms = vocab.PHARMA_TERMS if rng.random() < 0.3 else vocab.GAMBLING_TERMS
        items = [_a(f"http://{rng.choice(vocab.WORDS_EN)}{rng.randint(1, 99)}-{t.split()[0]}.example/", t)
                 for t in rng.sample(terms, k=3)]
        items += [self._backlink(li) for li in backlinks]
        return f'<div style="position:absolute;left:-9999px">{" ".join(items)}</div>'

    def _archives(self, r: dict, rng: random.Random) -> str:
        start = pd.Timestamp(r["history_start"])
        years = list(range(start.year, 2027))
        picks = sorted({rng.choice(years) for _ in range(min(6, len(years)))} | {start.year})
        items = "".join(f"<li>{_a(f'/{y}/', f'{y}')}</li>" for y in picks)
        first_post = f'<p class="first-post">First post: <time datetime="{start.date()}">{start.date()}</time></p>'
        return f'<aside class="archives"><h3>Archives</h3><ul>{items}</ul>{first_post}</aside>'

    def _home_body(self, r: dict, rng: random.Random) -> str:
        name = self._site_name(r)
        parts = [f"<h1>{html.escape(name)}</h1>"]
        if r["role"] == "target":
            press = self.press_of.get(r["domain"], [])
            parts.append(self._text(r, rng, False))
            if press:
                parts.append("<p>As seen in: " + ", ".join(_a(f"http://{p}/", p) for p in press) + "</p>")
            return "".join(parts)
        thin = r["scheme"] in ("pbn", "link_farm", "spam_theme")
        parts.append(self._text(r, rng, thin))
        posts = self.paths_of.get(r["domain"], [])[:10]
        if posts:
            parts.append("<ul class=\"posts\">" + "".join(
                f"<li>{_a(p, p.strip('/').split('/')[-1].replace('-', ' ').title() or 'Home')}</li>" for p in posts) + "</ul>")
        parts.append(self._archives(r, rng))
        return "".join(parts)

    def _link_page_body(self, r: dict, rng: random.Random, path: str, links: list[int]) -> str:
        kind = "pbn" if r["scheme"] == "pbn" else (r["kind"] if r["scheme"] in ("natural", "comment_spam", "paid_unqualified", "spam_theme") else r["scheme"])
        placement = self.link_cols["placement"][links[0]]
        title = self.link_cols["page_title"][links[0]].split(" | ")[0]
        thin = r["scheme"] in ("pbn", "link_farm", "spam_theme")
        parts = [f"<article><h1>{html.escape(title)}</h1>"]
        outbound = self._outbound(r, rng, kind)
        backlinks = [li for li in links if not self.link_cols["sitewide"][li]]
        if placement == "hidden":
            spam = vocab.FILLER["id"]
            parts.append(f'<p lang="id">{spam}</p>')
            parts.append(self._hidden_block(r, rng, backlinks))
            parts.append("<ul>" + "".join(f"<li>{_a(u, rng.choice(vocab.GAMBLING_TERMS))}</li>" for u in outbound) + "</ul>")
            return "".join(parts) + "</article>"
        parts.append(self._text(r, rng, thin))
        if placement in ("content", "partners", "directory", "sidebar", "footer"):
            if placement == "directory":
                parts.append('<form action="/submit/"><input name="url"><button>Submit your site</button></form>')
            if placement == "partners":
                parts[0] = "<article><h1>Link exchange partners</h1>"
            if r["kind"] == "guest_post":
                parts.append("<p><em>Guest post by a contributor.</em></p>")
            items = [self._backlink(li) for li in backlinks] + [_a(u, u.split("/")[2]) for u in outbound]
            rng.shuffle(items)
            tag = "ul" if len(items) > 8 else "p"
            if tag == "ul":
                parts.append("<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>")
            else:
                parts.append("<p>" + " ".join(items) + "</p>")
            parts.append("</article>")
        elif placement in ("comment", "signature"):
            parts.append("<p>" + " ".join(_a(u, u.split("/")[2]) for u in outbound) + "</p></article>")
            comments = []
            for li in backlinks:
                who = rng.choice(vocab.WORDS_EN).title()
                body = self._backlink(li)
                sig = '<div class="signature">' + body + "</div>" if placement == "signature" else f"<p>Great post! {body}</p>"
                comments.append(f'<li class="comment"><span class="author">{who}</span>{sig}</li>')
            for _ in range(rng.randint(0, 4)):
                comments.append(f'<li class="comment"><span class="author">{rng.choice(vocab.WORDS_EN).title()}</span>'
                                "<p>Thanks for sharing.</p></li>")
            parts.append('<section id="comments"><ol>' + "".join(comments) + "</ol></section>")
        elif placement == "profile":
            parts.append("</article><section class=\"profile\"><h2>Member profile</h2><p>Website: "
                         + " ".join(self._backlink(li) for li in backlinks) + "</p></section>")
        else:
            parts.append("".join(self._backlink(li) for li in backlinks) + "</article>")
        if r["scheme"] != "hacked":
            parts.append(self._archives(r, rng))
        return "".join(parts)

    def _parked_body(self, r: dict, rng: random.Random, path: str) -> str:
        links = self.links_on.get((r["domain"], "/"), [])
        related = [_a(f"/search?q={html.escape(t)}", t) for t in
                   [f"{r['topic']} deals", f"cheap {r['topic']}", f"{r['topic']} online", "insurance quotes"]]
        related += [self._backlink(li) for li in links]
        return (f"<h1>{html.escape(r['domain'])}</h1><p>This domain may be for sale. Buy this domain.</p>"
                f"<h2>Related searches</h2><ul>" + "".join(f"<li>{x}</li>" for x in related) + "</ul>")
