"""The DCAT catalogue of the portal (JSON-LD and Turtle, through rdflib)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from .models import Dataset

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FREQ = Namespace("http://purl.org/cld/freq/")
FREQS = {"daily": "daily", "weekly": "weekly", "monthly": "monthly", "quarterly": "quarterly", "yearly": "annual",
         "on_change": "irregular"}


def _manager(g: Graph, name: str) -> BNode:
    """The dataset's data manager (розпорядник) of its passport, as the DCAT publisher."""
    node = BNode()
    g.add((node, RDF.type, FOAF.Organization))
    g.add((node, FOAF.name, Literal(name, lang="uk")))
    return node


def catalogue(base: str) -> Graph:
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("foaf", FOAF)
    g.bind("vcard", VCARD)
    cat = URIRef(f"{base}/opendata/catalog")
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal("Відкриті дані міста", lang="uk")))
    g.add((cat, DCTERMS.title, Literal("City open data", lang="en")))
    g.add((cat, DCTERMS.description, Literal("Набори даних міської ради", lang="uk")))
    publisher = URIRef(f"{base}/opendata/publisher")
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal("Міська рада", lang="uk")))
    g.add((cat, DCTERMS.publisher, publisher))
    for ds in Dataset.objects.prefetch_related("tags", "resources"):
        node = URIRef(f"{base}/opendata/{ds.name}/")
        g.add((cat, DCAT.dataset, node))
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.identifier, Literal(ds.name)))
        g.add((node, DCTERMS.title, Literal(ds.title, lang="uk")))
        g.add((node, DCTERMS.description, Literal(ds.notes, lang="uk")))
        g.add((node, DCTERMS.issued, Literal(ds.created_at.isoformat(), datatype=XSD.dateTime)))
        g.add((node, DCTERMS.modified, Literal(ds.modified_at.isoformat(), datatype=XSD.dateTime)))
        g.add((node, DCTERMS.publisher, _manager(g, ds.publisher) if ds.publisher else publisher))
        g.add((node, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/UKR")))
        g.add((node, DCTERMS.accrualPeriodicity, FREQ[FREQS.get(ds.update_frequency, "irregular")]))
        contact = URIRef(f"{base}/opendata/{ds.name}/#contact")
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, VCARD.fn, Literal(ds.maintainer)))
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{ds.maintainer_email}")))
        g.add((node, DCAT.contactPoint, contact))
        for tag in ds.tags.all():
            g.add((node, DCAT.keyword, Literal(tag.name, lang="uk")))
        for res in ds.resources.all():
            dist = URIRef(f"{base}/opendata/resources/{res.id}")
            g.add((node, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.title, Literal(res.name, lang="uk")))
            g.add((dist, DCAT.downloadURL, URIRef(f"{base}/opendata/resources/{res.id}/download/{res.filename}")))
            g.add((dist, DCAT.mediaType, Literal(res.mimetype)))
            g.add((dist, DCTERMS.format, Literal(res.format)))
            g.add((dist, DCAT.byteSize, Literal(res.size, datatype=XSD.nonNegativeInteger)))
            g.add((dist, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    return g
