"""morgue export --graph related: GraphML, GEXF and CSV that networkx and Gephi read."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner, Result
from research_archive import A, B, C, D, build

from archive import Archive
from archive.cli import cli
from archive.errors import UsageError
from archive.export import export_graph
from archive.filters import ArticleFilter

EDGES = {(A.id, B.id), (A.id, C.id), (B.id, A.id), (C.id, A.id)}


@pytest.fixture
def db(tmp_path: Path) -> str:
    return build(tmp_path / "archive.db")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_graphml_reads_back_in_networkx(db: str, tmp_path: Path) -> None:
    out = tmp_path / "related.graphml"
    result = run(
        "export", "--graph", "related", "--format", "graphml", "--out", str(out), "--db", db
    )
    assert result.exit_code == 0, result.output
    assert "4 nodes, 4 edges" in result.stderr
    graph = nx.read_graphml(out)
    assert graph.is_directed()
    assert graph.number_of_nodes() == 4 and graph.number_of_edges() == 4
    assert set(graph.edges()) == EDGES  # the link to a page not archived is left out
    assert graph.nodes[A.id]["title"] == "Prison scandal at Dannemora"
    assert graph.nodes[A.id]["site"] == "coastline.example"
    assert graph.nodes[D.id]["title"].startswith("=HYPERLINK")  # escaped, not broken
    edge = graph.edges[A.id, B.id]
    assert edge["anchor_text"] == "Read harbour/"
    assert edge["position"] == 0 and edge["weight"] == 1
    assert "published_at" not in graph.nodes[D.id]  # no date: no attribute


def test_gexf_reads_back_in_networkx(db: str, tmp_path: Path) -> None:
    out = tmp_path / "related.gexf"
    assert (
        run(
            "export", "--graph", "related", "--format", "gexf", "--out", str(out), "--db", db
        ).exit_code
        == 0
    )
    graph = nx.read_gexf(out)
    assert graph.number_of_nodes() == 4 and graph.number_of_edges() == 4
    assert set(graph.edges()) == EDGES
    assert graph.nodes[C.id]["label"] == "Dannemora officers charged"
    assert graph.nodes[C.id]["site"] == "other.example"
    assert graph.edges[C.id, A.id]["anchor_text"] == "Read /prison/"


def test_csv_nodes_and_edges_for_gephi(db: str, tmp_path: Path) -> None:
    out = tmp_path / "related.csv"
    result = run("export", "--graph", "related", "--format", "csv", "--out", str(out), "--db", db)
    assert result.exit_code == 0
    with out.open(encoding="utf-8") as handle:
        edges = list(csv.DictReader(handle))
    with (tmp_path / "related.nodes.csv").open(encoding="utf-8") as handle:
        nodes = list(csv.DictReader(handle))
    assert {(e["Source"], e["Target"]) for e in edges} == EDGES
    assert {e["Type"] for e in edges} == {"Directed"}
    assert {n["Id"] for n in nodes} == {A.id, B.id, C.id, D.id}
    assert {n["Label"] for n in nodes} >= {"Harbour boats return"}
    graph = nx.from_pandas_edgelist(
        __import__("pandas").read_csv(out), "Source", "Target", create_using=nx.DiGraph
    )
    assert graph.number_of_edges() == 4


def test_filters_keep_edges_between_kept_articles(db: str, tmp_path: Path) -> None:
    with Archive(db, readonly=True) as archive:
        result = export_graph(
            archive,
            "graphml",
            tmp_path / "g.graphml",
            filters=ArticleFilter(site="coastline.example"),
        )
    assert (result.nodes, result.edges) == (2, 2)
    graph = nx.read_graphml(tmp_path / "g.graphml")
    assert set(graph.edges()) == {(A.id, B.id), (B.id, A.id)}


@pytest.mark.parametrize(
    ("fmt", "out", "message"),
    [("parquet", "g.parquet", "A graph is written as"), ("graphml", None, "Give --out")],
)
def test_graph_errors(db: str, tmp_path: Path, fmt: str, out: str | None, message: str) -> None:
    with Archive(db, readonly=True) as archive, pytest.raises(UsageError, match=message):
        export_graph(archive, fmt, tmp_path / out if out else None)
    result = run("export", "--graph", "related", "--format", "gexf", "--db", db)
    assert result.exit_code == 2 and "Error: Give --out" in result.stderr
