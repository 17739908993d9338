"""Authoritative answers for the world's names, shared by the in-process DNS server.

:class:`DnsAnswerer` turns one query (name, type) into an answer built from the
domain's row on request (nothing precomputed per domain): A, AAAA, NS, MX, CNAME
(chased inside the zone), SOA, NODATA with the zone's SOA, NXDOMAIN for unknown names,
and the injected failures (``servfail`` -> SERVFAIL, ``slow`` -> answered after
``slow_seconds``, ``nodata`` -> only SOA/NS exist).
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from detector.simulate.records import SOA_SERIAL, TTL, dns_records, infra_address

__all__ = ["DnsAnswerer", "infra_hosts"]


def infra_hosts(world: "World") -> dict[str, str]:  # noqa: F821
    """Name and mail servers under ``.example`` (absolute names) -> their A address."""
    hosts: set[str] = set()
    for ns in world.domains["ns"].dropna().unique():
        hosts.update(h for h in str(ns).split() if h.endswith(".example"))
    for mx in world.domains["mx"].dropna().unique():
        if str(mx).endswith(".example"):
            hosts.add(str(mx))
    return {f"{h}.": infra_address(h) for h in sorted(hosts)}


@dataclass
class Answer:
    """A DNS answer before it is put on the wire."""

    rcode: int
    records: list[tuple[str, str, str]]  #: answer section
    authority: list[tuple[str, str, str]]  #: authority section (SOA for NODATA/NXDOMAIN)
    delay: float = 0.0  #: seconds to wait before answering (``slow`` failure)


class DnsAnswerer:
    """Answers queries about the world's names."""

    def __init__(self, world: "World", slow_seconds: float | None = None) -> None:  # noqa: F821
        self.index = world.site_index()
        self.infra = infra_hosts(world)
        self.slow = world.config.slow_seconds if slow_seconds is None else slow_seconds
        self.example_soa = ("example.", "SOA", f"ns1.registrar-dns.example. hostmaster.example. {SOA_SERIAL} 7200 3600 1209600 3600")

    def _domain_of(self, qname: str) -> int | None:
        name = qname.rstrip(".").lower()
        pos = self.index.position.get(name)
        if pos is None and "." in name:
            pos = self.index.position.get(name.split(".", 1)[1])
        return pos

    def answer(self, qname: str, qtype: str) -> Answer:
        """The answer to ``qname`` / ``qtype`` (type as text, e.g. ``"A"``)."""
        qname = qname.lower() if qname.endswith(".") else qname.lower() + "."
        if qname.endswith(".example."):
            addr = self.infra.get(qname)
            if addr is None:
                return Answer(dns.rcode.NXDOMAIN, [], [self.example_soa])
            return Answer(dns.rcode.NOERROR, [(qname, "A", addr)] if qtype in ("A", "ANY") else [],
                          [] if qtype in ("A", "ANY") else [self.example_soa])
        pos = self._domain_of(qname)
        if pos is None:
            return Answer(dns.rcode.NXDOMAIN, [], [])
        row = self.index.row(pos)
        failure = row["dns_failure"] or ""
        if failure == "servfail":
            return Answer(dns.rcode.SERVFAIL, [], [])
        delay = self.slow if failure == "slow" else 0.0
        records = list(dns_records(row))
        soa = next(r for r in records if r[1] == "SOA")
        at_name = [r for r in records if r[0] == qname]
        if not at_name:
            return Answer(dns.rcode.NXDOMAIN, [], [soa], delay)
        wanted = [r for r in at_name if r[1] == qtype or qtype == "ANY"]
        if not wanted:
            cname = [r for r in at_name if r[1] == "CNAME"]
            if cname:
                chased = [r for r in records if r[0] == cname[0][2] and r[1] == qtype]
                return Answer(dns.rcode.NOERROR, cname + chased, [] if chased else [soa], delay)
            return Answer(dns.rcode.NOERROR, [], [soa], delay)
        return Answer(dns.rcode.NOERROR, wanted, [], delay)

    def respond(self, wire: bytes) -> tuple[bytes | None, float]:
        """Parse a query message and build the response wire; ``None`` for garbage."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:  # noqa: BLE001 - malformed packets are dropped, like real servers
            return None, 0.0
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire(), 0.0
        q = query.question[0]
        ans = self.answer(q.name.to_text(), dns.rdatatype.to_text(q.rdtype))
        response.set_rcode(ans.rcode)
        for section, recs in ((response.answer, ans.records), (response.authority, ans.authority)):
            grouped: dict[tuple[str, str], list[str]] = {}
            for owner, rtype, rdata in recs:
                grouped.setdefault((owner, rtype), []).append(rdata)
            for (owner, rtype), datas in grouped.items():
                section.append(dns.rrset.from_text(owner, TTL, "IN", rtype, *datas))
        return response.to_wire(max_size=65535), ans.delay
