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
                      f"omfattning: {instrument.scope}" + ("" if instrument.national else
                                                           " (räknas aldrig in i riksresultat)"),
                      "",
                      "## Koder för uteblivna svar (räknas aldrig med i medelvärden eller andelar)"]
    for nr in NONRESPONSE.values():
        out.append(f"  {nr.code:>3}  {nr.key:<15} {nr.label}")
    out.append(f"  {SKIPPED_CODE:>3}  {'skipped':<15} Hoppades över enligt villkor (routing)")
    out.append(f"  {NOT_REACHED_CODE:>3}  {'not_reached':<15} Ställdes inte (avbrott, bortfall)")
    if instrument.decline_reasons:
        out += ["", "## Skäl att avböja (session_record.decline_reason; bara när delen avböjdes, "
                    "registreras av intervjuaren, läses inte upp)"]
        out += [f"  {r.code:>3}  {r.label}" for r in instrument.decline_reasons]
    for form in instrument.forms.values():
        out += ["", f"## {form.title} ({form.respondent}, {len(form.items)} frågor)"]
        for item in form.items:
            flags = [f for f, on in (("känslig", item.sensitive),
                                     ("högt värde är dåligt", item.high_is_bad),
                                     (f"förifylld={item.prefill}", bool(item.prefill))) if on]
            out.append("")
            out.append(f"{item.id}  [{item.type}]" + (f"  ({', '.join(flags)})" if flags else ""))
            out.append(f"  Läs upp: {item.text}")
            if item.instruction:
                out.append(f"  Instruktion: {item.instruction}")
            for opt in item.options:
                note = "" if opt.read_aloud else "  (läs inte upp)"
                out.append(f"  {opt.code:>3}  {opt.label}{note}")
            if item.type is AnswerType.AGE:
                out.append(f"  hela år {item.min_value}–{item.max_value}")
            if item.type is AnswerType.UNIT:
                out.append("  enhetens nummer i enhetsregistret")
            if item.type is AnswerType.MULTI:
                out.append("  för varje vald metod, tillämpad som avsett: " +
                           ", ".join(f"{k} {v}" for k, v in APPLIED.items()))
            for key in item.nonresponse:
                out.append(f"  {NONRESPONSE[key].code:>3}  {item.nonresponse_label(key)}"
                           "  (läs inte upp)")
            for cond in item.show_if:
                out.append(f"  visas bara om {cond.item} är {sorted(cond.values)}")
            mapping = instrument.mapping
            if mapping is not None:
                old = next((o for o, n in mapping.same.items() if n == item.id), None)
                out.append(f"  samma fråga som {mapping.previous} {old}" if old else
                           f"  ny i {instrument.version}: slås inte ihop med {mapping.previous}")
            member = instrument.indices_of(item.id)
            if member:
                out.append(f"  index: {', '.join(member)}")
    out += ["", "## Index"]
    for ix in instrument.indices:
        out.append(f"{ix.id}: {ix.label} — {', '.join(ix.items)}")
    if instrument.shares:
        out += ["", "## Andelar (andelen sakliga svar med dessa koder)"]
        for share in instrument.shares:
            out.append(f"{share.id}: {share.label} — {share.item} är {sorted(share.codes)}")
    if instrument.mapping is not None and instrument.mapping.changed:
        out += ["", f"## Frågor i {instrument.mapping.previous} som inte ställs igen "
                    "(slås aldrig ihop)"]
        for old, why in instrument.mapping.changed.items():
            out.append(f"{old}: {why}")
    return "\n".join(out) + "\n"
