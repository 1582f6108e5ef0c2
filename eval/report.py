"""A self-contained HTML report (inline SVG plots, no scripts, no external assets) of one run."""

from __future__ import annotations

import html
import io
from pathlib import Path

from eval.metrics import BUDGETS, KS

COLORS = {"rights": "#1b6ac9", "dense": "#8fb7e8", "lexical": "#e0a03a", "llamaindex": "#9a9a9a", "hybrid": "#5a8f5a"}


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none"})
    return plt


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return html.escape(str(v))


def plot_at_k(result: dict) -> str:
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), sharey=True)
    for ax, metric in zip(axes, ("doc_hit", "span_recall", "mrr")):
        for system, data in result["retrieval"].items():
            ys = [data["overall"].get(f"{metric}@{k}") for k in KS]
            if all(y is None for y in ys):
                continue
            ax.plot(KS, [y if y is not None else float("nan") for y in ys], marker="o", label=system, color=COLORS.get(system))
        ax.set_title(f"{metric} @ k")
        ax.set_xticks(KS)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower right")
    return _svg(fig)


def plot_categories(result: dict, metric: str) -> str:
    plt = _plt()
    systems = list(result["retrieval"])
    cats = sorted({c for s in systems for c in result["retrieval"][s]["by_category"]})
    if not cats:
        return ""
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.28 * len(cats) * max(1, len(systems)) / 2)))
    height = 0.8 / max(1, len(systems))
    for i, system in enumerate(systems):
        vals = [result["retrieval"][system]["by_category"].get(c, {}).get(metric) for c in cats]
        ax.barh([j + i * height for j in range(len(cats))], [v or 0 for v in vals], height=height,
                label=system, color=COLORS.get(system))
    ax.set_yticks([j + height * (len(systems) - 1) / 2 for j in range(len(cats))])
    ax.set_yticklabels(cats)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(metric)
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _svg(fig)


def plot_latency(rows: list[dict], result: dict) -> str:
    plt = _plt()
    answer_times = [r["answer"]["total_s"] for r in rows if r.get("answer") and r["answer"].get("total_s")]
    n = 2 if answer_times else 1
    fig, axes = plt.subplots(1, n, figsize=(5.5 * n, 3))
    axes = [axes] if n == 1 else list(axes)
    for system in result["retrieval"]:
        ms = [r["retrieval"][system]["ms"] for r in rows if system in r["retrieval"]]
        axes[0].hist(ms, bins=30, alpha=0.55, label=system, color=COLORS.get(system))
    axes[0].set_xlabel("retrieval latency (ms)")
    axes[0].set_ylabel("questions")
    axes[0].legend()
    if answer_times:
        ttft = [r["answer"]["ttft_s"] for r in rows if r.get("answer") and r["answer"].get("ttft_s")]
        axes[1].hist(answer_times, bins=30, alpha=0.6, label="full answer", color="#1b6ac9")
        if ttft:
            axes[1].hist(ttft, bins=30, alpha=0.6, label="first token", color="#e0a03a")
        axes[1].set_xlabel("seconds")
        axes[1].legend()
    return _svg(fig)


def _table(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for v in row:
            style = ""
            if isinstance(v, float) and 0 <= v <= 1:
                style = f' style="background: rgba(27,106,201,{0.08 + 0.45 * v:.2f})"'
            cells.append(f"<td{style}>{_fmt(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1150px;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.meta{color:#666;font-size:.85rem}
.q{font-size:.8rem}details{margin:.3rem 0}
"""


def write_report(out: Path, result: dict, rows: list[dict]) -> Path:
    systems = list(result["retrieval"])
    keys = [f"{m}@{k}" for m in ("doc_hit", "span_recall", "mrr") for k in KS] + [
        f"span_recall@{b}c" for b in BUDGETS] + ["chars@5", "retrieval_ms_p50", "retrieval_ms_p95"]
    retrieval_table = _table(["metric"] + systems, [[k] + [result["retrieval"][s]["overall"].get(k) for s in systems] for k in keys])
    parts = [
        f"<h1>Evaluation: {html.escape(result['label'])}</h1>",
        f"<p class=meta>{result['created']} · corpus {html.escape(result['corpus'])} · dataset {html.escape(result['dataset'])} · "
        f"{result['questions']} questions ({result['answerable']} answerable) · wall {result['wall_s']} s</p>",
        "<h2>Retrieval (answerable questions)</h2>",
        retrieval_table,
        plot_at_k(result),
    ]
    if result.get("answers"):
        a = result["answers"]["overall"]
        parts += ["<h2>Answers</h2>", _table(["metric", "value"], [[k, v] for k, v in a.items()])]
        cats = result["answers"]["by_category"]
        parts.append(_table(["category", "n", "token F1", "holds gold", "span cited", "abstention acc.", "citation validity"],
                            [[c, d["n"], d["token_f1"], d.get("answer_holds_gold"), d["span_cited"], d["abstention_accuracy"],
                              d["citation_validity"]] for c, d in cats.items()]))
    parts += ["<h2>Span recall@5 by category</h2>", plot_categories(result, "span_recall@5")]
    if not any(result["retrieval"][s]["overall"].get("span_recall@5") is not None for s in systems):
        parts += ["<h2>Document hit@5 by category</h2>", plot_categories(result, "doc_hit@5")]
    parts += ["<h2>Latency</h2>", plot_latency(rows, result)]
    # Questions the product misses though a baseline finds them: where to look first.
    if "rights" in systems:
        misses = []
        for r in rows:
            mine = r["retrieval"].get("rights", {})
            key = "span_recall@5" if mine.get("span_recall@5") is not None else "doc_hit@5"
            if not r["answerable"] or mine.get(key) is None or mine[key] > 0:
                continue
            others = [s for s in systems if s != "rights" and (r["retrieval"].get(s, {}).get(key) or 0) > 0]
            misses.append((r, others))
        parts.append(f"<h2>Misses at 5 ({len(misses)})</h2>")
        for r, others in misses[:200]:
            found = f" — found by {', '.join(others)}" if others else ""
            tops = ", ".join(f"{t['doc'][:40]} §{t['section'] or '?'}" for t in r["retrieval"]["rights"]["top"][:3])
            parts.append(f"<details class=q><summary>{html.escape(r['qid'])}{html.escape(found)}</summary>"
                         f"<p>{html.escape(r['question'])}</p><p>top 3: {html.escape(tops)}</p></details>")
    page = f"<!doctype html><meta charset=utf-8><title>rights eval {html.escape(result['label'])}</title><style>{CSS}</style>" + "\n".join(parts)
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
