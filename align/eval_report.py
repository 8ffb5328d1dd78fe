"""`align eval` results as a readable table or as JSON; every score carries its signature."""

from __future__ import annotations

from align.evaluate import Evaluation, Score, SystemResult
from align.testset import listed

SIGNIFICANT = 0.05


def _score_json(score: Score, significance=None) -> dict:
    data = {"name": score.name, "score": score.score, "signature": score.signature}
    if score.verbose:
        data["verbose_score"] = score.verbose
    if significance is not None:
        data.update({"bootstrap_mean": significance.mean, "bootstrap_ci95": significance.ci,
                     "p_value": significance.p_value})
    return data


def _system_json(system: SystemResult) -> dict:
    significance = system.significance or (None,) * len(system.scores)
    data = {"system": system.name, "scores": [_score_json(s, sig) for s, sig in zip(system.scores, significance)]}
    if system.documents:
        data["documents"] = [{"document": d.document, "segments": d.segments,
                              "scores": {s.name: s.score for s in d.scores}} for d in system.documents]
    if system.terms is not None:
        t = system.terms
        data["terms"] = {"glossary": t.glossary, "occurrences": t.occurrences, "correct": t.correct, "rate": t.rate,
                         "misses": [{"segment": m.segment, "term": m.term, "expected": list(m.expected),
                                     "likely_used": m.used} for m in t.misses]}
    return data


def to_json(evaluation: Evaluation) -> dict:
    """Everything as plain data (scores unrounded)."""
    test_set = evaluation.test_set
    data: dict = {"segment_count": len(test_set), "references": list(test_set.reference_names)}
    if test_set.matching is not None:
        m = test_set.matching
        data["matching"] = {"method": m.method, "units": m.units, "matched_lines": m.matched,
                            "lines_without_unit": list(m.lines_without_unit),
                            "lines_without_reference": list(m.lines_without_reference),
                            "units_unused": m.units_unused, "lines_sharing_a_unit": m.lines_sharing_a_unit}
    if evaluation.bootstrap is not None:
        b = evaluation.bootstrap
        data["significance"] = {"test": "paired bootstrap resampling (sacrebleu)", "resamples": b.resamples,
                                "seed": b.seed, "baseline": b.baseline}
    names = [s.name for s in evaluation.systems[0].scores]
    data["systems"] = [_system_json(system) for system in evaluation.systems]
    if evaluation.segment_signatures:
        data["segment_signatures"] = dict(evaluation.segment_signatures)
        for system, out in zip(evaluation.systems, data["systems"]):
            out["segments"] = [dict(line=line, **({"document": doc} if doc is not None else {}),
                                    **dict(zip(names, scores)))
                               for line, doc, scores in zip(test_set.lines,
                                                            test_set.documents or (None,) * len(test_set),
                                                            system.segments)]
    return data


