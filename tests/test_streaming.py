"""Reports are written in pieces as their renderers make them: the same text as the whole
report, and an output file that is complete or untouched."""

from __future__ import annotations

import dataclasses
import json
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor import cli
from auditor.files import joined, write_chunks_atomic
from auditor.graph.estate import EgressGraph
from reports import Format, renderer, sarif, streamer
from reports import json as json_report
from tests import html_demo
from tests import html_estates as estates


@pytest.mark.parametrize("fmt", list(Format))
def test_the_pieces_make_the_whole_report(fmt: Format) -> None:
    for result in (html_demo.demo_result(), estates.hostile_result()):
        if fmt is Format.SARIF and len(result.subscriptions) > 20:
            continue
        pieces = list(streamer(fmt)(result))
        assert all(isinstance(piece, str) for piece in pieces)
        assert "".join(pieces) == renderer(fmt)(result)


def test_the_json_report_is_the_document_encoded_compactly() -> None:
    for result in (html_demo.demo_result(), estates.hostile_result()):
        pieces = list(json_report.chunks(result))
        # A piece per cluster and per finding at least: the document is never built whole.
        assert len(pieces) > len(result.clusters) + len(result.findings)
        document = json_report.document(result)
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        assert "".join(pieces) == text + "\n"
        # Its encoder would write NaN as null: the report holds no float that could be NaN.
        assert not _floats(document)


def test_no_sarif_document_holds_a_float() -> None:
    """SARIF is encoded by msgspec too, which would write NaN as null."""
    for result in (html_demo.demo_result(), estates.hostile_result()):
        for options in (sarif.Options(), sarif.Options(full=True)):
            documents = sarif.documents(result, options)
            assert documents
            assert not _floats(documents)


def test_the_html_reports_data_holds_no_float() -> None:
    """Its data is encoded by msgspec too."""
    _, text = estates.large_report()
    data = estates.report_data(text)
    assert data["clusters"]
    assert not _floats(data)


@pytest.mark.parametrize("fmt", list(Format))
def test_a_plugins_str_subclass_is_written_as_its_text(fmt: Format) -> None:
    """A plugin rule may build its message as a subclass of str (msgspec encodes none but
    enums): every report writes it as the plain string."""
    result = estates.hostile_result()
    first = result.findings[0]
    marked = dataclasses.replace(first, message=_Text(first.message))
    with_markup = dataclasses.replace(result, findings=(marked, *result.findings[1:]))
    if fmt is Format.SARIF:
        options = sarif.Options(full=True)
        assert sarif.render_single(with_markup, options) == sarif.render_single(result, options)
    else:
        assert renderer(fmt)(with_markup) == renderer(fmt)(result)


class _Text(str):
    __slots__ = ()


def _floats(value: object) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for item in value.values() for f in _floats(item)]
    if isinstance(value, list | tuple):
        return [f for item in value for f in _floats(item)]
    return []


def test_pieces_are_joined_into_blocks() -> None:
    assert list(joined(["ab", "c", "def", "g"], size=3)) == ["abc", "def", "g"]
    assert list(joined([], size=3)) == []


def test_a_failure_while_writing_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("the earlier report\n")

    def pieces() -> Iterator[str]:
        yield "x" * (2 << 20)  # more than one block: something was written already
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError, match="renderer failed"):
        write_chunks_atomic(pieces(), target)
    assert target.read_text() == "the earlier report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # no temporary file left
    write_chunks_atomic(iter(["a", "é", "b\n"]), target)
    assert target.read_bytes() == "aéb\n".encode()


@pytest.mark.parametrize("extra", [["--format", "text"], ["--format", "sarif", "--sarif-full"]])
def test_the_estates_graph_is_let_go_before_the_report_is_written(
    extra: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reports need only the audit's result: the graph's memory is free for them.
    made: list[weakref.ref[object]] = []
    build = EgressGraph.from_rows.__func__  # type: ignore[attr-defined]

    def from_rows(cls: type[EgressGraph], *args: object) -> EgressGraph:
        graph: EgressGraph = build(cls, *args)
        made.extend([weakref.ref(graph), weakref.ref(graph.nx)])
        return graph

    alive: list[bool] = []
    write = cli._write

    def checked_write(text: object, output: Path | None) -> None:
        alive.append(any(ref() is not None for ref in made))
        write(text, output)  # type: ignore[arg-type]

    monkeypatch.setattr(EgressGraph, "from_rows", classmethod(from_rows))
    monkeypatch.setattr(cli, "_write", checked_write)
    assert cli.main(["--demo", "--output", str(tmp_path / "report"), *extra]) == 1
    assert len(made) == 2
    assert alive
    assert not any(alive)
