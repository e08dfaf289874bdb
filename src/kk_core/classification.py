"""GBVIMS classification: one core type per incident, and the case-context flags.

The GBVIMS Classification Tool asks about an incident in a fixed order and the first
"yes" is its type: penetration (rape) > other unwanted sexual contact (sexual assault)
> physical assault > forced marriage > denial of resources, opportunities or services >
psychological or emotional abuse; an incident that is none of them is Non-GBV. The type
comes from the act, never from who did it or where; the context is in the flags, set as
Primero (UNICEF's GBVIMS case-management system) sets them, with one local flag.

The answers come from what a KK records in SIMFONI-PPA terms (`ViolenceIncident`): the
forms of violence, the forms of sexual violence of UU TPKS Art. 4, whether there was
penetration, an exploitation's kind, money or goods exchanged, resources withheld, the
perpetrators, and the survivor's age *at the incident*. A child marriage is classified
as an incident of its own (UU TPKS Art. 10(2)a; GBVIMS: a marriage under 18 is forced),
so a child married to the man who raped her counts as a rape and as a forced marriage,
each with its flags.

Sources: The GBVIMS User Guide, ch. 3 "The Gender-Based Violence Classification Tool";
Primero ``app/models/concerns/gender_based_violence.rb`` (the flags); UU 12/2022 (TPKS)
Art. 4 and 10. The worked incidents in ``docs/reference/classification.md`` are run as a
test.
"""

from __future__ import annotations

import attrs

from kk_core.case_parts import CHILD_AGE, ChildMarriage, Perpetrator, ViolenceIncident
from kk_core.codes import (
    INTIMATE_RELATIONS,
    ChildMarriageResult,
    ExploitationKind,
    GbvimsFlag,
    GbvimsType,
    MarriageRoute,
    Penetration,
    TpksForm,
    ViolenceForm,
    core_code,
)

__all__ = [
    "Classification",
    "classify_incident",
    "classify_marriage",
    "is_intimate_partner",
]

#: UU TPKS forms that are penetration by their definition (intercourse).
_PENETRATIVE = frozenset({TpksForm.RAPE, TpksForm.CHILD_INTERCOURSE})
#: UU TPKS forms with no bodily contact: psychological abuse in GBVIMS, unless the
#: incident also records contact (GBVIMS: "remarks, gestures or written words of a
#: sexual nature" are psychological).
_NO_CONTACT = frozenset(
    {TpksForm.NONPHYSICAL_HARASSMENT, TpksForm.ELECTRONIC, TpksForm.INDECENCY, TpksForm.PORNOGRAPHY}
)
#: UU TPKS forms that are not sexual contact but an act on the body (forced
#: contraception or sterilisation): physical assault, the nearest GBVIMS type.
_ON_THE_BODY = frozenset({TpksForm.FORCED_CONTRACEPTION, TpksForm.FORCED_STERILISATION})
#: UU TPKS forms that are no sexual contact at all.
_NOT_CONTACT = _NO_CONTACT | _ON_THE_BODY | {TpksForm.FORCED_MARRIAGE}
#: UU TPKS forms of contact that say there was no penetration (harassment, cabul).
_WITHOUT_PENETRATION = frozenset(
    {TpksForm.PHYSICAL_HARASSMENT, TpksForm.INDECENT_ASSAULT, TpksForm.CHILD_INDECENT_ASSAULT}
)
_EXPLOITATIVE = frozenset(
    {TpksForm.SEXUAL_EXPLOITATION, TpksForm.CHILD_SEXUAL_EXPLOITATION, TpksForm.FORCED_PROSTITUTION}
)
_SEXUAL_TYPES = frozenset({GbvimsType.RAPE, GbvimsType.SEXUAL_ASSAULT})


@attrs.frozen
class Classification:
    """An incident's GBVIMS core type and flags; ``to_review`` when the type rests on
    a default (sexual violence whose penetration is not known counts as sexual assault)."""

    core: GbvimsType
    flags: frozenset[GbvimsFlag] = frozenset()
    to_review: bool = False


def is_intimate_partner(perpetrator: Perpetrator) -> bool:
    """A spouse, a boyfriend or a former one: the relation, or its SIMFONI parent ``spouse``
    (a plugin's local relation under ``partner_friend`` is a friend, not a partner)."""
    if perpetrator.relation in INTIMATE_RELATIONS:
        return True
    return core_code("perpetrator_relation", perpetrator.relation) == "spouse"


