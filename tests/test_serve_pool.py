"""The query workers of `kg serve`: a task over the time limit is stopped and its worker replaced; errors keep their kind."""

from __future__ import annotations

import time

import pytest

from kg.web.pool import Pool, QueryTimeout, TaskError

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def pool(built):
    workers = Pool(built.root, str(built.build), size=2, time_limit=2.0)
    yield workers
    workers.close()


def test_a_task_over_the_limit_is_stopped_and_its_worker_replaced(pool):
    for _ in range(2):  # both workers started (their start-up is not a task's time)
        pool.run("search", "x")
    before = {w.process.pid for w in pool.workers}
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit of 2 s"):
        pool.run("sparql", RUNAWAY, "json", "turtle")
    assert time.monotonic() - started < 4
    after = {w.process.pid for w in pool.workers}
    assert len(after) == 2 and len(after - before) == 1  # one killed, one started in its place
    body, media = pool.run("sparql", "ASK { id:rese-cel a cart:Therapy }", "json", "turtle")
    assert media == "application/sparql-results+json" and b"true" in body


def test_errors_come_back_with_their_kind(pool):
    with pytest.raises(TaskError) as caught:
        pool.run("sparql", "SELECT * WHERE { ?s ?p }", "json", "turtle")
    assert caught.value.kind == "SparqlSyntax" and str(caught.value).startswith("line 1, column ")
    with pytest.raises(TaskError) as caught:
        pool.run("canned", "trials", {"nope": "1"}, "csv")
    assert caught.value.kind == "ParamError" and "has no parameter 'nope'" in str(caught.value)


def test_a_worker_that_dies_is_replaced(pool):
    worker = pool.idle.get()
    worker.process.kill()
    worker.process.join()
    pool.idle.put(worker)
    # Whichever worker takes the next task, the pool answers (a dead one is found, replaced, and said so).
    answers = []
    for _ in range(3):
        try:
            answers.append(pool.run("search", "CABA-201"))
        except Exception as exc:
            answers.append(str(exc))
    assert any(isinstance(a, list) and a and a[0]["curie"] == "id:rese-cel" for a in answers)
    assert sum(isinstance(a, str) and "stopped unexpectedly" in a for a in answers) <= 1
    assert all(w.process.is_alive() for w in pool.workers) and len(pool.workers) == 2
