"""Layers of the Kobo adapter (issue 12): submissions from a JSON dump to records.

The workload is the LPA case-intake form of the tests (``tests/kobo_support.py``): a
violence case with its subject (a NIK to pseudonymise), the forms of violence, a
perpetrator (a repeat), consent, and one referral (a repeat), about 1.3 KB a submission
as the API gives it. Each submission becomes a `Case` recorded through its lifecycle
(report, consent, refer: three events) and a `Referral` (sent).

* ``kobo.import`` — the library: `read_json` streaming the dump (JSON lines), typing
  through the form's schema, the mapping (TOML) and the lifecycle; against the raw
  baseline: ``json.loads`` of each line and a hand-written conversion to the same
  records (constructors, ``date.fromisoformat``, the events written out, the same
  HMAC). Both sides alternate page by page and keep their records.
* ``kobo.import.stream`` — the same work, records dropped as they are made: its peak
  memory is what a streamed import needs, and does not grow with N.

Both sides are checked to make equal records before anything is timed. The dumps are
written once per N and kept in ``bench/results/.cache/``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.harness import ROOT, MinRatio, Side, ThroughputLayer, Trial

sys.path.insert(0, str(ROOT / "tests"))
from kk_adapters.kobo.mapping import MapContext
from kk_adapters.kobo.mapping_file import parse_mapping
from kk_adapters.kobo.readers import read_json
from kk_adapters.kobo.schema import FormSchema
from kk_adapters.kobo.submissions import SubmissionTyper
from kk_core.cases import Case, Consent, Perpetrator, Subject, ViolenceIncident
from kk_core.codes import (
    CaseCategory,
    CaseStatus,
    ConsentGiver,
    IntakeChannel,
    ReferralStatus,
    Sex,
    ViolenceForm,
)
from kk_core.lifecycle import Event
from kk_core.privacy import pseudonymise
from kk_core.referrals import Referral
from kobo_support import KEY, LPA_FORM, LPA_MAPPING, bench_answers

CACHE = ROOT / "bench" / "results" / ".cache"
SCHEMA = FormSchema.from_content(LPA_FORM)
WITA = timezone(timedelta(hours=8))


def dump(n: int) -> Path:
    """A JSON-lines dump of ``n`` submissions as the API gives them (made once)."""
    path = CACHE / f"kobo-lpa-{n}.jsonl"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(12)
    partial = path.with_suffix(".part")
    with partial.open("w", encoding="utf-8") as out:
        for i in range(1, n + 1):
            row = {
                "_id": i,
                "formhub/uuid": "formhubaBench",
                **bench_answers(i, rng),
                "__version__": "vBench1",
                "meta/instanceID": f"uuid:{i:08x}-0000-4000-8000-{i:012x}",
                "meta/rootUuid": f"uuid:{i:08x}-0000-4000-8000-{i:012x}",
                "_uuid": f"{i:08x}-0000-4000-8000-{i:012x}",
                "_attachments": [],
                "_status": "submitted_via_web",
                "_geolocation": [None, None],
                "_submission_time": f"2025-01-01T{i % 24:02d}:00:00",
                "_validation_status": {},
                "_submitted_by": "enumerator",
            }
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")
    partial.replace(path)
    return path


# -- the library ------------------------------------------------------------------------------


class Library:
    """Streams the dump through typing and the mapping."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mapping = parse_mapping(LPA_MAPPING, SCHEMA)
        self.typer = SubmissionTyper(SCHEMA)
        self.context = MapContext(pseudonymise=lambda nik: pseudonymise(nik, KEY))
        self._rows: Iterator[dict[str, Any]] = iter(())

    def reset(self) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()
        self._rows = read_json(self.path)

    def page(self, count: int) -> list[Any]:
        made: list[Any] = []
        typer, mapping, context = self.typer, self.mapping, self.context
        for _, raw in zip(range(count), self._rows, strict=False):
            made.extend(mapping.map_submission(typer.type(raw), context))
        return made

    def drain(self, count: int) -> int:
        done = 0
        typer, mapping, context = self.typer, self.mapping, self.context
        for _, raw in zip(range(count), self._rows, strict=False):
            done += len(mapping.map_submission(typer.type(raw), context))
        return done


# -- by hand ------------------------------------------------------------------------------------

_CHANNELS = {"datang_langsung": IntakeChannel.WALK_IN, "telepon": IntakeChannel.PHONE,
             "kader_posyandu": IntakeChannel.POSYANDU}  # fmt: skip
_SEX = {"p": Sex.FEMALE, "l": Sex.MALE}
_HAMLETS = {"tuntang": "dusun-tuntang", "teros_timur": "dusun-teros-timur"}
_FORMS = {"fisik": ViolenceForm.PHYSICAL, "psikis": ViolenceForm.PSYCHOLOGICAL,
          "seksual": ViolenceForm.SEXUAL, "penelantaran": ViolenceForm.NEGLECT}  # fmt: skip
_PLACES = {"rumah": "household", "sekolah": "school", "lainnya": "other"}
_RELATIONS = {"ayah": "parent", "paman": "family", "tetangga": "neighbour", "tidak_tahu": "unknown"}
_GIVERS = {
    "sendiri": ConsentGiver.SELF,
    "orang_tua": ConsentGiver.PARENT,
    "wali": ConsentGiver.GUARDIAN,
}
_SERVICES = {"puskesmas": "puskesmas", "uptd_ppa": "uptd_ppa", "polisi": "police_ppa"}
_PROVIDERS = {"pkm_lh": "pkm-labuhan-haji", "uptd": "uptd-ppa-lotim"}


