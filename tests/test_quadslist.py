"""kg.quadslist: the lines a patch compares are every line that changed, found without comparing the rest."""

from __future__ import annotations

import random

import pytest

from kg import quadslist


def line(n: int) -> bytes:
    return f"<http://x/s{n}> <http://x/p> \"{n}\" <http://x/g{n % 7}> .\n".encode()


def listed(tmp_path, chunks: list[tuple[str, bytes]]):
    writer = quadslist.Writer(tmp_path / "store.nq")
    for name, text in chunks:
        writer.add(quadslist.chunk(name, text))
    writer.commit()
    assert not quadslist.part_of(tmp_path / "store.nq").exists()
    return tmp_path / "store.nq", quadslist.read_index(tmp_path / "store.nq")


def changed(tmp_path, old: list[tuple[str, bytes]], new: list[tuple[str, bytes]]):
    return quadslist.changed_lines(*listed(tmp_path, old), [quadslist.chunk(name, text) for name, text in new])


def lines_of(chunks) -> set[bytes]:
    return {x for _, text in chunks for x in text.split(b"\n") if x}


def test_a_list_reads_back_chunk_by_chunk(tmp_path):
    chunks = [("claims:1", line(1) + line(2)), ("<http://x/g>", b""), ("blank", line(3))]
    path, index = listed(tmp_path, chunks)
    data = path.read_bytes()
    assert data.startswith(quadslist.HEADER)
    assert {name: data[at.offset:at.offset + at.size] for name, at in index.items()} == dict(chunks)
    assert [at.lines for at in index.values()] == [2, 0, 1]
    assert quadslist.readable(tmp_path / "store.nq")
    (tmp_path / "other.nq").write_bytes(b"# cartkg quads list 0, pyoxigraph 0.1\n# index 39 0\n")
    assert not quadslist.readable(tmp_path / "other.nq") and not quadslist.readable(tmp_path / "none.nq")


@pytest.mark.parametrize("cut", [1, 30, 120])
def test_a_list_cut_short_is_no_list(tmp_path, cut):
    path, _ = listed(tmp_path, [("a", line(1) + line(2)), ("b", line(3))])
    path.write_bytes(path.read_bytes()[:-cut])
    with pytest.raises(ValueError):
        quadslist.read_index(path)


def test_unchanged_chunks_give_nothing_to_compare(tmp_path):
    chunks = [("a", b"".join(line(n) for n in range(100))), ("b", b"".join(line(n) for n in range(100, 150)))]
    assert changed(tmp_path, chunks, chunks) == (set(), set(), 150)


def test_one_line_changed_inside_a_chunk_is_the_only_line_compared(tmp_path):
    old = [("a", b"".join(line(n) for n in range(100)))]
    new = [("a", b"".join(line(n) if n != 40 else line(1040) for n in range(100)))]
    assert changed(tmp_path, old, new) == ({line(40)[:-1]}, {line(1040)[:-1]}, 100)


def test_a_line_that_moves_to_another_chunk_is_neither_gone_nor_new(tmp_path):
    old = [("a", line(1) + line(2) + line(3)), ("b", line(4) + line(5))]
    new = [("a", line(1) + line(3)), ("b", line(4) + line(2) + line(5)), ("c", line(6))]
    assert changed(tmp_path, old, new) == (set(), {line(6)[:-1]}, 6)


@pytest.mark.parametrize("seed", range(40))
def test_every_changed_line_is_found_whatever_the_edits(tmp_path, seed):
    """Lines dropped, added, changed and moved between chunks, chunks dropped and added: each line that is
    gone and each that is new is in what changed_lines gives, and (no line written twice here) nothing else."""
    rng = random.Random(seed)
    numbers = list(range(400))
    old = [(f"c{i}", b"".join(line(n) for n in numbers[i * 50:(i + 1) * 50])) for i in range(8)]
    kept = [n for n in numbers if rng.random() > 0.03] + [1000 + k for k in range(rng.randrange(6))]
    kept = [n if rng.random() > 0.02 else n + 5000 for n in kept]
    rng.shuffle(kept) if seed % 5 == 0 else None
    cut = sorted(rng.sample(range(1, len(kept)), 6))
    names = [f"c{i}" for i in range(8)]
    names[rng.randrange(8)] = "renamed"
    new = [(name, b"".join(line(n) for n in kept[a:b])) for name, a, b in zip(names, [0, *cut], [*cut, len(kept)])]
    gone, made, count = changed(tmp_path, old, new)
    assert gone == lines_of(old) - lines_of(new)
    assert made == lines_of(new) - lines_of(old)
    assert count == len(kept)


def test_a_line_written_twice_may_be_given_for_the_caller_to_check(tmp_path):
    """A quad in two chunks (a graph given whole and in part): dropped from one, it is still in the
    other; changed_lines may give it as gone, and the patch keeps it because the build's store holds it."""
    old = [("a", line(1) + line(2)), ("b", line(2) + line(3))]
    new = [("a", line(1)), ("b", line(2) + line(3))]
    gone, made, _ = changed(tmp_path, old, new)
    assert gone <= {line(2)[:-1]} and made == set()
