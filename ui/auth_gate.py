"""The sign-in gate in front of every page, the logout button and the account menu.

The browser only carries a random session token (in ``st.session_state`` and,
when the user ticks "stay signed in", in the URL as ``?s=...`` so that a
reload keeps it); the server resolves it on every run, so ending a session on
the server (logout, password change, disabled account, expiry) takes effect at
the next click. The URL is opt-in because a copied link would carry the token.

Session state keys: ``auth_token`` (the token), ``auth_user`` (the
:class:`~buyergroups.accounts.users.User` resolved this run) and ``auth_in_url``.
Widget keys: ``login_email``, ``login_password``, ``login_remember``,
``login_submit``, ``login_oidc_*``, ``ui_language`` (the sign-in page's language),
``logout``, ``account_language``, ``account_old_password``,
``account_new_password``, ``account_new_password_repeat``,
``account_password_submit``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

import streamlit as st
from streamlit.errors import StreamlitAPIException

from buyergroups import db, i18n
from buyergroups.accounts import manage, sessions, signin
from buyergroups.accounts.users import User, language_name
from buyergroups.config import Settings
from buyergroups.errors import AuthenticationFailed, BuyerGroupsError
from ui.i18n import LANGUAGE_KEY, error_text, language, t

TOKEN_KEY = "auth_token"  # noqa: S105  # nosec B105 - a session_state key name, not a secret
USER_KEY = "auth_user"
IN_URL_KEY = "auth_in_url"
QUERY_KEY = "s"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def require_login(conn: db.Connection, settings: Settings, pages: Sequence[st.Page] = ()) -> User:
    """The signed-in user for this run; otherwise render the sign-in page and stop.

    ``pages`` are the app's pages: before sign-in they are registered with a hidden
    navigation, so the sidebar does not list them (Streamlit would otherwise show
    the ``pages/`` folder) and a deep link still names a known page.
    """
    user = _resume(conn, settings)
    if user is None and _oidc_email() is not None:
        user = _oidc_sign_in(conn, settings)
    if user is not None:
        return user
    if pages:
        st.navigation(list(pages), position="hidden")
    _render_sign_in(conn, settings)
    st.stop()


def _resume(conn: db.Connection, settings: Settings) -> User | None:
    """Resolve the token of this browser session (or of the URL, after a reload)."""
    from_url = st.query_params.get(QUERY_KEY)
    candidates = [st.session_state.get(TOKEN_KEY), from_url]
    for token in dict.fromkeys(c for c in candidates if c):
        user = sessions.resolve_session(conn, token, settings)
        if user is not None:
            _remember(token, user, in_url=True if token == from_url else None)
            return user
    _forget()
    return None


def _remember(token: str, user: User, *, in_url: bool | None = None) -> None:
    """Keep the token (and this run's user); ``in_url`` None keeps the earlier choice."""
    st.session_state[TOKEN_KEY] = token
    st.session_state[USER_KEY] = user
    if in_url is not None:
        st.session_state[IN_URL_KEY] = in_url
    if not st.session_state.get(IN_URL_KEY, False):
        return
    # Page switches clear query parameters; put the token back so a reload keeps it.
    if st.query_params.get(QUERY_KEY) != token:
        st.query_params[QUERY_KEY] = token


def _forget() -> None:
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(IN_URL_KEY, None)
    if QUERY_KEY in st.query_params:
        del st.query_params[QUERY_KEY]


# --- password sign-in ---------------------------------------------------------------------


def _render_sign_in(conn: db.Connection, settings: Settings) -> None:
    _sign_in_language()
    st.title(t("Buyer Groups workspace"))
    st.subheader(t("Sign in"))
    # clear_on_submit: a refused password does not linger in the form.
    with st.form("login_form", clear_on_submit=True):
        email = st.text_input(t("Email"), key="login_email", max_chars=254, autocomplete="username")
        password = st.text_input(
            t("Password"),
            type="password",
            key="login_password",
            autocomplete="current-password",
        )
        remember = st.checkbox(
            t("Stay signed in when the page is reloaded"),
            key="login_remember",
            help=t(
                "Keeps a sign-in key in the address bar: do not share links copied from "
                "the address bar while signed in."
            ),
        )
        submitted = st.form_submit_button(t("Sign in"), key="login_submit", type="primary")
    if submitted:
        _password_sign_in(conn, settings, email, password, remember=remember)
    _render_oidc_buttons()


def _sign_in_language() -> None:
    """A language switch on the sign-in page (before sign-in there is no user language)."""
    options = list(i18n.LANGUAGES)
    st.session_state.setdefault(LANGUAGE_KEY, language())
    st.segmented_control(
        t("Language"),
        options,
        format_func=language_name,
        key=LANGUAGE_KEY,
        label_visibility="collapsed",
    )


def _password_sign_in(
    conn: db.Connection, settings: Settings, email: str, password: str, *, remember: bool
) -> None:
    try:
        user = signin.authenticate(conn, email, password, settings)
        token = sessions.start_session(conn, user.id, settings)
    except AuthenticationFailed:
        st.error(t(sessions.SIGN_IN_FAILED))
        return
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    _remember(token, user, in_url=remember)
    st.rerun()


# --- sign-in with the organisation's identity provider (OIDC) -----------------------------


def oidc_providers() -> list[str] | None:
    """Providers configured under ``[auth]`` in secrets: [] = default only, None = no OIDC.

    A missing or broken secrets file means no OIDC, never an error: local
    accounts are the embedded default.
    """
    try:
        if "auth" not in st.secrets:
            return None
        section = st.secrets["auth"]
        return [name for name, entry in section.items() if isinstance(entry, Mapping)]
    except Exception:  # a broken secrets file must not lock everyone out of local sign-in
        return None


def _render_oidc_buttons() -> None:
    providers = oidc_providers()
    if providers is None:
        return
    st.divider()
    for provider in providers or [None]:
        label = t("Sign in with your organisation") + (f" ({provider})" if provider else "")
        if st.button(label, key=f"login_oidc_{provider or 'default'}"):
            try:
                st.login(provider)
            except StreamlitAPIException as exc:
                st.error(
                    t("Signing in with your organisation is not available here: {error}", error=exc)
                )


def _oidc_email() -> str | None:
    """The email of the identity-provider sign-in of this browser, if any."""
    if oidc_providers() is None:
        return None
    identity = st.user
    if not identity.get("is_logged_in"):
        return None
    email = str(identity.get("email") or "").strip()
    return email or None


def _oidc_sign_in(conn: db.Connection, settings: Settings) -> User | None:
    email = _oidc_email() or ""
    verified = st.user.get("email_verified") is not False
    user = signin.user_for_oidc(conn, email) if verified else None
    if user is None:
        st.error(
            t(
                "You are signed in with your organisation as {email}, but no enabled account "
                "of this workspace uses that (verified) email. Accounts are not created "
                "automatically: ask a platform admin to create yours, then sign in again.",
                email=email,
            )
        )
        st.button(t("Sign out of your organisation"), key="login_oidc_logout", on_click=st.logout)
        return None
    try:
        token = sessions.start_session(conn, user.id, settings, method="oidc")
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return None
    # No token in the URL: after a reload the identity-provider cookie signs in again.
    _remember(token, user, in_url=False)
    return user


# --- signed in: logout and account menu ---------------------------------------------------


def sign_out(conn: db.Connection) -> None:
    """End the server session of this browser, forget its token, and start over."""
    sessions.end_session(conn, st.session_state.get(TOKEN_KEY))
    _forget()
    if _oidc_email() is not None:
        st.logout()  # also ends the identity-provider cookie; reloads the app
        st.stop()
    st.rerun()


def logout_button(conn: db.Connection) -> None:
    """A sidebar button that signs out (ending the session on the server)."""
    if st.sidebar.button(t("Sign out"), key="logout", icon=":material/logout:"):
        sign_out(conn)


def render_account_menu(conn: db.Connection, settings: Settings) -> None:
    """Sidebar: who is signed in, their language, a change-password form and sign-out."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        return
    with st.sidebar:
        st.markdown(f"**{plain_markdown(user.name)}**  \n{plain_markdown(user.email)}")
        _language_picker(conn, user)
        with st.expander(t("Change password")):
            _change_password_form(conn, settings, user)
    logout_button(conn)


def plain_markdown(text: str) -> str:
    """``text`` with Markdown punctuation escaped, so it shows exactly as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _language_picker(conn: db.Connection, user: User) -> None:
    options = list(i18n.LANGUAGES)
    chosen = st.selectbox(
        t("Language"),
        options,
        index=options.index(user.language) if user.language in options else 0,
        format_func=language_name,
        key="account_language",
    )
    if chosen != user.language:
        try:
            manage.change_language(conn, user, user.id, chosen)
        except BuyerGroupsError as exc:
            st.error(error_text(exc))
            return
        # The entry file reads this before the gate resolves the user again: keep it current.
        st.session_state[USER_KEY] = replace(user, language=chosen)
        st.rerun()


def _change_password_form(conn: db.Connection, settings: Settings, user: User) -> None:
    with st.form("account_password_form", clear_on_submit=True):
        old = st.text_input(t("Current password"), type="password", key="account_old_password")
        new = st.text_input(t("New password"), type="password", key="account_new_password")
        repeat = st.text_input(
            t("Repeat the new password"), type="password", key="account_new_password_repeat"
        )
        submitted = st.form_submit_button(t("Change password"), key="account_password_submit")
    if not submitted:
        return
    if new != repeat:
        st.error(t("The two new passwords differ; nothing was changed."))
        return
    try:
        manage.change_password(conn, user, user.id, old, new)
        # Every session ended, this one too; keep this browser signed in with a fresh one.
        token = sessions.start_session(conn, user.id, settings, method="password change")
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    _remember(token, user)
    st.success(t("Password changed. You were signed out everywhere else."))
