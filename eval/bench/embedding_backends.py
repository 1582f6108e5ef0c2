"""Embedding backends compared: torch vs ONNX Runtime (fp32, O1-O3 optimised, dynamic int8).

    python -m eval.bench.embedding_backends [--chunks 512] [--batch-sizes 32,64] [--repeat 3]
        [--backends torch,onnx,onnx-O2,onnx-int8,...] [--gates demo,cuad-slice | --gates none]
        [--no-timing] [--onnx-dir DIR] [--json FILE]

On the same real contract chunks (the texts `rights ingest` embeds: title + section + chunk text,
cut from cuad-dev with the project's own readers and chunker, --chunks of them evenly spread over
all files, embedded in length order as the ingest does), one process:

  speed     passages/s through Embedder.embed_uncached for each backend and batch size; each
            figure the median of --repeat runs, the runs of all backends interleaved; ratio to
            torch at the same batch size
  agreement cosine of each backend's vector to torch's for the same chunk (mean and min), and
            the recall of torch's 10 nearest neighbours (chunk to chunk, itself left out)
  gates     the committed retrieval gates (eval/gates/NAME.toml) run through eval's runner with
            the backend's embedder, each backend in its own fresh data folder, so no cached
            vector crosses backends: doc_hit@5, span_recall@5, mrr@10 of the rights and dense
            systems, and whether the gate's thresholds pass

Backends: torch (the default), onnx (fp32 export), onnx-O1/-O2/-O3 (ONNX Runtime's transformer
optimiser at Optimum's levels), onnx-int8 (dynamic int8, Optimum's avx512_vnni configuration, as
sentence-transformers' export_dynamic_quantized_onnx_model), onnx-int8-avx2 (the avx2
configuration), onnx-int8-O2 (avx512_vnni of the O2 graph, fused attention as QAttention).
The exports are made once under --onnx-dir and reused. The onnx backends need onnxruntime and
onnx, which are not dependencies of the project (pip install onnxruntime onnx).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import assistant  # noqa: F401  (offline environment before any model library loads)
from assistant.search.embedding import Embedder, EmbeddingError, model_key_for, resolve_model_path
from assistant.settings import EmbeddingSettings, Settings
from ingest.chunking import chunk_text
from ingest.pipeline import discover, document_title, embed_text
from ingest.readers import read_file

DEFAULT_DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cuad-dev" / "docs"
BACKENDS = {  # name -> onnx export variant (None: torch)
    "torch": None,
    "onnx": "fp32",
    "onnx-O1": "O1",
    "onnx-O2": "O2",
    "onnx-O3": "O3",
    "onnx-int8": "int8",
    "onnx-int8-avx2": "int8-avx2",
    "onnx-int8-O2": "int8-O2",
}
GATE_KEYS = ("doc_hit@5", "span_recall@5", "mrr@10")


# -- ONNX export and runner -------------------------------------------------------------------------
# sentence-transformers' own ``backend="onnx"`` (and export_dynamic_quantized_onnx_model) go
# through Optimum, whose releases pin transformers < 4.58 (this project runs transformers 5), so
# the export is done here with torch.onnx and run with onnxruntime directly: the same tokenizer,
# 256-token cut, mean pooling and L2 normalisation as the sentence-transformers pipeline of MiniLM.
# Variants export_onnx can build: the plain export; ONNX Runtime's transformer optimiser at
# Optimum's O1/O2/O3 levels; dynamic int8 with Optimum's avx512_vnni and avx2 configurations
# (of the plain export, as sentence-transformers does); int8-O2: avx512_vnni of the O2 graph
# (its fused attention quantised as QAttention).
ONNX_VARIANTS = ("fp32", "O1", "O2", "O3", "int8", "int8-avx2", "int8-O2")
_ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _require_onnx(what: str):
    try:
        import onnxruntime

        if what == "export":
            import onnx  # noqa: F401  (optimiser and quantiser read models with it)
    except ImportError as exc:
        raise EmbeddingError(
            "this benchmark's onnx backends need onnxruntime and onnx: pip install onnxruntime onnx"
        ) from exc
    return onnxruntime


def _model_config(model_path: Path) -> dict:
    config = json.loads((model_path / "config.json").read_text())
    pooling = model_path / "1_Pooling" / "config.json"
    if pooling.is_file() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens", False):
        raise EmbeddingError(f"the onnx backends support mean-pooling models only ({model_path} pools otherwise)")
    sbert = model_path / "sentence_bert_config.json"
    max_len = json.loads(sbert.read_text()).get("max_seq_length") if sbert.is_file() else None
    config["_max_seq_length"] = int(max_len or config.get("max_position_embeddings", 512))
    return config


def export_onnx(model_path: Path, folder: Path, variant: str = "fp32") -> Path:
    """The ONNX file of ``variant`` for the model at ``model_path``, exported into ``folder``
    once (offline, from the local weights) and reused afterwards. Safe against a concurrent
    export: each is written aside and moved into place whole."""
    if variant not in ONNX_VARIANTS:
        raise ValueError(f"unknown onnx variant {variant!r} (one of {', '.join(ONNX_VARIANTS)})")
    target = folder / variant / "model.onnx"
    if target.is_file():
        return target
    _require_onnx("export")
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{variant}-", dir=folder))
    os.chmod(work, 0o755)
    try:
        out = work / "model.onnx"
        if variant == "fp32":
            _export_fp32(model_path, out)
        else:
            base = export_onnx(model_path, folder, "O2" if variant == "int8-O2" else "fp32")
            if variant.startswith("int8"):
                _quantize_int8(base, out, avx2=variant == "int8-avx2")
            else:
                _optimize(base, out, model_path, variant)
        try:
            os.replace(work, folder / variant)
        except OSError:  # another process finished the same export first
            if not target.is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _export_fp32(model_path: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    class Wrapper(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            # The additive 4-D mask is given ready-made: transformers 5 builds it from the 2-D
            # mask with Python control flow that tracing would freeze at the example's length.
            mask = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
            return self.model(
                input_ids=input_ids, attention_mask=mask, token_type_ids=token_type_ids
            ).last_hidden_state

    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_path), local_files_only=True, attn_implementation="eager")
    wrapper = Wrapper(model).eval()
    example = tokenizer(["an example clause for the export", "short"], padding=True, return_tensors="pt")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            tuple(example[name] for name in _ONNX_INPUTS),
            str(out),
            dynamo=False,
            input_names=list(_ONNX_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes={name: {0: "batch", 1: "seq"} for name in (*_ONNX_INPUTS, "last_hidden_state")},
            opset_version=17,
            do_constant_folding=True,
        )


def _optimize(base: Path, out: Path, model_path: Path, level: str) -> None:
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((model_path / "config.json").read_text())
    options = FusionOptions("bert")
    options.enable_embed_layer_norm = False  # as Optimum: keeps the graph's inputs as they are
    options.enable_gelu_approximation = level == "O3"
    staged = out.with_name("staged.onnx")
    _scale_as_div(base, staged)
    optimizer = optimize_model(
        str(staged),
        model_type="bert",
        num_heads=int(config["num_attention_heads"]),
        hidden_size=int(config["hidden_size"]),
        opt_level=1 if level == "O1" else 2,
        optimization_options=options,
        use_gpu=False,
        only_onnxruntime=level == "O1",
    )
    optimizer.save_model_to_file(str(out))
    staged.unlink()


def _scale_as_div(base: Path, out: Path) -> None:
    """transformers 5 scales attention scores by ``* head_dim**-0.5``; ONNX Runtime's attention
    fusion looks for the mask's Mul and the score's Mul by op type alone and takes the first, so
    with two Muls it fuses nothing. The same scale as a division (by head_dim**0.5) fuses."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(base))
    graph = model.graph
    producer = {o: n for n in graph.node for o in n.output}
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    for node in graph.node:
        if node.op_type != "Mul" or len(node.input) != 2:
            continue
        left, scale = producer.get(node.input[0]), producer.get(node.input[1])
        users = consumers.get(node.output[0], [])
        if left is None or left.op_type != "MatMul" or len(users) != 1 or users[0].op_type != "Add":
            continue
        if scale is None or scale.op_type != "Constant":
            continue
        value = numpy_helper.to_array(scale.attribute[0].t)
        if value.size != 1:
            continue
        name = f"{node.name}/divisor"
        graph.initializer.append(numpy_helper.from_array((1.0 / value).astype(value.dtype), name))
        node.op_type, node.input[1] = "Div", name
    onnx.save(model, str(out))


