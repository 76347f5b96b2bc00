"""The one SQL database for what is not in the index: the answer log, feedback, uploaded originals
and (optionally) shared rate-limit counters.

`ASISTEN_DATABASE_URL` is any SQLAlchemy URL: PostgreSQL (`postgresql+psycopg://…`) when several
machines serve, SQLite in the data dir by default. The schema is Alembic's (assistant/migrations):
every process upgrades to head when it first opens the database, under a lock (a PostgreSQL advisory
lock, a file lock beside a SQLite file), so two processes starting together migrate once and both
go on. Engines are cached per URL: a process opens one pool per database.
"""
from __future__ import annotations

import contextlib
import logging
import re
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from .config import Settings
from .errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_FILE = "asisten.sqlite3"
LEGACY_FILE = "feedback.sqlite3"  # before the database held more than the feedback log
MIGRATION_LOCK_KEY = 0x41534953  # pg_advisory_lock key, "ASIS"
SQLITE_BUSY_S = 30

metadata = sa.MetaData()

answers = sa.Table(
    "answers", metadata,
    sa.Column("answer_id", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("client", sa.String(128)),
    sa.Column("key_name", sa.String(64)),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("filters", sa.Text),
    sa.Column("answer", sa.Text),
    sa.Column("found", sa.Boolean),
    sa.Column("citations", sa.Text),
    sa.Column("latency_ms", sa.Float),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("error", sa.Text),
)

feedback = sa.Table(
    "feedback", metadata,
    # an identity column of the one shared database: ids never collide across replicas
    sa.Column("feedback_id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("answer_id", sa.String(64), sa.ForeignKey("answers.answer_id"), nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("rating", sa.Integer, sa.CheckConstraint("rating IN (-1, 1)", name="feedback_rating"), nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("client", sa.String(128)),
)

uploads = sa.Table(
    "uploads", metadata,
    sa.Column("path", sa.String(512), primary_key=True),  # corpus-relative, e.g. unggahan/x-1a2b.pdf
    sa.Column("filename", sa.String(512), nullable=False),  # as the client named it
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("sidecar", sa.Text),  # the metadata given with the upload, as YAML
    sa.Column("doc_id", sa.String(160)),
    sa.Column("created_at", sa.Float, nullable=False),
    # False until the index commit that names it succeeded (an upload killed before it is collected)
    sa.Column("committed", sa.Boolean, nullable=False, default=False),
)

rate_windows = sa.Table(
    "rate_windows", metadata,
    sa.Column("bucket", sa.String(160), primary_key=True),
    sa.Column("window", sa.Integer, primary_key=True),  # minute number since the epoch
    sa.Column("hits", sa.Integer, nullable=False),
)


def database_url(settings: Settings) -> str:
    """The configured URL, or SQLite in the data dir (adopting the older feedback-only file)."""
    if settings.database_url.strip():
        return settings.database_url.strip()
    data_dir = Path(settings.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    target, legacy = data_dir / DEFAULT_FILE, data_dir / LEGACY_FILE
    if not target.exists() and legacy.exists():
        for suffix in ("", "-wal", "-shm"):
            if Path(str(legacy) + suffix).exists():
                Path(str(legacy) + suffix).rename(str(target) + suffix)
    return f"sqlite:///{target}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL: readers never block the writer; FULL: every commit is on disk; busy_timeout: writers queue
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_S * 1000}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn) -> None:
    # BEGIN IMMEDIATE: a writer takes the lock when its transaction starts, not at its first write,
    # so two read-then-write transactions queue (busy_timeout) instead of failing with "locked".
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(
            f"ASISTEN_DATABASE_URL tidak valid: {url!r}. Contoh: postgresql+psycopg://user:sandi@host/asisten "
            "atau sqlite:////var/lib/asisten/asisten.sqlite3.", cause=repr(exc),
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_S, "isolation_level": None})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


class Database:
    """One engine, migrated to the newest schema on construction."""

    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            self.migrate()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> None:
        """`alembic upgrade head`, once across processes: idempotent, safe when several start.
        A database already at the newest revision is left alone without importing Alembic (its
        import and script loading were ~0.4 s of every server start)."""
        with contextlib.suppress(Exception):
            with self.engine.connect() as conn:
                current = {row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
            if current and current == {newest_revision()}:
                return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
        try:
            with self._migration_lock(), self.engine.connect() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                conn.commit()
        except ConfigError:
            raise
        except Exception as exc:
            raise ConfigError(
                f"Basis data ({make_url(self.url).render_as_string(hide_password=True)}) tidak dapat dibuka "
                "atau dimigrasikan; periksa ASISTEN_DATABASE_URL dan hak aksesnya.", cause=repr(exc),
            ) from exc

    def _migration_lock(self):
        if self.dialect == "postgresql":
            return _PgAdvisoryLock(self.engine)
        if self.dialect == "sqlite" and make_url(self.url).database not in (None, "", ":memory:"):
            from filelock import FileLock

            return FileLock(make_url(self.url).database + ".migrate.lock", timeout=120)
        return _NoLock()

    def dispose(self) -> None:
        self.engine.dispose()


class _PgAdvisoryLock:
    """A session-level advisory lock on a connection of its own, held while another migrates."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.conn = None

    def __enter__(self):
        self.conn = self.engine.connect()
        self.conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        return self

    def __exit__(self, *exc):
        try:
            self.conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
        finally:
            self.conn.close()


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


_DATABASES: dict[str, Database] = {}
_GUARD = threading.Lock()


_REVISION = re.compile(r"^(down_)?revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


def newest_revision() -> str | None:
    """The head of the migration chain, read from the version files (no Alembic import)."""
    revisions, parents = set(), set()
    for path in (Path(__file__).with_name("migrations") / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text("utf-8")):
            if value:
                (parents if down else revisions).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def get_database(settings_or_url: Settings | str) -> Database:
    """The process's Database for a URL (settings: their configured or default URL)."""
    url = settings_or_url if isinstance(settings_or_url, str) else database_url(settings_or_url)
    with _GUARD:
        db = _DATABASES.get(url)
        if db is None:
            db = _DATABASES[url] = Database(url)
        return db