def _rows(header: list[str], rows: list[list[str]], right: int = 1) -> list[str]:
    """Columns padded to their widest cell; columns from `right` on are right-aligned."""
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    return ["  ".join(cell.rjust(w) if i >= right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
            .rstrip() for row in [header] + rows]


def segment_table(evaluation: Evaluation, width: int) -> list[str]:
    """One line per segment (and system): its line number, document, and each sentence score."""
    test_set = evaluation.test_set
    names = [name for name, _ in evaluation.segment_signatures]
    several = len(evaluation.systems) > 1
    header = ["line"] + (["document"] if test_set.documents else []) + (["system"] if several else []) + names
    rows = []
    for index, line in enumerate(test_set.lines):
        for system in evaluation.systems:
            rows.append([str(line)] + ([test_set.documents[index]] if test_set.documents else [])
                        + ([system.name] if several else []) + [f"{s:.{width}f}" for s in system.segments[index]])
    return _rows(header, rows, right=len(header) - len(names))


def _matching_lines(evaluation: Evaluation) -> list[str]:
    m, test_set = evaluation.test_set.matching, evaluation.test_set
    how = "line i with unit i" if m.method == "order" else "by the source text of each line"
    lines = [f"reference {test_set.reference_names[0]}: {m.units} units, matched {how}; "
             f"{m.matched} lines scored"]
    if m.lines_without_unit:
        lines.append(f"  {len(m.lines_without_unit)} lines whose source no unit has (not scored): "
                     f"{listed(m.lines_without_unit)}")
    if m.lines_without_reference:
        lines.append(f"  {len(m.lines_without_reference)} lines whose unit has no reference text (not scored): "
                     f"{listed(m.lines_without_reference)}")
    if m.units_unused:
        lines.append(f"  {m.units_unused} units with a reference matched no line")
    if m.lines_sharing_a_unit:
        lines.append(f"  {m.lines_sharing_a_unit} lines repeat a source more often than the memory has it "
                     "(scored against its last unit)")
    return lines


def _cell(score: Score, significance, width: int) -> str:
    text = f"{score.score:.{width}f}"
    if significance is not None:
        text += f" ({significance.mean:.{width}f} ± {significance.ci:.{width}f})"
        if significance.p_value is not None:
            star = "*" if significance.p_value < SIGNIFICANT else ""
            text += f" p = {significance.p_value:.4f}{star}"
    return text


def _terms_lines(system: SystemResult) -> list[str]:
    t = system.terms
    if not t.occurrences:
        return [f"terms ({t.glossary}): no source segment has a glossary term"]
    lines = [f"terms ({t.glossary}): {t.correct} of {t.occurrences} translated as the glossary says "
             f"({100 * t.rate:.1f}%)"]
    for miss in t.misses:
        used = f"; likely used \"{miss.used}\"" if miss.used else ""
        lines.append(f"  line {miss.segment}: '{miss.term}' should be \"{' / '.join(miss.expected)}\"{used}")
    return lines


def to_table(evaluation: Evaluation, width: int = 1) -> str:
    """The report a person reads: scores (with significance for several systems), documents,
    matching, term accuracy, then the signatures."""
    test_set = evaluation.test_set
    systems = evaluation.systems
    names = [s.name for s in systems[0].scores]
    out = [f"{len(test_set)} segments, reference{'s' * (len(test_set.reference_names) > 1)}: "
           f"{', '.join(test_set.reference_names)}"]
    if test_set.matching is not None:
        out += _matching_lines(evaluation)
    out.append("")
    if evaluation.bootstrap is None:
        system = systems[0]
        out.append(f"system: {system.name}")
        out += _rows(["metric", "score", ""], [[s.name, f"{s.score:.{width}f}", s.verbose] for s in system.scores],
                     right=1)
    else:
        b = evaluation.bootstrap
        rows = [[s.name + (" (baseline)" if i == 0 else "")]
                + [_cell(score, sig, width) for score, sig in zip(s.scores, s.significance)]
                for i, s in enumerate(systems)]
        out += _rows(["system"] + [f"{n} (mean ± 95% CI)" for n in names], rows)
        out.append(f"paired bootstrap resampling against {b.baseline}, {b.resamples} resamples, seed {b.seed}; "
                   f"* p < {SIGNIFICANT}: the difference is unlikely to be chance")
    for system in systems:
        if system.documents:
            out += ["", f"per document ({system.name}):" if len(systems) > 1 else "per document:"]
            out += _rows(["document", "segments"] + names,
                         [[d.document or "(none)", str(d.segments)] + [f"{s.score:.{width}f}" for s in d.scores]
                          for d in system.documents])
    for system in systems:
        if system.terms is not None:
            out += [""] + ([f"{system.name}:"] if len(systems) > 1 else []) + _terms_lines(system)
    out += ["", "signatures:"]
    out += [f"  {s.name:<8} {s.signature}" for s in systems[0].scores]
    if evaluation.segment_signatures:
        out += [f"  {name:<8} {signature}  (per segment)" for name, signature in evaluation.segment_signatures]
    return "\n".join(out)