def _quantize_int8(base: Path, out: Path, avx2: bool = False) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser's advice to pre-process is for static quantisation
    try:
        # Optimum's AutoQuantizationConfig.avx512_vnni / .avx2 (is_static=False), which
        # sentence-transformers' export_dynamic_quantized_onnx_model applies: per-channel
        # symmetric weights (int8; uint8 for avx2), asymmetric uint8 activations, all op types.
        quantize_dynamic(
            str(base),
            str(out),
            per_channel=True,
            reduce_range=False,
            weight_type=QuantType.QUInt8 if avx2 else QuantType.QInt8,
            extra_options={
                "WeightSymmetric": True,
                "ActivationSymmetric": False,
                "DefaultTensorType": 1,  # float, for outputs of fused ops that shape inference can't type
            },
        )
    finally:
        root.setLevel(level)


class OnnxEncoder:
    """What ``SentenceTransformer.encode`` does for MiniLM, on ONNX Runtime: tokenise (longest
    first, cut at max_seq_length), run, mean-pool over real tokens, L2-normalise."""

    def __init__(self, onnx_file: Path, model_path: Path, threads: int | None = None):
        ort = _require_onnx("run")
        from transformers import AutoTokenizer

        config = _model_config(model_path)
        self.max_length = self.max_seq_length = config["_max_seq_length"]
        self.dimension = int(config["hidden_size"])
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]

    def get_sentence_embedding_dimension(self) -> int:
        return self.dimension

    def encode(self, sentences: Sequence[str], batch_size: int = 32, normalize_embeddings: bool = True, **_) -> np.ndarray:
        texts = list(sentences)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # as sentence-transformers: little padding
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            enc = self.tokenizer(
                [texts[i] for i in idx], padding=True, truncation="longest_first",
                max_length=self.max_length, return_tensors="np",
            )
            feeds = {name: np.asarray(enc[name], dtype=np.int64) for name in self.inputs}
            hidden = self.session.run(None, feeds)[0]
            mask = np.asarray(enc["attention_mask"], dtype=np.float32)[:, :, None]
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            if normalize_embeddings:
                pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[idx] = pooled
        return out


