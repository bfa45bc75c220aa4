"""Error texts in the caller's language: `lang`, Accept-Language, then the account's locale.

The catalogs (`src/tandem/locale/<lang>/LC_MESSAGES/tandem.po`) must hold every message the
code marks (extracted with Babel, as `python -m tandem.core.i18n` does), each translated;
codes that clients key on (`details[*].error`, Misskey's `code`/`id`/`kind`) never change.
"""

from __future__ import annotations

import ast
import re
import string
import time
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.pofile import read_po

from support.api import PASSWORD, Api, app_token, confirm, register, shared_app, unique
from support.misskey import Misskey, mk_user
from support.server import RunningServer
from support.web import browser, sign_in_from
from tandem.core import i18n

OOB = "urn:ietf:wg:oauth:2.0:oob"
SRC = Path(__file__).resolve().parent.parent / "src" / "tandem"
TOO_LONG = "x" * 501  # over Mastodon's default 500 characters

JA_SUMMARY = "バリデーションに失敗しました: 本文が上限の500文字を超えています"
DE_SUMMARY = "Validierung fehlgeschlagen: Text überschreitet die Höchstlänge von 500 Zeichen"
FR_SUMMARY = "La validation a échoué : Texte dépasse la limite de 500 caractères"
ES_SUMMARY = "La validación falló: Texto supera el límite de 500 caracteres"
EN_SUMMARY = "Validation failed: Text character limit of 500 exceeded"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", i18n.LANGUAGES[1:])
def test_catalog_is_complete(language: str) -> None:
    """Every marked message is in the catalog, translated, not fuzzy, same placeholders."""
    wanted = i18n.messages()
    path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / "tandem.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    present = {m.id: m for m in catalog if m.id}
    missing = [str(m) for m in wanted if m not in present]
    assert not missing, (
        f"{language}: {len(missing)} message(s) missing; run `.venv/bin/python -m "
        f"tandem.core.i18n` and translate them: {missing[:10]}"
    )
    problems = []
    for msgid, message in present.items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {msgid!r}")
            continue
        if isinstance(msgid, tuple) and len(strings) != catalog.num_plurals:
            problems.append(f"{catalog.num_plurals} plural forms wanted: {msgid!r}")
        for translated in strings:
            if _fields(translated) != _fields(ids[-1]):
                problems.append(f"placeholders differ: {msgid!r} -> {translated!r}")
    assert not problems, f"{language}: {problems[:10]}"


def test_no_fstring_message_escapes_extraction() -> None:
    """An f-string inside Text(...) would never match a catalog entry."""
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\b(Text|Plural)\(\s*f[\"']", line)
    ]
    assert not offenders, offenders


def test_render_is_english_without_a_catalog() -> None:
    text = i18n.Text("character limit of {max} exceeded", max=500)
    assert text == "character limit of 500 exceeded"
    assert i18n.render(text, "en") == text
    assert i18n.render(text, "xx") == text
    assert i18n.render(i18n.too_long(1), "fr") == "est trop long (pas plus de 1 caractère)"
    assert i18n.render(i18n.too_long(2), "fr") == "est trop long (pas plus de 2 caractères)"
    assert i18n.render("Record not found", "ja") == "レコードが見つかりません"
    assert i18n.render("a text no catalog has", "de") == "a text no catalog has"


def _post(api: Api, **kw: Any) -> httpx.Response:
    r = api.post("/api/v1/statuses", data={"status": TOO_LONG}, **kw)
    assert r.status_code == 422, r.text
    return r


def test_mastodon_accept_language(server: RunningServer) -> None:
    api = Api(server, register(server).token)
    english = _post(api).json()
    assert english["error"] == EN_SUMMARY
    body = _post(api, headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}).json()
    assert body["error"] == JA_SUMMARY
    (detail,) = body["details"]["text"]
    assert detail == {"error": "ERR_TOO_LONG", "description": "が上限の500文字を超えています"}
    assert english["details"]["text"][0]["error"] == "ERR_TOO_LONG"
    # q-values decide; a language without a catalog is skipped
    header = "zh-CN, es;q=0.4, de;q=0.8"
    assert _post(api, headers={"Accept-Language": header}).json()["error"] == DE_SUMMARY


