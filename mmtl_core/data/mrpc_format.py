"""MRPC in GLUE's layout, built from the MSR paraphrase corpus exactly as GLUE's download_glue_data.py does.

GLUE never hosted MRPC itself (Microsoft's licence): its script takes ``msr_paraphrase_{train,test}.txt``, moves
the pairs listed in ``mrpc_dev_ids.tsv`` from train to dev, and renumbers test. Those steps are copied here line
by line (``row.strip().split('\\t')``, the train header kept with its byte-order mark, test given an index), so
the output matches the public GLUE files byte for byte and can be checked against their sha256.
"""

from __future__ import annotations

from mmtl_core.errors import DownloadError

MRPC_URLS = {
    "msr_paraphrase_train.txt": "https://dl.fbaipublicfiles.com/senteval/senteval_data/msr_paraphrase_train.txt",
    "msr_paraphrase_test.txt": "https://dl.fbaipublicfiles.com/senteval/senteval_data/msr_paraphrase_test.txt",
    "mrpc_dev_ids.tsv": "https://dl.fbaipublicfiles.com/glue/data/mrpc_dev_ids.tsv",
}


def _lines(data: bytes, name: str) -> list[str]:
    """Lines as Python's text-mode file iteration yields them (universal newlines, ends kept)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DownloadError(f"{name} is not UTF-8 text; the download is corrupt") from e
    parts = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _fields(row: str, name: str, n: int) -> list[str]:
    fields = row.strip().split("\t")
    if len(fields) != 5:
        raise DownloadError(f"{name}, line {n}: {len(fields)} tab-separated fields, expected 5")
    return fields


def format_mrpc(train: bytes, test: bytes, dev_ids: bytes) -> dict[str, bytes]:
    """``{"train.tsv", "dev.tsv", "test.tsv"}`` contents from the three source files' bytes."""
    dev = {tuple(row.strip().split("\t")) for row in _lines(dev_ids, "mrpc_dev_ids.tsv")}
    train_lines = _lines(train, "msr_paraphrase_train.txt")
    header = train_lines[0]
    out_train, out_dev = [header], [header]
    for n, row in enumerate(train_lines[1:], start=2):
        label, id1, id2, s1, s2 = _fields(row, "msr_paraphrase_train.txt", n)
        (out_dev if (id1, id2) in dev else out_train).append(f"{label}\t{id1}\t{id2}\t{s1}\t{s2}\n")
    out_test = ["index\t#1 ID\t#2 ID\t#1 String\t#2 String\n"]
    for idx, row in enumerate(_lines(test, "msr_paraphrase_test.txt")[1:]):
        _, id1, id2, s1, s2 = _fields(row, "msr_paraphrase_test.txt", idx + 2)
        out_test.append(f"{idx}\t{id1}\t{id2}\t{s1}\t{s2}\n")
    return {name: "".join(lines).encode("utf-8")
            for name, lines in (("train.tsv", out_train), ("dev.tsv", out_dev), ("test.tsv", out_test))}