# -- the measurements --------------------------------------------------------------------------------


def chunk_texts(docs: Path, n: int) -> list[str]:
    """``n`` chunk texts as ingestion makes them, evenly spread over all files of ``docs``."""
    files, _ = discover([docs])
    files = sorted(f for f in files if f.suffix.lower() in (".txt", ".pdf", ".docx", ".md"))
    opts = Settings(data_dir=Path(tempfile.gettempdir())).chunking
    texts = []
    for f in files:
        extracted = read_file(f)
        title = document_title(extracted.title, extracted.text, f)
        texts += [embed_text(title, c) for c in chunk_text(extracted.text, opts, extracted.heading_offsets)]
    if n and n < len(texts):
        step = len(texts) / n
        texts = [texts[int(i * step)] for i in range(n)]
    return texts


def make_embedder(name: str, onnx_dir: Path, threads: int | None, batch_size: int = 32,
                  cache_path: Path | None = None) -> Embedder:
    """The project's Embedder (its batching, lock and cache), its model swapped for the ONNX one.
    The cache key stays torch's: give each backend its own cache_path (run_gate does)."""
    settings = EmbeddingSettings(batch_size=batch_size, threads=threads)
    variant = BACKENDS[name]
    model = None
    if variant is not None:
        model_path = resolve_model_path(settings.model)
        folder = onnx_dir / model_key_for(model_path).replace(":", "-")
        model = OnnxEncoder(export_onnx(model_path, folder, variant), model_path, threads)
    embedder = Embedder(settings, cache_path=cache_path, model=model)
    embedder.model  # export / load outside any timing  # noqa: B018
    return embedder