def test_lang_parameter_wins_over_the_header(server: RunningServer) -> None:
    api = Api(server, register(server).token)
    r = api.post(
        "/api/v1/statuses?lang=de",
        data={"status": TOO_LONG},
        headers={"Accept-Language": "ja"},
    )
    assert r.status_code == 422
    assert r.json()["error"] == DE_SUMMARY
    r = api.post(
        "/api/v1/statuses",
        json={"status": TOO_LONG, "lang": "es"},
        headers={"Accept-Language": "ja"},
    )
    assert r.json()["error"] == ES_SUMMARY


def test_unknown_language_falls_back_to_english(server: RunningServer) -> None:
    api = Api(server, register(server).token)
    for header in ("zh-TW", "*", "ja;q=0", "x" * 200, "en;q=abc, ;;;"):
        assert _post(api, headers={"Accept-Language": header}).json()["error"] == EN_SUMMARY
    r = api.post("/api/v1/statuses?lang=xx", data={"status": TOO_LONG})
    assert r.json()["error"] == EN_SUMMARY


def test_other_mastodon_errors_are_localised(server: RunningServer) -> None:
    anonymous = Api(server)
    r = anonymous.get("/api/v1/accounts/verify_credentials", headers={"Accept-Language": "fr"})
    assert r.status_code == 401
    assert r.json() == {"error": "Le jeton d'accès n'est pas valide"}
    r = anonymous.get("/api/v1/accounts/999999999", headers={"Accept-Language": "ja"})
    assert r.status_code == 404
    assert r.json() == {"error": "レコードが見つかりません"}


def _sign_up(server: RunningServer, locale: str) -> tuple[str, str]:
    """A user who chose `locale` at sign-up (Mastodon's `locale` parameter); its token."""
    username = unique()
    email = f"{username}@example.com"
    r = Api(server, app_token(server, "write:accounts")).post(
        "/api/v1/accounts",
        data={
            "username": username,
            "email": email,
            "password": PASSWORD,
            "agreement": "true",
            "locale": locale,
        },
    )
    assert r.status_code == 200, r.text
    return email, str(r.json()["access_token"])


def test_account_locale_without_a_header(server: RunningServer) -> None:
    email, token = _sign_up(server, "fr")
    confirm(server, email)
    api = Api(server, token)
    assert _post(api).json()["error"] == FR_SUMMARY
    # the device's header, then `lang`, still win over the stored locale
    assert _post(api, headers={"Accept-Language": "es"}).json()["error"] == ES_SUMMARY
    r = api.post("/api/v1/statuses?lang=en", data={"status": TOO_LONG})
    assert r.json()["error"] == EN_SUMMARY


def test_confirmation_mail_in_the_chosen_locale(server: RunningServer) -> None:
    email, _token = _sign_up(server, "ja")
    mail = server.wait_for_mail(email)
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject.endswith(": メールアドレスの確認"), subject
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "次のリンクを開いてください" in body.decode()
    confirm(server, email)  # the link still works


def test_misskey_messages_localised(server: RunningServer) -> None:
    anonymous = Misskey(server)
    english = anonymous.error("i", {}, 401, "CREDENTIAL_REQUIRED")
    r = anonymous.raw("i", {}, headers={"Accept-Language": "de"})
    german = r.json()["error"]
    assert german["message"] == "Zugangsdaten erforderlich."
    assert {k: german[k] for k in ("code", "id", "kind")} == {
        k: english[k] for k in ("code", "id", "kind")
    }
    r = anonymous.client.post("/api/i?lang=es", json={})
    assert r.json()["error"]["message"] == "Se requieren credenciales."


