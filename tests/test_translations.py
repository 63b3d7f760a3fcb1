"""The Japanese catalogue is complete and keeps every placeholder of its source strings.

Japanese ships with English from the start, so an untranslated or fuzzy entry is a visible defect
(the page falls back to English mid-sentence), and a dropped placeholder either loses a number or a
name from a message or raises at run time. Each check lists the offending msgids so the translator
can find them.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib  # type: ignore[import-untyped]

import koban

LOCALE = Path(koban.__file__).resolve().parent / "locale"
JA_PO = LOCALE / "ja" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

# printf-style conversions as Python's % operator reads them: %(name)s, %(km).1f, %(m)02d, %s, %d.
PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?P<type>[diouxXeEfFgGcrsa%])"
)
BRACE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}")
TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def placeholders(text: str, flags: list[str]) -> Counter[str]:
    """The placeholders a translation must carry over: format conversions and HTML tags."""
    found: Counter[str] = Counter(TAG.findall(text))
    if "python-format" in flags:
        found.update(m.group(0) for m in PERCENT.finditer(text) if m.group("type") != "%")
    if "python-brace-format" in flags:
        found.update(BRACE.findall(text))
    return found


def stray_percent(text: str) -> bool:
    """Whether a python-format string holds a % that is no conversion (it would raise at run time)."""
    return "%" in PERCENT.sub("", text)


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and not all(translations(e))]


def fuzzy(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and "fuzzy" in e.flags]


def placeholder_problems(po: polib.POFile) -> list[str]:
    """Entries whose translation drops, adds or breaks a placeholder, each with what differs."""
    problems = []
    for entry in po:
        if entry.obsolete or not all(translations(entry)):
            continue
        # With one plural form (Japanese) msgstr[0] serves every count, so it needs the placeholders
        # of the plural msgid too ("once" in the singular, "%(n)s times" in the plural).
        wanted = placeholders(entry.msgid, entry.flags) | placeholders(entry.msgid_plural or "", entry.flags)
        for text in translations(entry):
            got = placeholders(text, entry.flags)
            missing, extra = wanted - got, got - wanted
            if missing or extra:
                problems.append(f"{entry.msgid!r}: missing {sorted(missing)}, unexpected {sorted(extra)}")
            elif "python-format" in entry.flags and stray_percent(text):
                problems.append(f"{entry.msgid!r}: a lone % in {text!r} (write %% for a percent sign)")
    return problems


def listing(msgids: list[str]) -> str:
    return "\n".join(f"  {m!r}" for m in msgids)


def test_the_japanese_catalogue_has_no_untranslated_entries() -> None:
    missing = untranslated(polib.pofile(str(JA_PO)))
    assert not missing, f"{len(missing)} Japanese entries are untranslated:\n{listing(missing)}"


def test_the_japanese_catalogue_has_no_fuzzy_entries() -> None:
    unsure = fuzzy(polib.pofile(str(JA_PO)))
    assert not unsure, (
        f"{len(unsure)} Japanese entries are fuzzy (check and drop the flag):\n{listing(unsure)}"
    )


def test_japanese_translations_keep_every_placeholder() -> None:
    problems = placeholder_problems(polib.pofile(str(JA_PO)))
    assert not problems, "Japanese translations with broken placeholders:\n" + "\n".join(
        f"  {p}" for p in problems
    )


def test_the_catalogue_headers_declare_their_language_and_plural_forms() -> None:
    ja, en = polib.pofile(str(JA_PO)), polib.pofile(str(EN_PO))
    assert ja.metadata.get("Language") == "ja"
    assert ja.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert en.metadata.get("Language") == "en"
    assert en.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=2;plural=(n!=1);"
    for po in (ja, en):
        assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
        assert not po.metadata_is_fuzzy, "a fuzzy header makes gettext ignore the charset and plural forms"


def test_the_english_catalogue_lists_the_same_messages_as_the_japanese_one() -> None:
    ja = {(e.msgctxt, e.msgid) for e in polib.pofile(str(JA_PO)) if not e.obsolete}
    en = {(e.msgctxt, e.msgid) for e in polib.pofile(str(EN_PO)) if not e.obsolete}
    assert ja == en, (
        f"only in ja: {sorted(m for _, m in ja - en)}; only in en: {sorted(m for _, m in en - ja)}"
    )


# The checks themselves, on a small catalogue with known defects, so that they cannot pass vacuously.


def catalogue(*entries: polib.POEntry) -> polib.POFile:
    po = polib.POFile()
    for entry in entries:
        po.append(entry)
    return po


def test_the_checks_name_an_untranslated_and_a_fuzzy_entry() -> None:
    po = catalogue(
        polib.POEntry(msgid="Beat", msgstr="受持区"),
        polib.POEntry(msgid="Receipt", msgstr=""),
        polib.POEntry(msgid="Patrol", msgstr="警ら", flags=["fuzzy"]),
        polib.POEntry(
            msgid="%(n)s item", msgid_plural="%(n)s items", msgstr_plural={0: ""}, flags=["python-format"]
        ),
    )
    assert untranslated(po) == ["Receipt", "%(n)s item"]
    assert fuzzy(po) == ["Patrol"]


def test_the_placeholder_check_catches_dropped_added_and_broken_placeholders() -> None:
    po = catalogue(
        polib.POEntry(
            msgid="%(who)s is not on duty.", msgstr="勤務中ではありません。", flags=["python-format"]
        ),
        polib.POEntry(msgid="Demo loaded in %(s).1f s.", msgstr="%(s).1f 秒", flags=["python-format"]),
        polib.POEntry(msgid="Box %(code)s", msgstr="交番 %(code)s %(name)s", flags=["python-format"]),
        polib.POEntry(msgid="%(p)s %% of the value", msgstr="価格の %(p)s %", flags=["python-format"]),
        polib.POEntry(msgid="Hello {name}", msgstr="こんにちは", flags=["python-brace-format"]),
        polib.POEntry(msgid="<b>Note</b>", msgstr="備考"),
        polib.POEntry(
            msgid="The roster leaves the box empty once (%(h)s h):",
            msgid_plural="The roster leaves the box empty %(n)s times (%(h)s h):",
            msgstr_plural={0: "空き交番の時間帯があります（合計 %(h)s 時間）："},
            flags=["python-format"],
        ),
    )
    problems = placeholder_problems(po)
    flagged = [p.split(":")[0] for p in problems]
    assert flagged == [
        "'%(who)s is not on duty.'",
        "'Box %(code)s'",
        "'%(p)s %% of the value'",
        "'Hello {name}'",
        "'<b>Note</b>'",
        "'The roster leaves the box empty once (%(h)s h)",
    ]
    assert "%(n)s" in problems[-1]
