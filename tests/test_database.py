"""The shared database: Alembic migrations at start (idempotent, safe when processes start
together), SQLite by default and PostgreSQL for several machines, ids that never collide, a
feedback-only SQLite file of older versions adopted, uploaded originals stored for every replica."""
from __future__ import annotations

import concurrent.futures as cf
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.config import Settings
from assistant.database import Database, database_url
from assistant.feedback_store import FeedbackStore, UnknownAnswer
from assistant.uploads import UploadStore

REPO = Path(__file__).resolve().parent.parent
MIGRATE = "import sys; from assistant.database import Database; Database(sys.argv[1]); print('ok')"


def head_revision(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    engine.dispose()
    return rows


def migrate_in_parallel(url: str, n: int = 4) -> list[subprocess.CompletedProcess]:
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATE, url], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(n)]
    return [subprocess.CompletedProcess(p.args, p.wait(120), *p.communicate()) for p in procs]


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_processes_starting_together_migrate_once(kind, postgres, tmp_path):
    url = postgres.create_database("migrate_race") if kind == "postgresql" else f"sqlite:///{tmp_path / 'a.sqlite3'}"
    results = migrate_in_parallel(url)
    assert [r.returncode for r in results] == [0] * len(results), [r.stderr[-800:] for r in results]
    assert head_revision(url) == ["0001"]
    Database(url)  # again: nothing to do, no error
    assert head_revision(url) == ["0001"]
    tables = set(sa.inspect(sa.create_engine(url)).get_table_names())
    assert {"answers", "feedback", "uploads", "rate_windows", "alembic_version"} <= tables


def test_feedback_ids_never_collide_across_replicas(postgres):
    url = postgres.create_database("feedback_ids")
    replica_a, replica_b = Database(url), Database(url)  # two engines: two processes' pools
    store_a, store_b = FeedbackStore(replica_a), FeedbackStore(replica_b)
    for i in range(10):
        store_a.log_answer(answer_id=f"a{i}", question=f"pertanyaan {i}", channel="api", found=True, citations=[])

    def rate(i):
        store = store_b if i % 2 else store_a  # feedback for A's answers, half of it through B
        return store.add_feedback(f"a{i % 10}", 1 if i % 3 else -1, f"komentar {i}")

    with cf.ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(rate, range(40)))
    assert len(set(ids)) == 40
    assert store_b.counts() == {"answers": 10, "feedback": 40}
    # eight threads insert at once: which of them gets the lower id is not defined, only that none is lost
    assert sorted(r["comment"] for r in store_b.feedback_for("a3")) == sorted(f"komentar {i}" for i in (3, 13, 23, 33))
    with pytest.raises(UnknownAnswer):
        store_b.add_feedback("tidak-ada", 1)
    assert store_a.journal_mode() == "postgresql"


def test_default_is_sqlite_in_the_data_dir_and_adopts_the_old_feedback_file(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "feedback.sqlite3") as conn:  # the schema before SQLAlchemy
        conn.executescript(
            "CREATE TABLE answers (answer_id TEXT PRIMARY KEY, created_at REAL NOT NULL, channel TEXT NOT NULL,"
            " client TEXT, key_name TEXT, question TEXT NOT NULL, filters TEXT, answer TEXT, found INTEGER,"
            " citations TEXT, latency_ms REAL, status TEXT NOT NULL, error TEXT);"
            "CREATE TABLE feedback (feedback_id INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT NOT NULL"
            " REFERENCES answers(answer_id), created_at REAL NOT NULL, rating INTEGER NOT NULL, comment TEXT,"
            " channel TEXT NOT NULL, client TEXT);"
            "INSERT INTO answers VALUES ('lama', 1.0, 'api', NULL, NULL, 'pertanyaan lama', NULL, 'jawab', 1,"
            " '[]', 12.0, 'ok', NULL);"
            "INSERT INTO feedback (answer_id, created_at, rating, channel) VALUES ('lama', 2.0, 1, 'api');"
        )
    url = database_url(Settings(data_dir=data))
    assert url == f"sqlite:///{(data / 'asisten.sqlite3').resolve()}"
    assert not (data / "feedback.sqlite3").exists()
    store = FeedbackStore(Database(url))
    assert store.get_answer("lama")["question"] == "pertanyaan lama"
    assert store.add_feedback("lama", -1) == 2  # ids go on after the old ones
    assert store.journal_mode() == "wal"


def test_uploaded_originals_reach_every_replica(postgres, tmp_path):
    url = postgres.create_database("uploads")
    a, b = UploadStore(Database(url)), UploadStore(Database(url))
    a.put("unggahan/perwal-1-ab12.md", "perwal 1.md", b"# Perwal\n", "doc_id: perwal-1\n", "perwal-1")
    a.put("unggahan/mati-cd34.md", "mati.md", b"# mati\n", None, "mati")  # its ingest died
    corpus_b = tmp_path / "b"
    assert b.materialize(corpus_b, indexed=set()) == []  # nothing committed yet
    a.mark_committed("unggahan/perwal-1-ab12.md")
    assert b.materialize(corpus_b, indexed=set()) == ["unggahan/perwal-1-ab12.md"]
    assert (corpus_b / "unggahan/perwal-1-ab12.md").read_bytes() == b"# Perwal\n"
    assert (corpus_b / "unggahan/perwal-1-ab12.md.yaml").read_text() == "doc_id: perwal-1\n"
    assert b.materialize(corpus_b, indexed=set()) == []  # already there
    import hashlib

    assert b.with_content(hashlib.sha256(b"# Perwal\n").hexdigest()) == "unggahan/perwal-1-ab12.md"
    assert b.with_content(hashlib.sha256(b"# mati\n").hexdigest()) is None  # a retry of it is welcome
    assert b.collect(indexed=set(), older_than_s=0) == ["unggahan/mati-cd34.md"]
    assert [u.path for u in a.listing()] == ["unggahan/perwal-1-ab12.md"]
    b.remove(["unggahan/perwal-1-ab12.md"])
    assert a.listing() == []
