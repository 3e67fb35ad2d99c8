"""kg.store.side_by_side: work on several threads, results in order, errors raised, late threads held."""

from __future__ import annotations

import threading

import pytest

from kg.store import side_by_side


def test_results_come_back_in_item_order_whatever_thread_ran_them():
    assert side_by_side(lambda n: n * n, list(range(50)), threads=2) == [n * n for n in range(50)]
    assert side_by_side(lambda n: n, [], threads=2) == []


def test_the_first_items_error_is_raised_after_the_threads_stop():
    ran: list[int] = []

    def work(n: int) -> int:
        ran.append(n)
        if n in (3, 7):
            raise ValueError(f"item {n}")
        return n

    with pytest.raises(ValueError, match="item 3"):
        side_by_side(work, list(range(10)), threads=2)
    assert 3 in ran


def test_held_threads_take_no_item_until_held_returns():
    released = threading.Event()
    threads_seen: list[str] = []

    def work(n: int) -> int:
        threads_seen.append(threading.current_thread().name)
        if n == 5:
            released.set()  # from here on the second thread may join
        return n

    assert side_by_side(work, list(range(6)), threads=2, held=released.wait) == list(range(6))
    # the first six items all ran on the calling thread: the other was held until the last of them
    assert set(threads_seen) == {threading.current_thread().name}


def test_a_held_thread_joins_once_released():
    released = threading.Event()
    names: set[str] = set()
    gate = threading.Event()

    def work(n: int) -> int:
        names.add(threading.current_thread().name)
        if n == 0:
            released.set()
            gate.wait(5)  # the calling thread waits here until the other thread has taken an item
        else:
            gate.set()
        return n

    assert side_by_side(work, [0, 1], threads=2, held=released.wait) == [0, 1]
    assert len(names) == 2