def classify_incident(incident: ViolenceIncident, *, age: int | None) -> Classification:
    """The incident's core type by the tool's questions, in order, and its flags.

    ``age`` is the survivor's age on the day of the incident (None when unknown).
    """
    forms, tpks = incident.forms, incident.tpks_forms
    penetration = incident.penetration
    no_contact_only = bool(tpks) and tpks <= _NOT_CONTACT
    contact = (
        (ViolenceForm.SEXUAL in forms and not no_contact_only)
        or bool(tpks - _NOT_CONTACT)
        or incident.exploitation is ExploitationKind.SEXUAL
        or penetration is Penetration.YES  # penetration recorded: there was contact
    )
    to_review = False
    if contact and (
        penetration is Penetration.YES
        or (tpks & _PENETRATIVE and penetration is not Penetration.NO)
    ):
        core = GbvimsType.RAPE
    elif contact:
        core = GbvimsType.SEXUAL_ASSAULT
        # penetration not known and nothing recorded that rules it out: counted as
        # sexual assault until the case worker knows
        to_review = penetration in (None, Penetration.UNKNOWN) and not tpks & _WITHOUT_PENETRATION
    elif ViolenceForm.PHYSICAL in forms or tpks & _ON_THE_BODY:
        core = GbvimsType.PHYSICAL_ASSAULT
    elif TpksForm.FORCED_MARRIAGE in tpks:
        core = GbvimsType.FORCED_MARRIAGE
    elif _denied(incident, age):
        core = GbvimsType.DENIAL_OF_RESOURCES
    elif (
        ViolenceForm.PSYCHOLOGICAL in forms
        or ViolenceForm.TRAFFICKING in forms
        or ViolenceForm.SEXUAL in forms
        or tpks & _NO_CONTACT  # sexual, but no contact: remarks, images, exposure
    ):
        core = GbvimsType.PSYCHOLOGICAL_ABUSE
    else:
        core = GbvimsType.NON_GBV
    return Classification(core, _flags(core, incident, age), to_review=to_review)


def _denied(incident: ViolenceIncident, age: int | None) -> bool:
    """Denial of resources: something rightful withheld (earnings, inheritance, school,
    contraception, health care), a partner's maintenance (neglect by a partner), an
    economic exploitation that takes earnings. A child's neglect by its caregivers is
    child protection, not GBV, unless something was withheld from the child."""
    if incident.resources_withheld:
        return True
    if incident.exploitation is ExploitationKind.ECONOMIC:
        return True
    if ViolenceForm.NEGLECT in incident.forms:
        adult = age is not None and age >= CHILD_AGE
        return adult or any(is_intimate_partner(p) for p in incident.perpetrators)
    return False


def _flags(core: GbvimsType, incident: ViolenceIncident, age: int | None) -> frozenset[GbvimsFlag]:
    flags: set[GbvimsFlag] = set()
    child = age is not None and age < CHILD_AGE
    if core is not GbvimsType.NON_GBV and any(
        is_intimate_partner(p) for p in incident.perpetrators
    ):
        flags.add(GbvimsFlag.INTIMATE_PARTNER_VIOLENCE)
    if core in _SEXUAL_TYPES and child:
        flags.add(GbvimsFlag.CHILD_SEXUAL_ABUSE)
    if core in _SEXUAL_TYPES and (
        incident.exchange
        or incident.exploitation is ExploitationKind.SEXUAL
        or incident.tpks_forms & _EXPLOITATIVE
    ):
        flags.add(GbvimsFlag.POSSIBLE_SEXUAL_EXPLOITATION)
    if core is GbvimsType.FORCED_MARRIAGE and child:
        flags.add(GbvimsFlag.EARLY_MARRIAGE)
    if ViolenceForm.TRAFFICKING in incident.forms or TpksForm.TRAFFICKING in incident.tpks_forms:
        flags.add(GbvimsFlag.POSSIBLE_TRAFFICKING)
    return frozenset(flags)


#: Results of a marriage that never took place: no GBVIMS incident (the tool classifies
#: incidents that happened; the pressure or violence around it is an incident of its own).
_NOT_TAKEN_PLACE = frozenset({ChildMarriageResult.PREVENTED, ChildMarriageResult.POSTPONED})


def classify_marriage(marriage: ChildMarriage, *, age: int | None) -> Classification:
    """A (planned) child marriage as an incident of its own: forced marriage when the
    subject is under 18 at the marriage (early marriage), married against their will, or
    married to the perpetrator of sexual violence against them (UU TPKS Art. 10(2)c);
    else Non-GBV (a marriage at 18 is below the legal age of 19 but not forced). A
    marriage prevented or postponed never took place: Non-GBV (record the threats or the
    confinement that came with it as a violence incident of the case)."""
    if marriage.result in _NOT_TAKEN_PLACE:
        return Classification(GbvimsType.NON_GBV)
    child = age is not None and age < CHILD_AGE
    forced = (
        child or marriage.against_will or MarriageRoute.AFTER_SEXUAL_VIOLENCE in marriage.routes
    )
    if not forced:
        return Classification(GbvimsType.NON_GBV, to_review=age is None)
    flags = frozenset({GbvimsFlag.EARLY_MARRIAGE}) if child else frozenset()
    return Classification(GbvimsType.FORCED_MARRIAGE, flags)
