"""Is a follow-up due? Dates come in, a verdict and coded bands go out; no date is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from ubu_tui.i18n import N_, _

MIN_DAYS = 7          # a placement shorter than this is not followed up
MAX_DAYS_AFTER = 90   # nor one that ended longer ago than this
YOUTH_MIN_AGE, YOUTH_MAX_AGE = 12, 21
AGE_OF_MAJORITY = 18


class LegalBasis(IntEnum):
    """Codes match the caseworker item `cw_legal_basis`."""

    SOL = 1
    LVU = 2
    LSU = 3
    SOL_LVU_TO_LSS = 4


LEGAL_BASIS_LABELS = {
    LegalBasis.SOL: "SoL", LegalBasis.LVU: "LVU", LegalBasis.LSU: "LSU",
    LegalBasis.SOL_LVU_TO_LSS: "SoL/LVU som övergått i LSS",
}
OUT_OF_SCOPE = 0  # any other basis (LSS alone, family foster care, …)


class Unaccompanied(IntEnum):
    """Whether the young person came to Sweden without a guardian, and why they were placed.

    UBU follows up care for social problems. An unaccompanied minor placed because there is no
    guardian in Sweden (housing and care for that reason alone) is not followed up; one placed
    for social problems is, like anyone else.
    """

    NO = 0
    SOCIAL_PROBLEMS = 1
    NO_GUARDIAN_ONLY = 2


UNACCOMPANIED_LABELS = {
    Unaccompanied.NO: N_("Nej"),
    Unaccompanied.SOCIAL_PROBLEMS: N_("Ja, placerad för sociala problem"),
    Unaccompanied.NO_GUARDIAN_ONLY: N_("Ja, placerad enbart för att vårdnadshavare saknas"),
}


@dataclass(frozen=True)
class Eligibility:
    due: bool
    youth_form: bool                 # the youth items are meant for ages 12–21
    reasons: tuple[str, ...]         # why not due, in plain words
    notes: tuple[str, ...]           # due, but something to know
    length_band: int                 # code for `cw_length`, 0 when not due
    codes: tuple[str, ...] = ()      # why not due, as codes (NOT_DUE), counted for coverage


# Reasons for "not due" as codes: coverage counts them per municipality and month.
NOT_DUE = {"dates": "Datumen stämmer inte", "not_ended": "Inte avslutad",
           "too_short": "Kortare än 7 dagar", "too_late": "Mer än 90 dagar sedan avslut",
           "legal_basis": "Annat lagrum än SoL, LVU, LSU",
           "lss_not_yet": "Inte övergått i LSS ännu",
           "unaccompanied": "Ensamkommande, placerad enbart för att vårdnadshavare saknas",
           "unaccomp_unknown": "Okänt om ensamkommande"}
# Each code is stored after "not_due:" in coverage_count.outcome, a VARCHAR(24) (schema 0060).


def length_band(days: int) -> int:
    if days <= 30:
        return 1
    if days <= 91:
        return 2
    if days <= 182:
        return 3
    if days <= 365:
        return 4
    return 5


def check(start: date, end: date, today: date, legal_basis: int, age: int,
          unaccompanied: int = Unaccompanied.NO) -> Eligibility:
    """Say whether a follow-up is due, and why not. The dates are used here only.

    `end` is the day the placement ended or, for a SoL/LVU placement that turns into an LSS
    placement, the day it turned: the follow-up is due from then although the young person
    may stay on (the placement goes on under another law, outside UBU).
    """
    reasons: list[str] = []
    notes: list[str] = []
    codes: list[str] = []
    to_lss = legal_basis == LegalBasis.SOL_LVU_TO_LSS
    if end < start:
        codes.append("dates")
        reasons.append(_("Slutdatum ligger före startdatum. Kontrollera datumen."))
    if end > today:
        codes.append("lss_not_yet" if to_lss else "not_ended")
        reasons.append(_("Placeringen har inte övergått i LSS ännu. Uppföljningen görs från "
                         "den dag den övergår.") if to_lss else
                       _("Placeringen har inte avslutats ännu. Uppföljningen görs efter avslut."))
    days = (end - start).days
    if 0 <= days < MIN_DAYS:
        codes.append("too_short")
        reasons.append(_("Placeringen varade {days} dagar; uppföljning görs bara när den varat "
                         "minst {min} dagar.").format(days=days, min=MIN_DAYS))
    since = (today - end).days
    if since > MAX_DAYS_AFTER:
        codes.append("too_late")
        reasons.append(_("Det har gått {since} dagar sedan placeringen avslutades; uppföljning "
                         "görs senast {max} dagar efter avslut.").format(
                             since=since, max=MAX_DAYS_AFTER))
    if legal_basis not in {b.value for b in LegalBasis}:
        codes.append("legal_basis")
        reasons.append(_("Placeringen beslutades inte enligt SoL, LVU eller LSU och följs inte "
                         "upp här."))
    if unaccompanied == Unaccompanied.NO_GUARDIAN_ONLY:
        codes.append("unaccompanied")
        reasons.append(_("UBU följer inte upp ensamkommande som placerats enbart för att "
                         "vårdnadshavare saknas i Sverige, bara placeringar för sociala "
                         "problem."))
    elif unaccompanied not in {u.value for u in Unaccompanied}:
        codes.append("unaccomp_unknown")
        reasons.append(_("Ange om ungdomen är ensamkommande."))
    if to_lss and not reasons:
        notes.append(_("Placeringen fortsätter enligt LSS. Uppföljningen gäller tiden enligt "
                       "SoL eller LVU, fram till övergången."))
    youth_form = YOUTH_MIN_AGE <= age <= YOUTH_MAX_AGE
    if not youth_form:
        notes.append(_("Ungdomen är {age} år; ungdomsformuläret gäller {lo}–{hi} år och "
                       "ställs inte.").format(age=age, lo=YOUTH_MIN_AGE, hi=YOUTH_MAX_AGE))
    due = not reasons
    return Eligibility(due=due, youth_form=youth_form, reasons=tuple(reasons),
                       notes=tuple(notes), length_band=length_band(days) if due else 0,
                       codes=tuple(codes))
