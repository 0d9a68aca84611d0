"""The related-posts network: article nodes, ``related`` link edges, for Gephi and networkx.

Nodes are the archived articles (those the filters keep) with their title,
site, URL, publication time and section. Edges are ``related`` links between
two such articles, directed from the page that shows the link to its target,
with the anchor text, the link's title, its position and ``weight`` (how many
times the page links there). Links to pages not archived are left out.
Every format is written as the rows stream: nodes, then edges.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from archive.base import ArchiveBase
from archive.errors import UsageError
from archive.filters import ArticleFilter

GRAPHS = ("related",)
GRAPH_FORMATS = ("graphml", "gexf", "csv")
NODE_FIELDS = ("title", "site", "url", "published_at", "section")
EDGE_FIELDS = ("anchor_text", "title", "position", "weight")
_INT_FIELDS = {"position", "weight"}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class GraphMixin(ArchiveBase):
    def graph_nodes(
        self, filters: ArticleFilter | None = None
    ) -> Generator[dict[str, Any], None, None]:
        """One dict per article the filters keep: id, title, site, url, published_at, section."""
        where, params = (filters or ArticleFilter()).where("a")
        yield from self._iter_rows(
            "SELECT a.id, a.title, a.site, a.url, a.published_at, a.section FROM articles a "
            f"WHERE {where} ORDER BY a.rowid",
            params,
        )

    def graph_edges(
        self, filters: ArticleFilter | None = None
    ) -> Generator[dict[str, Any], None, None]:
        """One dict per (source, target) pair of archived articles linked as related posts:
        source, target, anchor_text, title, position (the first link's) and weight."""
        filters = filters or ArticleFilter()
        source_where, source_params = filters.where("s")
        target_where, target_params = filters.where("t")
        yield from self._iter_rows(
            "SELECT l.source_id AS source, l.target_id AS target, l.anchor_text, l.title, "
            "min(l.position) AS position, count(*) AS weight FROM links l "
            "JOIN articles s ON s.id = l.source_id JOIN articles t ON t.id = l.target_id "
            f"WHERE l.kind = 'related' AND l.source_id != l.target_id AND {source_where} "
            f"AND {target_where} GROUP BY l.source_id, l.target_id ORDER BY min(l.rowid)",
            [*source_params, *target_params],
        )


def write_graph(
    nodes: Iterator[dict[str, Any]], edges: Iterator[dict[str, Any]], fmt: str, path: Path
) -> tuple[int, int]:
    """Write the graph to ``path`` (csv: edges there, nodes in ``NAME.nodes.csv``).

    Returns ``(nodes, edges)`` written.
    """
    if fmt == "csv":
        with nodes_path(path).open("w", encoding="utf-8", newline="") as handle:
            node_count = _csv_nodes(nodes, handle)
        with path.open("w", encoding="utf-8", newline="") as handle:
            return node_count, _csv_edges(edges, handle)
    writer = {"graphml": _graphml, "gexf": _gexf}.get(fmt)
    if writer is None:
        raise UsageError(f"Unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}.")
    with path.open("w", encoding="utf-8") as handle:
        return writer(nodes, edges, handle)


def nodes_path(path: Path) -> Path:
    """``related.csv`` → ``related.nodes.csv``."""
    return path.with_name(f"{path.stem}.nodes.csv")


def _csv_nodes(nodes: Iterator[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(["Id", "Label", *NODE_FIELDS])  # Gephi's spreadsheet import names
    count = 0
    for node in nodes:
        writer.writerow([node["id"], node["title"], *(node[f] for f in NODE_FIELDS)])
        count += 1
    return count


def _csv_edges(edges: Iterator[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(
        ["Source", "Target", "Type", "Label", "Weight", "anchor_text", "title", "position"]
    )
    count = 0
    for edge in edges:
        writer.writerow(
            [
                edge["source"],
                edge["target"],
                "Directed",
                edge["anchor_text"],
                edge["weight"],
                edge["anchor_text"],
                edge["title"],
                edge["position"],
            ]
        )
        count += 1
    return count


def _text(value: Any) -> str:
    return _XML_INVALID.sub("", str(value))


def _graphml(
    nodes: Iterator[dict[str, Any]], edges: Iterator[dict[str, Any]], out: IO[str]
) -> tuple[int, int]:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
    for name in NODE_FIELDS:
        out.write(f'  <key id="n_{name}" for="node" attr.name="{name}" attr.type="string"/>\n')
    for name in EDGE_FIELDS:
        kind = "int" if name in _INT_FIELDS else "string"
        out.write(f'  <key id="e_{name}" for="edge" attr.name="{name}" attr.type="{kind}"/>\n')
    out.write('  <graph id="related" edgedefault="directed">\n')
    node_count = edge_count = 0
    for node in nodes:
        out.write(f"    <node id={quoteattr(node['id'])}>")
        for name in NODE_FIELDS:
            if node[name] is not None:
                out.write(f'<data key="n_{name}">{escape(_text(node[name]))}</data>')
        out.write("</node>\n")
        node_count += 1
    for edge in edges:
        out.write(
            f'    <edge id="e{edge_count}" source={quoteattr(edge["source"])} '
            f"target={quoteattr(edge['target'])}>"
        )
        for name in EDGE_FIELDS:
            if edge[name] is not None:
                out.write(f'<data key="e_{name}">{escape(_text(edge[name]))}</data>')
        out.write("</edge>\n")
        edge_count += 1
    out.write("  </graph>\n</graphml>\n")
    return node_count, edge_count


def _gexf(
    nodes: Iterator[dict[str, Any]], edges: Iterator[dict[str, Any]], out: IO[str]
) -> tuple[int, int]:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n')
    out.write("  <meta><creator>morgue</creator>")
    out.write("<description>related-posts network</description></meta>\n")
    out.write('  <graph mode="static" defaultedgetype="directed">\n')
    out.write('    <attributes class="node">\n')
    for i, name in enumerate(NODE_FIELDS):
        out.write(f'      <attribute id="{i}" title="{name}" type="string"/>\n')
    out.write('    </attributes>\n    <attributes class="edge">\n')
    edge_attrs = [n for n in EDGE_FIELDS if n != "weight"]
    for i, name in enumerate(edge_attrs):
        kind = "integer" if name in _INT_FIELDS else "string"
        out.write(f'      <attribute id="{i}" title="{name}" type="{kind}"/>\n')
    out.write("    </attributes>\n    <nodes>\n")
    node_count = edge_count = 0
    for node in nodes:
        label = quoteattr(_text(node["title"] or node["id"]))
        out.write(f"      <node id={quoteattr(node['id'])} label={label}><attvalues>")
        for i, name in enumerate(NODE_FIELDS):
            if node[name] is not None:
                out.write(f'<attvalue for="{i}" value={quoteattr(_text(node[name]))}/>')
        out.write("</attvalues></node>\n")
        node_count += 1
    out.write("    </nodes>\n    <edges>\n")
    for edge in edges:
        out.write(
            f'      <edge id="{edge_count}" source={quoteattr(edge["source"])} '
            f'target={quoteattr(edge["target"])} weight="{edge["weight"]}"><attvalues>'
        )
        for i, name in enumerate(edge_attrs):
            if edge[name] is not None:
                out.write(f'<attvalue for="{i}" value={quoteattr(_text(edge[name]))}/>')
        out.write("</attvalues></edge>\n")
        edge_count += 1
    out.write("    </edges>\n  </graph>\n</gexf>\n")
    return node_count, edge_count
