"""The instrument as a readable codebook: items, options, codes, routing, indices."""

from __future__ import annotations

from ubu_tui.instrument.model import (
    APPLIED,
    NONRESPONSE,
    NOT_REACHED_CODE,
    SKIPPED_CODE,
    AnswerType,
    Instrument,
)


def codebook(instrument: Instrument) -> str:
    out: list[str] = [f"# {instrument.title}", f"instrument: {instrument.key}",
                      f"scope: {instrument.scope}" + ("" if instrument.national else
                                                      " (never pooled into national figures)"),
                      "",
                      "## Codes for missing answers (never counted in means or shares)"]
    for nr in NONRESPONSE.values():
        out.append(f"  {nr.code:>3}  {nr.key:<15} {nr.label}")
    out.append(f"  {SKIPPED_CODE:>3}  {'skipped':<15} Hoppades över enligt villkor (routing)")
    out.append(f"  {NOT_REACHED_CODE:>3}  {'not_reached':<15} Ställdes inte (avbrott, bortfall)")
    for form in instrument.forms.values():
        out += ["", f"## {form.title} ({form.respondent}, {len(form.items)} items)"]
        for item in form.items:
            flags = [f for f, on in (("sensitive", item.sensitive),
                                     (f"prefill={item.prefill}", bool(item.prefill))) if on]
            out.append("")
            out.append(f"{item.id}  [{item.type}]" + (f"  ({', '.join(flags)})" if flags else ""))
            out.append(f"  Läs upp: {item.text}")
            if item.instruction:
                out.append(f"  Instruktion: {item.instruction}")
            for opt in item.options:
                note = "" if opt.read_aloud else "  (läs inte upp)"
                out.append(f"  {opt.code:>3}  {opt.label}{note}")
            if item.type is AnswerType.AGE:
                out.append(f"  whole years {item.min_value}–{item.max_value}")
            if item.type is AnswerType.UNIT:
                out.append("  unit id from the provider registry")
            if item.type is AnswerType.MULTI:
                out.append("  per chosen method, applied as intended: " +
                           ", ".join(f"{k} {v}" for k, v in APPLIED.items()))
            for key in item.nonresponse:
                out.append(f"  {NONRESPONSE[key].code:>3}  {item.nonresponse_label(key)}"
                           "  (läs inte upp)")
            for cond in item.show_if:
                out.append(f"  shown only if {cond.item} in {sorted(cond.values)}")
            mapping = instrument.mapping
            if mapping is not None:
                old = next((o for o, n in mapping.same.items() if n == item.id), None)
                out.append(f"  same question as {mapping.previous} {old}" if old else
                           f"  new in {instrument.version}: not combined with {mapping.previous}")
            member = instrument.indices_of(item.id)
            if member:
                out.append(f"  indices: {', '.join(member)}")
    out += ["", "## Indices"]
    for ix in instrument.indices:
        out.append(f"{ix.id}: {ix.label} — {', '.join(ix.items)}")
    if instrument.shares:
        out += ["", "## Shares (the share of substantive answers with these codes)"]
        for share in instrument.shares:
            out.append(f"{share.id}: {share.label} — {share.item} in {sorted(share.codes)}")
    if instrument.mapping is not None and instrument.mapping.changed:
        out += ["", f"## Items of {instrument.mapping.previous} not asked again (never combined)"]
        for old, why in instrument.mapping.changed.items():
            out.append(f"{old}: {why}")
    return "\n".join(out) + "\n"