def with_batch(embedder: Embedder, batch_size: int) -> Embedder:
    embedder.settings = embedder.settings.model_copy(update={"batch_size": batch_size})
    return embedder


def neighbour_recall(reference: np.ndarray, other: np.ndarray, k: int = 10) -> float:
    def top(v: np.ndarray) -> np.ndarray:
        sims = v @ v.T
        np.fill_diagonal(sims, -np.inf)
        return np.argsort(-sims, axis=1)[:, :k]

    a, b = top(reference), top(other)
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(a, b)]))


def run_gate(gate_name: str, name: str, onnx_dir: Path, threads: int | None, workdir: Path) -> dict:
    from eval.dataset import load_dataset, select
    from eval.gates import GateUnavailable, check, load_gate
    from eval.runner import RunConfig, run_eval

    try:
        gate = load_gate(gate_name)
    except GateUnavailable as exc:
        return {"unavailable": str(exc)}
    settings = Settings(data_dir=workdir / f"gate-{gate_name}-{name}")
    embedder = make_embedder(name, onnx_dir, threads, cache_path=settings.cache_dir / "embeddings.sqlite")
    questions = load_dataset(gate.dataset)
    if gate.qids:
        questions = select(questions, gate.qids)
    config = RunConfig(corpus=gate.corpus_for(settings.data_dir), dataset=gate.dataset,
                       out=settings.data_dir / "run", systems=gate.systems, retrieval_only=True,
                       label=f"{gate_name}-{name}")
    try:
        result = run_eval(settings, config, questions, embedder=embedder)
    finally:
        embedder.close()
    figures = {
        system: {key: result["retrieval"][system]["overall"][key] for key in GATE_KEYS}
        for system in ("rights", "dense") if system in result["retrieval"]
    }
    return {"figures": figures, "failures": check(result, gate.thresholds)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="folder of contracts (default: cuad-dev)")
    parser.add_argument("--chunks", type=int, default=512, help="chunks to embed (0 = all)")
    parser.add_argument("--batch-sizes", default="32,64", help="comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure; the median is printed")
    parser.add_argument("--backends", default=",".join(BACKENDS), help=f"comma-separated, of: {', '.join(BACKENDS)}")
    parser.add_argument("--gates", default="demo,cuad-slice", help="gates to run per backend, or 'none'")
    parser.add_argument("--no-timing", action="store_true", help="skip the speed runs (agreement and gates only)")
    parser.add_argument("--threads", type=int, default=None, help="threads for every backend (default: all cores)")
    parser.add_argument("--onnx-dir", type=Path, default=Path(tempfile.gettempdir()) / "rights-bench-onnx",
                        help="where the ONNX exports are made once and reused")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure here")
    args = parser.parse_args(argv)

    names = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in names if b not in BACKENDS]
    if unknown:
        parser.error(f"unknown backend {unknown[0]!r}; choose from {', '.join(BACKENDS)}")
    if "torch" not in names:
        names.insert(0, "torch")  # the reference every ratio and agreement is against
    batch_sizes = [int(b) for b in args.batch_sizes.split(",") if b.strip()]
    gates = [] if args.gates.strip() == "none" else [g.strip() for g in args.gates.split(",") if g.strip()]

    texts = sorted(chunk_texts(args.docs, args.chunks), key=len)  # length order, as Embedder.embed
    print(f"{len(texts)} chunks, {sum(map(len, texts)) / len(texts):.0f} chars/chunk; backends: {', '.join(names)}",
          flush=True)
    embedders = {name: make_embedder(name, args.onnx_dir, args.threads) for name in names}

    speed: dict[tuple[str, int], list[float]] = {(n, b): [] for n in names for b in batch_sizes}
    vectors: dict[str, np.ndarray] = {}
    for name, embedder in embedders.items():
        vectors[name] = with_batch(embedder, batch_sizes[0]).embed_uncached(texts)  # also the warm-up
    if not args.no_timing:
        for r in range(args.repeat):
            for name in names:
                for bs in batch_sizes:
                    embedder = with_batch(embedders[name], bs)
                    t = time.perf_counter()
                    embedder.embed_uncached(texts)
                    speed[(name, bs)].append(len(texts) / (time.perf_counter() - t))
            print(f"round {r + 1}/{args.repeat} done", flush=True)

    agreement = {}
    for name in names:
        cos = np.sum(vectors[name] * vectors["torch"], axis=1)
        agreement[name] = {"cos_mean": float(cos.mean()), "cos_min": float(cos.min()),
                           "nn10_recall": neighbour_recall(vectors["torch"], vectors[name])}

    gate_results: dict[str, dict[str, dict]] = {}
    if gates:
        workdir = Path(tempfile.mkdtemp(prefix="rights-bench-backends-"))
        for gate in gates:
            gate_results[gate] = {}
            for name in names:
                gate_results[gate][name] = run_gate(gate, name, args.onnx_dir, args.threads, workdir)
                print(f"gate {gate} / {name} done", flush=True)

    print()
    head = f"{'backend':16} {'batch':>5} {'passages/s':>10} {'vs torch':>8} {'cos mean':>9} {'cos min':>8} {'nn@10':>6}"
    print(head)
    print("-" * len(head))
    for name in names:
        a = agreement[name]
        for bs in batch_sizes:
            runs = speed[(name, bs)]
            if runs:
                ps = statistics.median(runs)
                ratio = ps / statistics.median(speed[("torch", bs)])
                sp = f"{ps:10.2f} {ratio:7.2f}x"
            else:
                sp = f"{'-':>10} {'-':>8}"
            print(f"{name:16} {bs:5d} {sp} {a['cos_mean']:9.5f} {a['cos_min']:8.5f} {a['nn10_recall']:6.3f}")
    for gate, by_name in gate_results.items():
        print()
        print(f"gate {gate}: doc_hit@5 / span_recall@5 / mrr@10 (rights; dense), thresholds")
        ref = by_name.get("torch", {}).get("figures")
        for name, res in by_name.items():
            if "unavailable" in res:
                print(f"  {name:16} unavailable: {res['unavailable']}")
                continue
            f = res["figures"]
            cells = "; ".join(
                f"{s} " + " / ".join(f"{f[s][k]:.3f}" for k in GATE_KEYS) for s in ("rights", "dense") if s in f
            )
            same = "same as torch" if ref and all(
                round(f[s][k], 3) == round(ref[s][k], 3) for s in f for k in GATE_KEYS) else "DIFFERS from torch"
            status = "pass" if not res["failures"] else "FAIL: " + "; ".join(res["failures"])
            print(f"  {name:16} {cells}   {status}, {same}")
    if args.json:
        args.json.write_text(json.dumps({
            "chunks": len(texts),
            "speed": {f"{n}@{b}": v for (n, b), v in speed.items()},
            "agreement": agreement,
            "gates": gate_results,
        }, indent=2))


if __name__ == "__main__":
    main()