def by_hand(row: dict[str, Any]) -> list[Any]:
    """One submission to its case and referral, written out for this one form."""
    digits = row["identitas/nik"]
    identity = "p1:" + hmac.new(KEY, digits.encode("ascii"), hashlib.sha256).hexdigest()
    reported = date.fromisoformat(row["identitas/tgl_lapor"])
    at = datetime.fromisoformat(row["end"]).astimezone(WITA)
    case_id = "LPA-" + row["identitas/kode"]
    referrals = []
    for i, entry in enumerate(row["rujukan"], 1):
        sent_on = date.fromisoformat(entry["rujukan/tgl_rujuk"])
        when = max(at, datetime.combine(sent_on, datetime.min.time(), tzinfo=WITA))
        referrals.append((f"{case_id}-R{i}", entry, sent_on, when))
    consent_on = date.fromisoformat(row["persetujuan/tgl_setuju"])
    consent = Consent(
        _GIVERS[row["persetujuan/pemberi"]],
        consent_on,
        services=frozenset(_SERVICES[s] for s in row["persetujuan/layanan"].split()),
    )
    consent_at = max(at, datetime.combine(consent_on, datetime.min.time(), tzinfo=WITA))
    events = [
        Event(at, "report", "reported", "reported"),
        Event(consent_at, "record_consent", "reported", "reported"),
    ]
    state = "reported"
    for referral_id, _, _, when in referrals:
        events.append(Event(when, "refer", state, "referred", ref=referral_id))
        state = "referred"
    case = Case(
        case_id,
        "kk-teros",
        "52.03.17.2003",
        reported,
        _CHANNELS[row["identitas/sumber"]],
        CaseCategory.VIOLENCE,
        Subject(
            _SEX[row["identitas/jk"]],
            birth_year=int(row["identitas/tahun_lahir"]),
            birth_month=int(row["identitas/bulan_lahir"]),
            hamlet_id=_HAMLETS[row["identitas/dusun"]],
            initials=row["identitas/inisial"],
            identity=identity,
        ),
        violence=ViolenceIncident(
            frozenset(_FORMS[f] for f in row["kejadian/bentuk"].split()),
            _PLACES[row["kejadian/tempat"]],
            perpetrators=tuple(
                Perpetrator(
                    _RELATIONS[p["kejadian/pelaku/hubungan"]],
                    sex=_SEX[p["kejadian/pelaku/jk_pelaku"]],
                )
                for p in row["kejadian/pelaku"]
            ),
            occurred_on=date.fromisoformat(row["kejadian/tgl_kejadian"]),
        ),
        consent=consent,
        summary=row["catatan"],
        status=CaseStatus.REFERRED if referrals else CaseStatus.REPORTED,
        timeline=tuple(events),
    )
    made: list[Any] = [case]
    for referral_id, entry, sent_on, when in referrals:
        reason = entry.get("rujukan/alasan") or "rujukan dari LPA"
        made.append(
            Referral(
                referral_id,
                case_id,
                _PROVIDERS[entry["rujukan/lembaga"]],
                reason,
                sent_on,
                consent_given=True,
                status=ReferralStatus.SENT,
                timeline=(Event(when, "send", "sent", "sent", note=reason, ref=case_id),),
            )
        )
    return made


class Raw:
    """``json.loads`` of each line of the dump, then `by_hand`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None

    def reset(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = self.path.open(encoding="utf-8")

    def page(self, count: int) -> list[Any]:
        made: list[Any] = []
        loads = json.loads
        for _, line in zip(range(count), self._file, strict=False):
            made.extend(by_hand(loads(line)))
        return made

    def drain(self, count: int) -> int:
        done = 0
        loads = json.loads
        for _, line in zip(range(count), self._file, strict=False):
            done += len(by_hand(loads(line)))
        return done

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _check(path: Path) -> None:
    """Both sides make the same records (first 200 submissions)."""
    lib, raw = Library(path), Raw(path)
    lib.reset()
    raw.reset()
    try:
        ours, theirs = lib.page(200), raw.page(200)
    finally:
        raw.close()
    if ours != theirs:
        first = next(i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b)
        raise AssertionError(f"the library and the baseline differ at record {first}")


def _prepare(n: int, *, keep: bool) -> Trial:
    path = dump(n)
    _check(path)
    lib, raw = Library(path), Raw(path)

    def run_lib() -> object:
        return lib.page(n) if keep else lib.drain(n)

    def run_raw() -> object:
        return raw.page(n) if keep else raw.drain(n)

    def page_lib(lo: int, hi: int) -> object:
        return lib.page(hi - lo) if keep else lib.drain(hi - lo)

    def page_raw(lo: int, hi: int) -> object:
        return raw.page(hi - lo) if keep else raw.drain(hi - lo)

    return Trial(
        n,
        raw=Side(run_raw, reset=raw.reset, page=page_raw),
        lib=Side(run_lib, reset=lib.reset, page=page_lib),
        close=raw.close,
    )


LAYERS = [
    ThroughputLayer(
        name="kobo.import",
        group="kobo",
        raw_label="json.loads + hand-written conversion to the same records",
        lib_label="read_json + SubmissionTyper + KoboFormMapping (lifecycle)",
        prepare=lambda n: _prepare(n, keep=True),
        target=MinRatio(0.5),
    ),
    ThroughputLayer(
        name="kobo.import.stream",
        group="kobo",
        raw_label="the same, records dropped as made",
        lib_label="the same, records dropped as made (peak memory: flat in N)",
        prepare=lambda n: _prepare(n, keep=False),
        target=MinRatio(0.5),
    ),
]
