"""The KK's own KoboCollect forms, generated from the model: case intake (Pengaduan),
UMKM support (Ekonomi) and meeting attendance.

Every choice list comes from a code list as the installed plugins extend it
(``kk_extend_code_lists``: a district's local entries appear in its forms), or from the
deployment's own records (villages, hamlets, KK groups, members, service providers:
`FormContext`). Each rule of the model a field worker can break on the phone is a
``relevant``, ``constraint`` or ``required`` with its message in Indonesian and English
(`kk_adapters.kobo.form_logic`): ages and dates not in the future, a child marriage
under 19 on the marriage day, assent only from a child, no consent from an alleged
perpetrator, referrals only to services the consent covers.

`kk_forms` builds the three `FormDefinition` objects; `write_forms` writes them as
XLSForms (``kk form --out DIR``). The mapping of each form to records is derived from
the same definition (`FormDefinition.mapping`). See ``docs/reference/forms.md`` and
``docs/how-to/collect-with-kobocollect.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kk_adapters.kobo import form_logic as fl
from kk_adapters.kobo.form_definition import (
    Choice,
    FormDefinition,
    GeneratedFormMapping,
    Group,
    Question,
    RecordSpec,
    Target,
    Text,
)
from kk_adapters.kobo.form_logic import Expr, ref
from kk_core.case_lifecycle import ASSENT_AGE
from kk_core.case_parts import CHILD_AGE
from kk_core.cases import MARRIAGE_AGE
from kk_core.codes import (
    CODELIST_VERSION,
    CodeList,
    DisabilityDomain,
    FunctioningSet,
    Position,
)
from kk_core.errors import Problem, ValidationError, quote_value
from kk_core.groups import ConstituentGroup, Member
from kk_core.places import Hamlet, Village
from kk_core.plugins import Plugins, get_plugins
from kk_core.referrals import ServiceProvider
from kk_core.store import Store

__all__ = [
    "CASE_FORM_ID",
    "FORM_IDS",
    "MEETING_FORM_ID",
    "UMKM_FORM_ID",
    "FormContext",
    "case_intake_form",
    "forms_reference",
    "generated_mapping",
    "kk_forms",
    "meeting_form",
    "umkm_form",
    "write_forms",
]

CASE_FORM_ID = "kk_pengaduan"
UMKM_FORM_ID = "kk_umkm"
MEETING_FORM_ID = "kk_rapat"
#: The generated forms' ids, in the order `kk_forms` makes them (``kk form`` writes each
#: as ``ID.xlsx``; ``kk sync --mapping ID`` imports its submissions).
FORM_IDS = (CASE_FORM_ID, UMKM_FORM_ID, MEETING_FORM_ID)


@attrs.frozen
class FormContext:
    """The deployment's records the forms offer as choices: the villages with a KK, their
    hamlets, the groups, their members and the service providers."""

    villages: tuple[Village, ...]
    hamlets: tuple[Hamlet, ...] = ()
    groups: tuple[ConstituentGroup, ...] = ()
    members: tuple[Member, ...] = ()
    providers: tuple[ServiceProvider, ...] = ()

    @classmethod
    def from_store(cls, store: Store) -> FormContext:
        """What ``store`` holds: the villages that have a KK group, and the rest."""
        groups = tuple(sorted(store.find(ConstituentGroup), key=lambda g: g.id))
        with_group = {g.village_id for g in groups}
        villages = tuple(
            sorted((v for v in store.find(Village) if v.id in with_group), key=lambda v: v.id)
        )
        return cls(
            villages=villages,
            hamlets=tuple(
                sorted(
                    (h for h in store.find(Hamlet) if h.village_id in with_group),
                    key=lambda h: (h.village_id, h.name, h.id),
                )
            ),
            groups=groups,
            members=tuple(sorted(store.find(Member), key=lambda m: (m.group_id, m.name, m.id))),
            providers=tuple(sorted(store.find(ServiceProvider), key=lambda p: (p.name, p.id))),
        )

    def problems(self) -> list[Problem]:
        found = []
        if not self.villages:
            found.append(Problem("villages", "the forms need at least one village with a KK group"))
        if not self.groups:
            found.append(Problem("groups", "the forms need at least one KK group"))
        return found


# -- shared pieces -----------------------------------------------------------------------

_YES_NO = "yes_no"
_YES_NO_CHOICES = (Choice("yes", ("Ya", "Yes")), Choice("no", ("Tidak", "No")))
_BOOL = {"yes": True, "no": False}
_NOT_FUTURE: Text = ("Tanggal tidak boleh di masa depan.", "The date cannot be in the future.")


def _code_choices(
    code_list: CodeList[Any], *, columns: Mapping[str, str] | None = None
) -> tuple[Choice, ...]:
    return tuple(
        Choice(entry.code, (entry.label_id, entry.label_en), dict(columns or {}))
        for entry in code_list
    )


def _where_choices(ctx: FormContext) -> dict[str, tuple[Choice, ...]]:
    villages = tuple(
        Choice(v.id, (f"{v.name} ({v.district})", f"{v.name} ({v.district})")) for v in ctx.villages
    )
    groups = tuple(Choice(g.id, (g.name, g.name), {"village": g.village_id}) for g in ctx.groups)
    hamlets = tuple(Choice(h.id, (h.name, h.name), {"village": h.village_id}) for h in ctx.hamlets)
    out = {"village": villages, "kk_group": groups}
    if hamlets:
        out["hamlet"] = hamlets
    return out


def _member_choices(ctx: FormContext) -> tuple[Choice, ...]:
    # ``board``: on the board (any position but a plain member), who approve a
    # best-interest decision (`Member.approval_problem`)
    return tuple(
        Choice(
            m.id,
            (m.name, m.name),
            {"group": m.group_id, "board": "no" if m.position is Position.MEMBER else "yes"},
        )
        for m in ctx.members
    )


def _where_questions(rule: str, *, hamlet_to: str | None, with_hamlet: bool) -> list[Question]:
    """The village, the KK group (of that village) and the hamlet (of that village)."""
    questions = [
        Question(
            "village",
            "select_one",
            ("Desa", "Village"),
            list_name="village",
            required=True,
            to=Target(rule, "village_id") if rule == "case" else None,
        ),
        Question(
            "kk_group",
            "select_one",
            ("Kelompok Konstituen", "Constituent group (KK)"),
            list_name="kk_group",
            required=True,
            choice_filter=fl.column("village").eq(ref("village")),
            to=Target(rule, "group_id"),
        ),
    ]
    if with_hamlet and hamlet_to is not None:
        questions.append(
            Question(
                "hamlet",
                "select_one",
                ("Dusun", "Hamlet"),
                list_name="hamlet",
                choice_filter=fl.column("village").eq(ref("village")),
                to=Target(rule, hamlet_to),
            )
        )
    return questions


def _lists(plugins: Plugins) -> Mapping[str, CodeList[Any]]:
    return plugins.code_lists


def _codes_under(code_list: CodeList[Any], core: str) -> list[str]:
    """The codes of a list that roll up to ``core`` (the core entry and local ones)."""
    return [e.code for e in code_list if code_list.core_of(e.code) == core]


# -- case intake ---------------------------------------------------------------------------


def _age(day: Expr) -> Expr:
    return fl.age_on(
        day,
        birth_year=ref("birth_year"),
        birth_month=ref("birth_m"),
        birth_last_day=ref("birth_last_day"),
        age_years=ref("age_years"),
        reported_on=ref("reported_on"),
    )


def _youngest(day: Expr) -> Expr:
    return fl.youngest_age_on(
        day,
        birth_year=ref("birth_year"),
        birth_month=ref("birth_m"),
        birth_last_day=ref("birth_last_day"),
        age_years=ref("age_years"),
        reported_on=ref("reported_on"),
    )


def _has_issue(code: str) -> Expr:
    return ref("category").eq(code) | fl.selected(ref("issues"), code)


def _not_before_birth() -> Expr:
    """The day (``.``) is not before the subject was born, as `kk_core.cases.Case`
    checks it: by year and month from the birth, else by the age on the report date."""
    by, bm = ref("birth_year"), fl.coalesce(ref("birth_month"), 1)
    from_birth = fl.year_of(fl.here).gt(by) | (
        fl.year_of(fl.here).eq(by) & fl.month_of(fl.here).ge(bm)
    )
    from_age = fl.whole_years(fl.here, ref("reported_on")).lt(ref("age_years") + 1)
    return fl.if_(fl.answered(by), from_birth, from_age)


def _disability_groups() -> list[Question | Group]:
    """The functioning questions of the set the subject's age calls for (WG Short Set
    for adults, the Child Functioning Module for ages 2-4 and 5-17), one question a
    domain on the WG scale; `FunctioningSet.for_age` decides the set."""
    age = ref("age_report")
    out: list[Question | Group] = [
        Question(
            "question_set",
            "calculate",
            calculation=fl.if_(
                age.lt(5), "cfm_2_4", fl.if_(age.lt(CHILD_AGE), "cfm_5_17", "wg_ss")
            ),
            relevant=age.ge(2),
            to=Target("case", "subject.disability.question_set"),
        )
    ]
    for functioning, when in (
        (FunctioningSet.WG_SS, age.ge(CHILD_AGE)),
        (FunctioningSet.CFM_5_17, age.ge(5) & age.lt(CHILD_AGE)),
        (FunctioningSet.CFM_2_4, age.ge(2) & age.lt(5)),
    ):
        questions: list[Question | Group] = [
            Question(
                f"{functioning.value}_{domain.value}",
                "select_one",
                (f"Kesulitan: {domain.label_id}", f"Difficulty: {domain.label_en}"),
                list_name="difficulty",
                required=True,
                hint=(functioning.label_id, functioning.label_en),
                to=Target("case", "subject.disability", collect=domain.value),
            )
            for domain in DisabilityDomain
            if domain in functioning.domains
        ]
        out.append(
            Group(
                functioning.value,
                (functioning.label_id, functioning.label_en),
                tuple(questions),
                relevant=when,
            )
        )
    return out


def case_intake_form(ctx: FormContext, plugins: Plugins | None = None) -> FormDefinition:
    """The case intake (Pengaduan) form."""
    plugins = plugins if plugins is not None else get_plugins()
    lists = _lists(plugins)
    relations = lists["perpetrator_relation"]
    parents = _codes_under(relations, "parent")
    is_parent = fl.one_of(fl.child("relation"), parents)
    reported = ref("reported_on")
    consent_day = ref("consent_on")
    age_consent = ref("age_consent")
    child_at_consent = age_consent.lt(CHILD_AGE)
    giver = ref("giver")
    asked_assent = child_at_consent & age_consent.ge(ASSENT_AGE) & giver.ne("none")
    adult_givers = ["self", "guardian", "none"]

    subcategories = lists["case_subcategory"]
    sub_choices = tuple(
        Choice(e.code, (e.label_id, e.label_en), {"category": subcategories.core_of(e.code) or ""})
        for e in subcategories
        if e.parent is not None
    )
    services = lists["service_kind"]
    provider_choices = tuple(
        Choice(p.id, (p.name, p.name), {"service": p.service}) for p in ctx.providers
    )
    # a provider is offered when the consent names its service kind: a consent covers
    # exactly the kinds it names (`kk_core.case_lifecycle`)
    covered = fl.selected(ref("services"), fl.column("service"))
    where = _where_questions("case", hamlet_to="subject.hamlet_id", with_hamlet=bool(ctx.hamlets))

    report = Group(
        "report",
        ("Laporan", "Report"),
        (
            *where,
            Question(
                "reported_on",
                "date",
                ("Tanggal laporan", "Date reported"),
                required=True,
                constraint=fl.here.le(fl.today),
                constraint_message=_NOT_FUTURE,
                not_future=True,
                to=Target("case", "reported_on"),
            ),
            Question(
                "channel",
                "select_one",
                ("Cara kasus masuk", "How the case came in"),
                list_name="intake_channel",
                required=True,
                to=Target("case", "channel"),
            ),
            Question(
                "reporter",
                "select_one",
                ("Pelapor", "Who reported it"),
                list_name="reporter",
                to=Target("case", "reporter"),
            ),
        ),
    )
    case = Group(
        "case",
        ("Kasus", "Case"),
        (
            Question(
                "category",
                "select_one",
                ("Kategori utama", "Main category"),
                list_name="case_category",
                required=True,
                to=Target("case", "category"),
            ),
            Question(
                "issues",
                "select_multiple",
                ("Isu lain dalam kasus yang sama", "Other issues of the same case"),
                list_name="case_category",
                constraint=fl.not_(fl.selected(fl.here, ref("category"))),
                constraint_message=(
                    "Jangan pilih kategori utama lagi.",
                    "Do not choose the main category again.",
                ),
                # unanswered, none: a case's data without ``issues`` would read as
                # release 0.1.0's shape (`kk_core.cases.upgrade_case_data`)
                to=Target("case", "issues", default=[]),
            ),
            Question(
                "subcategory",
                "select_one",
                ("Sub-kategori", "Sub-category"),
                list_name="case_subcategory",
                choice_filter=fl.column("category").eq(ref("category")),
                to=Target("case", "subcategory"),
            ),
            Question(
                "summary",
                "text",
                ("Ringkasan (tanpa nama)", "Summary (no names)"),
                to=Target("case", "summary"),
            ),
        ),
    )
    by = ref("birth_year")
    subject = Group(
        "subject",
        ("Korban / klien", "Client"),
        (
            Question(
                "sex",
                "select_one",
                ("Jenis kelamin", "Sex"),
                list_name="sex",
                required=True,
                to=Target("case", "subject.sex"),
            ),
            Question(
                "birth_year",
                "integer",
                ("Tahun lahir", "Year of birth"),
                hint=(
                    "Kosongkan bila tidak tahu; isi umur.",
                    "Leave empty if unknown; give the age.",
                ),
                constraint=fl.here.ge(1890) & fl.here.le(fl.year_of(reported)),
                constraint_message=(
                    "Tahun lahir antara 1890 dan tahun laporan.",
                    "The year of birth is between 1890 and the year of the report.",
                ),
                to=Target("case", "subject.birth_year"),
            ),
            Question(
                "birth_month",
                "integer",
                ("Bulan lahir (1-12)", "Month of birth (1-12)"),
                relevant=fl.answered(by),
                constraint=fl.here.ge(1)
                & fl.here.le(12)
                & (by.lt(fl.year_of(reported)) | fl.here.le(fl.month_of(reported))),
                constraint_message=(
                    "Bulan 1 sampai 12, tidak setelah bulan laporan.",
                    "A month from 1 to 12, not after the month of the report.",
                ),
                to=Target("case", "subject.birth_month"),
            ),
            Question(
                "age_years",
                "integer",
                ("Umur (tahun) pada tanggal laporan", "Age (years) on the report date"),
                relevant=fl.not_(fl.answered(by)),
                required=True,
                constraint=fl.here.ge(0) & fl.here.le(130),
                constraint_message=("Umur 0 sampai 130 tahun.", "An age from 0 to 130."),
                to=Target("case", "subject.age_years"),
            ),
            Question(
                "birth_m",
                "calculate",
                relevant=fl.answered(by),
                calculation=fl.coalesce(ref("birth_month"), 12),
            ),
            Question(
                "birth_last_day",
                "calculate",
                relevant=fl.answered(by),
                calculation=fl.last_day(by, ref("birth_m")),
            ),
            Question("age_report", "calculate", calculation=_age(reported)),
            Question(
                "initials",
                "text",
                ("Inisial (bukan nama)", "Initials (not a name)"),
                hint=("Contoh: S.N.", "For example: S.N."),
                to=Target("case", "subject.initials"),
            ),
            *_disability_groups(),
        ),
    )
    violence = Group(
        "violence",
        ("Kekerasan", "Violence"),
        (
            Question(
                "forms",
                "select_multiple",
                ("Bentuk kekerasan", "Forms of violence"),
                list_name="violence_form",
                required=True,
                to=Target("case", "violence.forms"),
            ),
            Question(
                "place",
                "select_one",
                ("Tempat kejadian", "Where it happened"),
                list_name="incident_place",
                required=True,
                to=Target("case", "violence.place"),
            ),
            Question(
                "occurred_on",
                "date",
                ("Tanggal kejadian", "Date of the incident"),
                constraint=fl.here.le(reported) & _not_before_birth(),
                constraint_message=(
                    "Tidak setelah tanggal laporan, dan tidak sebelum korban lahir.",
                    "Not after the report date, nor before the client was born.",
                ),
                to=Target("case", "violence.occurred_on"),
            ),
            Group(
                "perpetrators",
                ("Terduga pelaku", "Alleged perpetrators"),
                (
                    Question(
                        "relation",
                        "select_one",
                        ("Hubungan dengan korban", "Relation to the client"),
                        list_name="perpetrator_relation",
                        required=True,
                        to=Target("case", "relation"),
                    ),
                    Question(
                        "perpetrator_sex",
                        "select_one",
                        ("Jenis kelamin pelaku", "Perpetrator's sex"),
                        list_name="sex",
                        to=Target("case", "sex"),
                    ),
                    Question(
                        "perpetrator_age",
                        "integer",
                        ("Umur pelaku (bila tahu)", "Perpetrator's age (if known)"),
                        constraint=fl.here.ge(0) & fl.here.le(130),
                        constraint_message=("Umur 0 sampai 130 tahun.", "An age from 0 to 130."),
                        to=Target("case", "age_years"),
                    ),
                    Question(
                        "is_caregiver",
                        "select_one",
                        ("Pengasuh korban?", "The client's caregiver?"),
                        list_name=_YES_NO,
                        to=Target("case", "is_caregiver", choices=_BOOL),
                    ),
                ),
                repeat=True,
                into=Target("case", "violence.perpetrators"),
            ),
        ),
        relevant=_has_issue("violence"),
    )
    marriage = Group(
        "marriage",
        ("Perkawinan anak", "Child marriage"),
        (
            Question(
                "event_on",
                "date",
                (
                    "Tanggal perkawinan (atau rencana / merariq)",
                    "Date of the marriage (or planned marriage, elopement)",
                ),
                required=True,
                constraint=_youngest(fl.here).lt(MARRIAGE_AGE) & _not_before_birth(),
                constraint_message=(
                    f"Perkawinan anak: umur di bawah {MARRIAGE_AGE} tahun pada hari perkawinan "
                    "(UU 16/2019), dan tidak sebelum lahir.",
                    f"A child marriage is a marriage under {MARRIAGE_AGE} on the day "
                    "(UU 16/2019), and not before the birth.",
                ),
                to=Target("case", "child_marriage.event_on"),
            ),
            Question(
                "routes",
                "select_multiple",
                ("Jalur perkawinan", "How the marriage came about"),
                list_name="marriage_route",
                to=Target("case", "child_marriage.routes"),
            ),
            Question(
                "against_will",
                "select_one",
                ("Di luar kehendak anak?", "Against the child's will?"),
                list_name=_YES_NO,
                to=Target("case", "child_marriage.against_will", choices=_BOOL),
            ),
        ),
        relevant=_has_issue("child_marriage"),
    )
    parent_perpetrators = fl.count_where("perpetrators", is_parent)

    def implicated(sex_not: str) -> Expr:
        return fl.count_where(
            "perpetrators", is_parent & fl.child("perpetrator_sex").ne(sex_not)
        ).gt(0)

    caregiver = fl.count_where(
        "perpetrators", fl.not_(is_parent) & fl.child("is_caregiver").eq("yes")
    ).gt(0)
    giver_ok = (
        fl.not_(child_at_consent & fl.here.eq("self"))
        & (child_at_consent | fl.one_of(fl.here, adult_givers))
        & fl.not_(fl.here.eq("parent") & parent_perpetrators.gt(0))
        & fl.not_(fl.here.eq("father") & implicated("female"))
        & fl.not_(fl.here.eq("mother") & implicated("male"))
        & fl.not_(fl.here.eq("guardian") & caregiver)
    )
    consent = Group(
        "consent",
        ("Persetujuan", "Consent"),
        (
            Question(
                "consent_on",
                "date",
                ("Tanggal persetujuan", "Date of the consent"),
                required=True,
                constraint=fl.here.ge(reported) & fl.here.le(fl.today),
                constraint_message=(
                    "Tidak sebelum tanggal laporan, dan tidak di masa depan.",
                    "Not before the report date, nor in the future.",
                ),
                not_future=True,
                to=Target("case", "consent.recorded_on"),
            ),
            Question("age_consent", "calculate", calculation=_age(consent_day)),
            Question(
                "giver",
                "select_one",
                ("Yang memberi persetujuan", "Who gave consent"),
                list_name="consent_giver",
                required=True,
                constraint=giver_ok,
                constraint_message=(
                    "Anak tidak memberi persetujuan sendiri; orang dewasa memberi sendiri atau "
                    "lewat wali; terduga pelaku (orang tua atau pengasuh) tidak boleh memberi "
                    "persetujuan.",
                    "A child does not consent alone; an adult consents for themself or "
                    "through a guardian; an alleged perpetrator (a parent or caregiver) "
                    "cannot consent.",
                ),
                to=Target("case", "consent.giver"),
            ),
            Question(
                "approved_by",
                "select_one",
                ("Koordinator yang menyetujui", "Coordinator who approved it"),
                list_name="member",
                relevant=giver.eq("best_interest"),
                required=True,
                choice_filter=fl.column("group").eq(ref("kk_group")) & fl.column("board").eq("yes"),
                hint=(
                    "Pengurus KK: ketua, wakil, sekretaris, bendahara atau koordinator.",
                    "On the KK's board: chair, vice-chair, secretary, treasurer or a coordinator.",
                ),
                to=Target("case", "consent.approved_by"),
            ),
            Question(
                "note",
                "text",
                (
                    "Alasan keputusan demi kepentingan terbaik",
                    "Reason for the best-interest decision",
                ),
                relevant=giver.eq("best_interest"),
                required=True,
                to=Target("case", "consent.note"),
            ),
            Question(
                "services",
                "select_multiple",
                ("Layanan yang disetujui", "Services consented to"),
                list_name="service_kind",
                relevant=giver.ne("none"),
                to=Target("case", "consent.services"),
            ),
            Question(
                "to_share_data",
                "select_one",
                ("Setuju data dibagikan?", "Agrees to data being shared?"),
                list_name=_YES_NO,
                relevant=giver.ne("none"),
                to=Target("case", "consent.to_share_data", choices=_BOOL),
            ),
            Question(
                "assent",
                "select_one",
                ("Anak sendiri setuju?", "Does the child assent?"),
                list_name="assent_decision",
                relevant=asked_assent,
                required=True,
                hint=(
                    f"Ditanyakan kepada anak {ASSENT_AGE}-{CHILD_AGE - 1} tahun.",
                    f"Asked of a child aged {ASSENT_AGE}-{CHILD_AGE - 1}.",
                ),
                to=Target("case", "consent.assent.decision"),
            ),
            Question(
                "assent_on",
                "calculate",
                calculation=consent_day,
                relevant=asked_assent,
                to=Target("case", "consent.assent.recorded_on", cast="date"),
            ),
        ),
    )
    referrals = Group(
        "referrals",
        ("Rujukan awal", "Initial referrals"),
        (
            Question(
                "provider",
                "select_one",
                ("Lembaga layanan", "Service provider"),
                list_name="provider",
                required=True,
                choice_filter=covered,
                hint=(
                    "Hanya layanan yang disetujui.",
                    "Only the services consented to.",
                ),
                to=Target("referral", "provider_id"),
            ),
            Question(
                "sent_on",
                "date",
                ("Tanggal rujukan", "Date referred"),
                required=True,
                constraint=fl.here.le(fl.today)
                & (_age(fl.here).lt(CHILD_AGE) | fl.one_of(giver, adult_givers)),
                constraint_message=(
                    "Tidak di masa depan; bila klien sudah dewasa pada hari rujukan, "
                    "persetujuan yang diberikan untuknya sebagai anak tidak berlaku lagi.",
                    "Not in the future; once the client is an adult on the day of the "
                    "referral, a consent given for her as a child no longer covers it.",
                ),
                not_future=True,
                to=Target("referral", "sent_on"),
            ),
            Question(
                "reason",
                "text",
                ("Alasan rujukan", "Reason for the referral"),
                required=True,
                to=Target("referral", "reason"),
            ),
        ),
        relevant=giver.ne("none")
        & fl.count_selected(ref("services")).gt(0)
        & (fl.not_(asked_assent) | ref("assent").eq("given")),
        repeat=True,
        record=RecordSpec("referral", "referral", "{@case}-r{#}", constants={"case_id": "{@case}"}),
    )
    choices: dict[str, tuple[Choice, ...]] = {
        **_where_choices(ctx),
        "intake_channel": _code_choices(lists["intake_channel"]),
        "reporter": _code_choices(lists["reporter"]),
        "case_category": _code_choices(lists["case_category"]),
        "sex": _code_choices(lists["sex"]),
        "difficulty": _code_choices(lists["difficulty_level"]),
        "violence_form": _code_choices(lists["violence_form"]),
        "incident_place": _code_choices(lists["incident_place"]),
        "perpetrator_relation": _code_choices(relations),
        "marriage_route": _code_choices(lists["marriage_route"]),
        "consent_giver": _code_choices(lists["consent_giver"]),
        "service_kind": _code_choices(services),
        "assent_decision": _code_choices(lists["assent_decision"]),
        _YES_NO: _YES_NO_CHOICES,
    }
    if sub_choices:
        choices["case_subcategory"] = sub_choices
    if ctx.members:
        choices["member"] = _member_choices(ctx)
    if provider_choices:
        choices["provider"] = provider_choices
    children: list[Question | Group] = [report, case, subject, violence, marriage, consent]
    if provider_choices:
        children.append(referrals)
    return _finish(
        FormDefinition(
            CASE_FORM_ID,
            ("Pengaduan KK: pencatatan kasus", "KK case intake"),
            tuple(_drop_unlisted(children, choices)),
            choices,
            (
                RecordSpec(
                    "case",
                    "case",
                    "kasus-{_key}",
                    only_if={"consent.assent": "assent"},
                ),
            ),
            CODELIST_VERSION,
            description="The KK's case intake (generated)",
        )
    )


def _drop_unlisted(
    nodes: Sequence[Question | Group], choices: Mapping[str, Any]
) -> list[Question | Group]:
    """Questions whose choice list is empty are left out (no hamlets, no members)."""
    out: list[Question | Group] = []
    for node in nodes:
        if isinstance(node, Group):
            out.append(attrs.evolve(node, children=tuple(_drop_unlisted(node.children, choices))))
        elif node.list_name is None or node.list_name in choices:
            out.append(node)
    return out


def _finish(form: FormDefinition) -> FormDefinition:
    """Check the definition holds together (every list used exists, names are unique)."""
    names = [w.node.name for w in form.walk()]
    twice = sorted({n for n in names if names.count(n) > 1})
    problems = [Problem(f"{form.form_id}.{n}", "used twice") for n in twice]
    known = set(names) | {"start", "end"}
    for walked in form.walk():
        node = walked.node
        exprs = [walked.node.relevant]
        if isinstance(node, Question):
            exprs += [
                node.constraint,
                node.calculation,
                node.required if isinstance(node.required, Expr) else None,
            ]
            if node.list_name is not None and node.list_name not in form.choices:
                problems.append(Problem(f"{form.form_id}.{node.name}", f"no list {node.list_name}"))
        for expr in exprs:
            if expr is not None:
                for name in sorted(expr.names() - known):
                    problems.append(
                        Problem(f"{form.form_id}.{node.name}", f"refers to no question {name}")
                    )
    if problems:
        raise ValidationError(problems, subject="generated form")
    return form


# -- UMKM support --------------------------------------------------------------------------


def umkm_form(ctx: FormContext, plugins: Plugins | None = None) -> FormDefinition:
    """The UMKM support (Ekonomi) form: the business and each support given to it."""
    plugins = plugins if plugins is not None else get_plugins()
    lists = _lists(plugins)
    support_type = ref("support_type")
    status = ref("status")
    business = Group(
        "business",
        ("Usaha", "Business"),
        (
            *_where_questions("business", hamlet_to="hamlet_id", with_hamlet=bool(ctx.hamlets)),
            Question(
                "name",
                "text",
                ("Nama usaha", "Name of the business"),
                required=True,
                to=Target("business", "name"),
            ),
            Question(
                "owner_name",
                "text",
                ("Nama pemilik", "Owner's name"),
                required=True,
                to=Target("business", "owner_name"),
            ),
            Question(
                "owner_sex",
                "select_one",
                ("Jenis kelamin pemilik", "Owner's sex"),
                list_name="sex",
                required=True,
                to=Target("business", "owner_sex"),
            ),
            Question(
                "sector",
                "select_one",
                ("Sektor usaha", "Sector"),
                list_name="business_sector",
                required=True,
                to=Target("business", "sector"),
            ),
        ),
    )
    support = Group(
        "support",
        ("Dukungan", "Support"),
        (
            Question(
                "support_type",
                "select_one",
                (
                    "Jenis dukungan (izin, pendampingan, sumber modal)",
                    "Support (permit, mentoring, capital source)",
                ),
                list_name="support_type",
                required=True,
                to=Target("support_action", "type"),
            ),
            Question(
                "started_on",
                "date",
                ("Mulai", "Started on"),
                required=True,
                constraint=fl.here.le(fl.today),
                constraint_message=_NOT_FUTURE,
                not_future=True,
                to=Target("support_action", "started_on"),
            ),
            Question(
                "status",
                "select_one",
                ("Status", "Status"),
                list_name="support_status",
                required=True,
                to=Target("support_action", "status"),
            ),
            Question(
                "completed_on",
                "date",
                ("Selesai", "Completed on"),
                relevant=status.eq("achieved") | status.eq("failed"),
                required=True,
                constraint=fl.here.ge(ref("started_on")) & fl.here.le(fl.today),
                constraint_message=(
                    "Tidak sebelum mulai, dan tidak di masa depan.",
                    "Not before the start, nor in the future.",
                ),
                not_future=True,
                to=Target("support_action", "completed_on"),
            ),
            Question(
                "amount_rupiah",
                "integer",
                ("Jumlah modal (Rp)", "Amount of capital (Rp)"),
                relevant=fl.starts_with(support_type, "capital_"),
                constraint=fl.here.ge(0),
                constraint_message=("Tidak negatif.", "Not negative."),
                to=Target("support_action", "amount_rupiah"),
            ),
            Question(
                "reference",
                "text",
                ("Nomor izin / sertifikat", "Permit or certificate number"),
                relevant=fl.starts_with(support_type, "permit_"),
                to=Target("support_action", "reference"),
            ),
            Question(
                "member",
                "select_one",
                ("Pendamping (anggota KK)", "KK member accompanying"),
                list_name="member",
                choice_filter=fl.column("group").eq(ref("kk_group")),
                to=Target("support_action", "member_id"),
            ),
            Question("note", "text", ("Catatan", "Note"), to=Target("support_action", "note")),
        ),
        repeat=True,
        record=RecordSpec(
            "support_action",
            "support_action",
            "{@business}-d{#}",
            constants={"business_id": "{@business}"},
        ),
    )
    choices: dict[str, tuple[Choice, ...]] = {
        **_where_choices(ctx),
        "sex": _code_choices(lists["sex"]),
        "business_sector": _code_choices(lists["business_sector"]),
        "support_type": _code_choices(lists["support_type"]),
        "support_status": _code_choices(lists["support_status"]),
    }
    if ctx.members:
        choices["member"] = _member_choices(ctx)
    return _finish(
        FormDefinition(
            UMKM_FORM_ID,
            ("Ekonomi KK: dukungan UMKM", "KK UMKM support"),
            tuple(_drop_unlisted([business, support], choices)),
            choices,
            (RecordSpec("business", "business", "umkm-{_key}"),),
            CODELIST_VERSION,
            description="The KK's UMKM support form (generated)",
        )
    )


# -- meeting attendance ----------------------------------------------------------------------


def meeting_form(ctx: FormContext, plugins: Plugins | None = None) -> FormDefinition:
    """The meeting attendance form: the meeting, who came (members by name, everyone
    counted by sex and disability) and the decisions."""
    plugins = plugins if plugins is not None else get_plugins()
    lists = _lists(plugins)
    female, male = ref("female"), ref("male")
    meeting = Group(
        "meeting",
        ("Pertemuan", "Meeting"),
        (
            *_where_questions("meeting", hamlet_to=None, with_hamlet=False),
            Question(
                "title",
                "text",
                ("Judul / topik", "Title or topic"),
                required=True,
                to=Target("meeting", "title"),
            ),
            Question(
                "held_on",
                "date",
                ("Tanggal", "Date"),
                required=True,
                constraint=fl.here.le(fl.today),
                constraint_message=_NOT_FUTURE,
                not_future=True,
                to=Target("meeting", "held_on"),
            ),
            Question(
                "meeting_type",
                "select_one",
                ("Jenis pertemuan", "Kind of meeting"),
                list_name="meeting_type",
                required=True,
                to=Target("meeting", "type"),
            ),
            Question("meeting_place", "text", ("Tempat", "Place"), to=Target("meeting", "place")),
        ),
    )
    attendance = Group(
        "attendance",
        ("Kehadiran", "Attendance"),
        (
            Question(
                "members_present",
                "select_multiple",
                ("Anggota KK yang hadir", "KK members present"),
                list_name="member",
                choice_filter=fl.column("group").eq(ref("kk_group")),
                to=Target("meeting", "member_ids"),
            ),
            Question(
                "female",
                "integer",
                ("Jumlah peserta perempuan", "Women attending"),
                required=True,
                constraint=fl.here.ge(0),
                constraint_message=("Tidak negatif.", "Not negative."),
                to=Target("meeting", "attendance.female"),
            ),
            Question(
                "male",
                "integer",
                ("Jumlah peserta laki-laki", "Men attending"),
                required=True,
                constraint=fl.here.ge(0)
                & (
                    (female + fl.here).eq(0)
                    | (female + fl.here).ge(fl.count_selected(ref("members_present")))
                )
                if ctx.members  # without members the form does not ask who was present
                else fl.here.ge(0),
                constraint_message=(
                    "Tidak negatif; jumlah peserta tidak kurang dari anggota yang hadir.",
                    "Not negative; no fewer people than the members present.",
                )
                if ctx.members
                else ("Tidak negatif.", "Not negative."),
                to=Target("meeting", "attendance.male"),
            ),
            Question(
                "with_disability",
                "integer",
                ("Peserta penyandang disabilitas", "Attending with a disability"),
                hint=(
                    "Banyak kesulitan atau tidak bisa sama sekali (Washington Group).",
                    "A lot of difficulty or cannot do at all (Washington Group).",
                ),
                required=True,
                constraint=fl.here.ge(0) & fl.here.le(female + male),
                constraint_message=(
                    "Tidak lebih dari jumlah peserta.",
                    "Not more than the people attending.",
                ),
                to=Target("meeting", "attendance.with_disability"),
            ),
        ),
    )
    decisions = Group(
        "outcome",
        ("Hasil", "Outcome"),
        (
            Question(
                "decisions",
                "text",
                ("Keputusan dan tindak lanjut", "Decisions and follow-up"),
                appearance="multiline",
                to=Target("meeting", "minutes"),
            ),
        ),
    )
    choices: dict[str, tuple[Choice, ...]] = {
        **_where_choices(ctx),
        "meeting_type": _code_choices(lists["meeting_type"]),
    }
    if ctx.members:
        choices["member"] = _member_choices(ctx)
    return _finish(
        FormDefinition(
            MEETING_FORM_ID,
            ("Pertemuan KK: daftar hadir", "KK meeting attendance"),
            tuple(_drop_unlisted([meeting, attendance, decisions], choices)),
            choices,
            (RecordSpec("meeting", "meeting", "rapat-{_key}"),),
            CODELIST_VERSION,
            description="The KK's meeting attendance form (generated)",
        )
    )


# -- all three -----------------------------------------------------------------------------


def kk_forms(
    source: Store | FormContext, *, plugins: Plugins | None = None
) -> tuple[FormDefinition, ...]:
    """The three forms for the deployment ``source`` (a store, or a `FormContext`)."""
    ctx = source if isinstance(source, FormContext) else FormContext.from_store(source)
    problems = ctx.problems()
    if problems:
        raise ValidationError(problems, subject="forms")
    plugins = plugins if plugins is not None else get_plugins()
    return (
        case_intake_form(ctx, plugins),
        umkm_form(ctx, plugins),
        meeting_form(ctx, plugins),
    )


def generated_mapping(
    source: Store | FormContext, form_id: str, *, plugins: Plugins | None = None
) -> GeneratedFormMapping:
    """The mapping of the generated form ``form_id`` (one of `FORM_IDS`) for the
    deployment ``source`` (a store, or a `FormContext`): the mapping of the XLSForm
    `write_forms` writes from the same store, as long as its villages, hamlets, groups,
    members and providers are the ones the deployed form offers (else the mapping does
    not fit the form, and the Kobo store refuses it before importing anything)."""
    builders = dict(zip(FORM_IDS, (case_intake_form, umkm_form, meeting_form), strict=True))
    builder = builders.get(form_id)
    if builder is None:
        raise ValidationError(
            [
                Problem(
                    "form_id",
                    f"{quote_value(form_id)} is not a generated form (they are: "
                    f"{', '.join(FORM_IDS)})",
                )
            ],
            subject="generated form",
        )
    ctx = source if isinstance(source, FormContext) else FormContext.from_store(source)
    problems = ctx.problems()
    if problems:
        raise ValidationError(problems, subject="forms")
    return builder(ctx, plugins if plugins is not None else get_plugins()).mapping()


def write_forms(
    out_dir: str | Path,
    source: Store | FormContext | str,
    *,
    plugins: Plugins | None = None,
) -> list[Path]:
    """Write the three XLSForms (``kk_pengaduan.xlsx``, ``kk_umkm.xlsx``,
    ``kk_rapat.xlsx``) into ``out_dir`` (made if missing) and return their paths.

    ``source`` is the store holding the villages, hamlets, groups, members and service
    providers the forms offer (or its URL, opened and closed here, or a `FormContext`).
    """
    plugins = plugins if plugins is not None else get_plugins()
    opened: Store | None = None
    try:
        if isinstance(source, str):
            opened = plugins.open_store(source)
            source = opened
        forms = kk_forms(source, plugins=plugins)
    finally:
        if opened is not None:
            opened.close()
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return [form.write_xlsx(folder / f"{form.form_id}.xlsx") for form in forms]


# -- reference -----------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def forms_reference(forms: Iterable[FormDefinition]) -> str:
    """The Markdown reference of the forms: every field of every form, its type, its
    labels, when it is asked, its constraint and where its answer goes."""
    out = [
        "# The generated forms",
        "",
        "<!-- Generated by kk_adapters.kobo.forms.forms_reference; "
        "tests/unit/test_forms_reference.py checks it. Do not edit by hand. -->",
        "",
        "The KK's own KoboCollect forms, generated from the model by",
        "`kk_adapters.kobo.forms.write_forms` (see `docs/how-to/collect-with-kobocollect.md`).",
        "This reference was generated for the example deployment of the tests (one village,",
        "its hamlets, one KK); a deployment's own forms offer its own places, members and",
        "providers, and its plugins' local entries, and carry their own version.",
        "",
        "Columns: the Kobo path of the field (what a submission names it), its XLSForm type",
        "(with the choice list), its label (Indonesian / English), when it is asked",
        "(`relevant`), whether it is required, its `constraint` and the record field it",
        "fills (`rule: field`). `${name}` is the answer to the question `name`.",
        "",
        "Every form starts with a calculate `kk_form_version` holding its version (the",
        "code-list version and a digest of the form), so every submission says which",
        "lists it was filled with: KoboToolbox replaces the settings' `version` with its",
        "own version id when it deploys a form. Every form also has KoboCollect's `start`",
        "and `end`; a case is recorded at `end`.",
        "",
    ]
    for form in forms:
        out += [
            f"## {form.title[1]} (`{form.form_id}`)",
            "",
            f"*{form.title[0]}* — form version `{form.version}` (code lists {form.code_list_version}).",
            "Records: "
            + ", ".join(f"`{r.kind}` (id `{r.id}`)" for r in form.records)
            + "".join(
                f", `{w.node.record.kind}` per entry of `{w.path}` (id `{w.node.record.id}`)"
                for w in form.walk()
                if isinstance(w.node, Group) and w.node.record is not None
            )
            + ".",
            "",
            "| Field | Type | Label | Relevant | Required | Constraint | Record field |",
            "|---|---|---|---|---|---|---|",
        ]
        for walked in form.walk():
            node = walked.node
            relevant = f"`{_cell(node.relevant.xpath())}`" if node.relevant is not None else ""
            if isinstance(node, Group):
                kind = "repeat" if node.repeat else "group"
                into = ""
                if node.into is not None:
                    into = f"{node.into.rule}: {node.into.path} (one item per entry)"
                elif node.record is not None:
                    into = f"{node.record.kind} (one per entry)"
                out.append(
                    f"| `{walked.path}` | {kind} | {_cell(node.label[0])} / {_cell(node.label[1])} "
                    f"| {relevant} | | | {into} |"
                )
                continue
            kind = node.type + (f" {node.list_name}" if node.list_name else "")
            if node.calculation is not None:
                label = f"`{_cell(node.calculation.xpath())}`"
            else:
                label = f"{_cell(node.label[0])} / {_cell(node.label[1])}"
            required = (
                "yes"
                if node.required is True
                else (
                    f"`{_cell(node.required.xpath())}`" if isinstance(node.required, Expr) else ""
                )
            )
            constraint = ""
            if node.constraint is not None:
                constraint = f"`{_cell(node.constraint.xpath())}`"
                if node.constraint_message:
                    constraint += f" — {_cell(node.constraint_message[1])}"
            if node.choice_filter is not None:
                constraint += f" choices where `{_cell(node.choice_filter.xpath())}`"
            target = ""
            if node.to is not None:
                target = f"{node.to.rule}: {node.to.path}"
                if node.to.collect is not None:
                    target += f".<level> ∋ {node.to.collect}"
            out.append(
                f"| `{walked.path}` | {kind} | {label} | {relevant} | {required} | {constraint.strip()} | {target} |"
            )
        out += [
            "",
            "Choice lists: "
            + ", ".join(f"`{name}` ({len(choices)})" for name, choices in form.choices.items())
            + ".",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"
