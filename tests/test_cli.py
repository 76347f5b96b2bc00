"""The `asisten` command as a user runs it (a real subprocess): Indonesian help and errors, the
spinner while `ask` loads, and the `ingest --dry-run` summary without a meaningless speed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ENGLISH = ("Usage:", "Options", "Show this message and exit", "Try '", "Missing argument", "No such option",
           "Error", "Invalid value", "Input should")


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "LANGUAGE"}  # the user's default
    full_env.update({"PYTHONPATH": str(REPO), "COLUMNS": "100", **(env or {})})
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=full_env, cwd=str(REPO), timeout=timeout)


@pytest.mark.parametrize("args", [["--help"], ["ask", "--help"], ["ingest", "--help"]])
def test_help_is_indonesian(args):
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Pemakaian:" in out and "Opsi" in out and "Tampilkan pesan ini lalu keluar." in out
    assert not [word for word in ENGLISH if word in out], out


@pytest.mark.parametrize("args, message", [
    (["ask"], "Argumen 'question' belum diberikan."),
    (["ingest", "--k", "3"], "Opsi tidak ada: --k"),
    (["ask", "apa?", "--k", "99"], "Nilai tidak valid untuk '--k': harus paling besar 50"),
    (["tidak-ada"], "Perintah 'tidak-ada' tidak ada."),
])
def test_usage_errors_are_indonesian(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Pemakaian:" in result.stderr and "untuk bantuan" in result.stderr
    assert not [word for word in ENGLISH if word in result.stderr], result.stderr


def env_for(settings) -> dict:
    return {"ASISTEN_DATA_DIR": str(settings.data_dir), "ASISTEN_CORPUS_DIR": str(settings.corpus_dir),
            "ASISTEN_MODEL_CACHE": str(settings.models_dir)}


def test_ask_shows_a_spinner_on_stderr_and_keeps_json_clean(shipped_settings):
    # FORCE_COLOR makes rich treat stderr as the terminal a user has
    result = run_cli("ask", "Apa saja klasifikasi jabatan pelaksana?", "--json",
                     env={**env_for(shipped_settings), "FORCE_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    assert "Memuat model dan indeks" in result.stderr
    answer = json.loads(result.stdout)
    # the regulation that holds the classification (its Pasal 4 and its digest are a near tie in
    # the fusion, ordered differently by the int8 and fp32 encoders)
    assert answer["found"] is True and answer["citations"][0]["doc_id"] == "permenpan-rb-45-2022"


def test_ingest_dry_run_prints_no_speed(shipped_settings):
    result = run_cli("ingest", "--dry-run", env=env_for(shipped_settings))
    assert result.returncode == 0, result.stderr
    assert "uji coba" in result.stdout and "tidak ada yang di-embed" in result.stdout
    assert "potongan/detik" not in result.stdout
