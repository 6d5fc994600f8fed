"""Accounts: log in, first administrator, password change, and the administrators' user management."""

from __future__ import annotations

import streamlit as st

from geo.access import ROLES, AccessError, Accounts, User
from geo.i18n import message, t
from geo.units import communes as official_communes
from ui.common import show_table
from ui.context import Context

__all__ = ["signed_in", "users_panel", "password_change"]


def _flash(text: str) -> None:
    """A success message that survives the rerun after a form is saved."""
    st.session_state["accounts-flash"] = text


def _sso_configured() -> bool:
    """Whether the department configured OIDC single sign-on ([auth] in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _single_sign_on(accounts: Accounts, lang: str) -> User | None:
    """Single sign-on through Streamlit's OIDC support, when configured.

    The identity provider vouches for the e-mail address; the account with that
    address as its user name decides the role and communes. No account, no access.
    """
    if not _sso_configured():
        return None
    if not st.user.is_logged_in:
        st.sidebar.button(t("login_sso", lang), on_click=st.login)
        return None
    user = accounts.get(st.user.email)
    if user is None:
        st.sidebar.error(t("sso_no_account", lang))
        st.sidebar.button(t("logout", lang), on_click=st.logout)
        return None
    st.sidebar.caption(f"{user.username} ({t(f'role_{user.role}', lang)})")
    st.sidebar.button(t("logout", lang), on_click=st.logout, key="sso-logout")
    return user


def signed_in(accounts: Accounts | None, lang: str) -> User | None:
    """The signed-in user; None in demo mode (no workspace, or no account yet)."""
    if accounts is None:
        return None
    if not accounts.has_users():  # first run: the first account is the admin
        with st.sidebar.form("first-admin"):
            st.write(t("first_admin", lang))
            name = st.text_input(t("username", lang))
            password = st.text_input(t("password", lang), type="password")
            if st.form_submit_button(t("create", lang)):
                try:
                    accounts.create_first_admin(name.strip(), password)
                    st.session_state["session"] = accounts.login(name.strip(), password)
                    st.rerun()
                except (AccessError, ValueError) as exc:
                    st.error(message(exc, lang))
        return None
    sso = _single_sign_on(accounts, lang)
    if sso is not None:
        return sso
    session = st.session_state.get("session")
    if session is not None:
        try:
            user = accounts.user(session)
        except AccessError as exc:  # expired, or the account was removed
            st.session_state.pop("session")
            st.sidebar.warning(message(exc, lang))
        else:
            st.sidebar.caption(f"{user.username} ({t(f'role_{user.role}', lang)})")
            if st.sidebar.button(t("logout", lang)):
                st.session_state.pop("session")
                st.rerun()
            return user
    with st.sidebar.form("login"):
        name = st.text_input(t("username", lang), key="login-user")
        password = st.text_input(t("password", lang), type="password", key="login-password")
        if st.form_submit_button(t("login", lang)):
            try:
                st.session_state["session"] = accounts.login(name.strip(), password)
                st.rerun()
            except AccessError as exc:
                st.error(message(exc, lang))
    return None


def password_change(ctx: Context) -> None:
    """Any signed-in user: change their own password (the current one is asked first)."""
    if ctx.user is None or ctx.accounts is None:
        return
    with st.sidebar.expander(ctx.t("change_password")):
        with st.form("change-password", clear_on_submit=True):
            old = st.text_input(ctx.t("current_password"), type="password", key="old-password")
            new = st.text_input(ctx.t("new_password"), type="password", key="new-own-password")
            if st.form_submit_button(ctx.t("save")):
                try:
                    ctx.accounts.change_password(ctx.user, old, new, session=st.session_state.get("session"))
                    st.success(ctx.t("password_changed"))
                except (AccessError, ValueError) as exc:
                    st.error(message(exc, ctx.lang))


#: The add-user form's fields and the values it starts from (and returns to after each account).
_NEW_USER = {"new-user": "", "new-password": "", "new-role": ROLES[0], "new-communes": []}


def _add_user(ctx: Context) -> None:
    """The add-user form's action: runs before the page, so the form can be emptied once the account exists."""
    state = st.session_state
    name = state["new-user"].strip()
    try:
        ctx.accounts.add_user(ctx.user, name, state["new-password"], state["new-role"], state["new-communes"] or None)
    except (AccessError, ValueError) as exc:
        state["accounts-error"] = message(exc, ctx.lang)
        return
    _flash(ctx.t("user_added", user=name, role=ctx.t(f"role_{state['new-role']}")))
    state.update(_NEW_USER)


def users_panel(ctx: Context) -> None:
    """Administrators: the accounts, a form to add one, password reset and removal."""
    accounts = ctx.accounts
    st.subheader(ctx.t("accounts"))
    flash = st.session_state.pop("accounts-flash", None)
    if flash:
        st.success(flash)
    table = accounts.users_table()
    show_table(ctx, table, height=None, key="users-table")
    names = official_communes(2020).set_index("ma_xa")["name_vi"]  # the official list: no boundary needed
    with st.form("add-user"):
        st.markdown(f"**{ctx.t('add_user')}**")
        a, b, c = st.columns(3)
        a.text_input(ctx.t("username"), key="new-user")
        b.text_input(ctx.t("password"), type="password", key="new-password")
        c.selectbox(ctx.t("role"), list(ROLES), key="new-role", format_func=lambda r: ctx.t(f"role_{r}"))
        st.multiselect(ctx.t("communes_assigned"), list(names.index), key="new-communes",
                       format_func=lambda code: f"{names[code]} ({code})", placeholder=ctx.t("all"))
        st.form_submit_button(ctx.t("add_user"), on_click=_add_user, args=(ctx,))
    refused = st.session_state.pop("accounts-error", None)
    if refused:
        st.error(refused)
    others = [u for u in table["username"] if u != ctx.user.username]
    if not others:
        return
    with st.form("reset-password", clear_on_submit=True):
        st.markdown(f"**{ctx.t('reset_password')}**")
        a, b = st.columns(2)
        who = a.selectbox(ctx.t("username"), others, key="reset-user")
        new = b.text_input(ctx.t("new_password"), type="password", key="reset-password")
        if st.form_submit_button(ctx.t("reset_password")):
            try:
                accounts.reset_password(ctx.user, who, new)
                _flash(ctx.t("password_reset", user=who))
                st.rerun()
            except (AccessError, ValueError) as exc:
                st.error(message(exc, ctx.lang))
    gone = st.selectbox(ctx.t("remove_user"), others, key="remove-user")
    if st.button(ctx.t("remove_user"), key="remove-user-button"):
        accounts.remove_user(ctx.user, gone)
        _flash(ctx.t("user_removed", user=gone))
        st.rerun()