def test_misskey_invalid_param_and_profile_lang(server: RunningServer) -> None:
    me = mk_user(server)
    english = me.mk.error("notes/create", {"text": 5}, 400, "INVALID_PARAM")
    assert english["message"] == "Invalid param: text must be string."
    me.mk("i/update", {"lang": "ja-JP"})
    japanese = me.mk.error("notes/create", {"text": 5}, 400, "INVALID_PARAM")
    assert japanese["message"] == "パラメータが不正です: text は文字列でなければなりません。"
    assert japanese["info"] == english["info"]  # Ajv's machine-readable reason stays as is
    r = me.mk.raw("notes/create", {"text": 5}, headers={"Accept-Language": "fr"})
    assert r.json()["error"]["message"] == "Paramètre invalide : text doit être une chaîne."


def test_web_pages_localised(server: RunningServer) -> None:
    r = httpx.get(f"{server.base_url}/auth/sign_in", headers={"Accept-Language": "fr"})
    assert r.status_code == 200
    assert '<html lang="fr">' in r.text
    assert "Adresse e-mail ou nom d&#39;utilisateur" in r.text
    r = httpx.get(f"{server.base_url}/auth/sign_in?lang=ja", headers={"Accept-Language": "fr"})
    assert '<html lang="ja">' in r.text
    assert ">ログイン</button>" in r.text
    r = httpx.get(f"{server.base_url}/@nobody_{unique()}", headers={"Accept-Language": "es"})
    assert r.status_code == 404
    assert "Aquí no hay ninguna cuenta con este nombre." in r.text
    english = httpx.get(f"{server.base_url}/auth/sign_in").text
    assert '<html lang="en">' in english
    assert ">Log in</button>" in english


# Calls that take a user-facing message, and where it is (0-based; Babel's keywords, plus the
# loose ones). A message built with an f-string, `%` or `.format()` never matches a catalog
# entry, and a plain string constant passed by name is never extracted: both stay English.
_MESSAGE_ARGS: dict[str, tuple[int, ...]] = {
    name: tuple(p - 1 for p in (spec or (1,)))
    for name, spec in {**i18n.KEYWORDS, **i18n.LOOSE_KEYWORDS}.items()
}
_MESSAGE_KEYWORDS = ("message", "description", "reason")


def _formatted(node: ast.expr) -> bool:
    """A string built at run time: f-string with values, `%`, `+` on a literal, `.format()`."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        sides = (node.left, node.right) if isinstance(node.op, ast.Add) else (node.left,)
        return any(
            isinstance(s, ast.JoinedStr)
            or (isinstance(s, ast.Constant) and isinstance(s.value, str))
            for s in sides
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and isinstance(node.func.value, ast.Constant)
    return False


def _message_offenders(path: Path, root: Path = SRC) -> list[str]:
    tree = ast.parse(path.read_text())
    plain = {  # module-level NAME = "a sentence" (not a Text)
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and " " in node.value.value
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in _MESSAGE_ARGS:
            continue
        args = [node.args[i] for i in _MESSAGE_ARGS[name] if i < len(node.args)]
        args += [k.value for k in node.keywords if k.arg in _MESSAGE_KEYWORDS]
        for arg in args:
            if _formatted(arg) or (isinstance(arg, ast.Name) and arg.id in plain):
                found.append(f"{path.relative_to(root)}:{arg.lineno}: {ast.unparse(arg)[:80]}")
    return found


def test_no_message_is_formatted_outside_text() -> None:
    """Error constructors and `Text` get a literal or a `Text` with named placeholders."""
    offenders = [o for path in sorted(SRC.rglob("*.py")) for o in _message_offenders(path)]
    assert not offenders, offenders


def test_the_static_check_finds_formatted_messages(tmp_path: Path) -> None:
    """The check above is not vacuous: each kind of escape is reported."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        'GONE = "This thing is gone"\n'
        'raise Unprocessable(f"at most {n} items")\n'
        'raise e.err("CODE", "at most %d items" % n)\n'
        'errors.add("a", "b", "at most {} items".format(n))\n'
        "raise Forbidden(GONE)\n"
        'raise Unprocessable(Text("at most {count} items", count=n))\n'
        "seen.add(item)\n"
    )
    offenders = [o.split(": ", 1)[1] for o in _message_offenders(sample, tmp_path)]
    assert offenders == [
        "f'at most {n} items'",
        "'at most %d items' % n",
        "'at most {} items'.format(n)",
        "GONE",
    ]


def test_placeholder_messages_in_both_dialects(server: RunningServer) -> None:
    """Messages with values in them come back translated, values in place."""
    api = Api(server, register(server).token)
    poll = {"options": ["a", "b", "c", "d", "e"], "expires_in": 3600}
    r = api.post(
        "/api/v1/statuses", json={"status": "?", "poll": poll}, headers={"Accept-Language": "de"}
    )
    assert r.status_code == 422, r.text
    assert r.json()["details"]["poll"] == [
        {"error": "ERR_TOO_MANY_OPTIONS", "description": "darf nicht mehr als 4 Optionen haben"}
    ]
    # refused before routing (a NUL in the query string), in each dialect's shape
    r = api.get("/api/v1/timelines/public?max_id=%00", headers={"Accept-Language": "es"})
    assert r.status_code == 400
    assert r.json() == {"error": "max_id no debe contener caracteres NUL"}
    me = mk_user(server)
    r = me.mk.client.post("/api/notes/show?x=%00", json={}, headers={"Accept-Language": "fr"})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "Paramètre invalide : x ne doit pas contenir de caractères NUL."
    )
    # a Misskey body that is not JSON, and a write aimed at oneself
    r = me.mk.client.post(
        "/api/i",
        content=b"{",
        headers={"Content-Type": "application/json", "Accept-Language": "ja"},
    )
    assert r.json()["error"]["message"] == "パラメータが不正です: body は有効なJSONではありません。"
    me.mk("i/update", {"lang": "es"})
    r = me.mk.raw("following/create", {"userId": me.id})
    error = r.json()["error"]
    assert (error["code"], error["message"]) == (
        "FOLLOWEE_IS_YOURSELF",
        "No puedes seguirte a ti mismo.",
    )


def test_error_page_before_routing_localised(server: RunningServer) -> None:
    r = httpx.get(f"{server.base_url}/@x%00", headers={"Accept-Language": "de"})
    assert r.status_code == 404
    assert '<html lang="de">' in r.text
    assert "Unter dieser Adresse gibt es nichts." in r.text


def test_import_notification_in_the_owner_language(server: RunningServer) -> None:
    user = mk_user(server)
    user.mk("i/update", {"lang": "de"})
    broken = user.mk.upload(b"[{]", "antennas.json", "application/json")
    user.mk("i/import-antennas", {"fileId": broken["id"]})
    deadline = time.monotonic() + 60
    while not (found := user.mk("i/notifications", {"markAsRead": False, "limit": 10})):
        assert time.monotonic() < deadline, "no notification"
        time.sleep(0.1)
    assert found[0]["type"] == "app"
    assert found[0]["header"] == "Antennen importiert"
    assert found[0]["body"] == "Es wurde nichts importiert: die Datei ist kein JSON."


def test_misskey_signup_mail_in_the_browser_language(server: RunningServer) -> None:
    name = unique()
    address = f"{name}@example.com"
    r = Misskey(server).raw(
        "signup",
        {"username": name, "password": PASSWORD, "emailAddress": address},
        headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"},
    )
    assert r.status_code == 204, r.text
    mail = server.wait_for_mail(address)
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject.endswith(" : confirmez votre adresse e-mail"), subject


def test_signed_in_page_in_the_account_locale(server: RunningServer) -> None:
    """A page for a signed-in account that sends no Accept-Language is in its locale."""
    email, _token = _sign_up(server, "ja")
    confirm(server, email)
    app = shared_app(server)
    url = f"/oauth/authorize?response_type=code&client_id={app.client_id}&redirect_uri={OOB}"
    web = browser(server)
    page = web.get(url)
    assert '<html lang="en">' in page.text  # nobody signed in yet
    signed_in = sign_in_from(web, page, email, PASSWORD)
    assert signed_in.status_code == 303, signed_in.text
    page = web.get(url)
    assert '<html lang="ja">' in page.text, page.text
    assert "を認可しますか？" in page.text
    page = web.get(url, headers={"Accept-Language": "de"})  # the browser's header still wins
    assert '<html lang="de">' in page.text
