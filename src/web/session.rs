//! Sessions in signed, encrypted cookies (no server-side state) and the CSRF token every form
//! carries. Plumbing: it reads and writes the cookie's keys and never asks who the user is; the
//! signed-in user extractor lives with identity, in `accounts::session`.

use actix_session::config::{PersistentSession, TtlExtensionPolicy};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionExt, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use actix_web::HttpRequest;
use argon2::password_hash::rand_core::{OsRng, RngCore};

use super::AppError;

const COOKIE_NAME: &str = "ohgov_session";

const USER_ID: &str = "uid";
const EPOCH: &str = "epoch";
const LAST_SEEN: &str = "seen";
const SESSION_ID: &str = "sid";
const NAME: &str = "name";
const CSRF: &str = "csrf";
const MEMBERSHIPS: &str = "memberships";
const ACTIVE: &str = "active";
const ADMIN: &str = "admin";
const FLASH: &str = "flash";

/// The longest confirmation kept: the cookie holds at most about 4 KB, shared with the rest of the
/// session, and a banner longer than a sentence or two is not read anyway.
const FLASH_LIMIT: usize = 400;

/// The cookie middleware: HttpOnly, SameSite=Strict, Secure when asked, renewed on every request.
pub fn middleware(key: Key, secure: bool, idle_seconds: i64) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(COOKIE_NAME.into())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Strict)
        .cookie_secure(secure)
        .session_lifecycle(
            PersistentSession::default()
                .session_ttl(actix_web::cookie::time::Duration::seconds(idle_seconds))
                .session_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
        )
        .build()
}

/// The cookie key every instance shares: from the key file (`Settings::session_key_file`), made
/// on first start with mode 0600. Not in the database, so a copy of the database cannot forge a
/// session.
pub fn load_or_create_key(path: &std::path::Path) -> Result<Key, AppError> {
    let bytes = crate::config::read_or_create_secret(path, || Key::generate().master().to_vec())
        .map_err(|e| AppError::Internal(format!("the session key: {e:#}")))?;
    Key::try_from(bytes.as_slice()).map_err(|_| AppError::Internal("the session key file is too short".into()))
}

/// The form token of this session, made on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF) {
        return token;
    }
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let _ = session.insert(CSRF, &token);
    token
}

/// A random token kept under `key` in this session, made on first use: how a record in the database
/// (such as an import awaiting confirmation) names the browser session it belongs to without
/// holding the cookie.
pub fn session_token(session: &Session, key: &str) -> Result<String, AppError> {
    if let Ok(Some(token)) = session.get::<String>(key) {
        return Ok(token);
    }
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    session.insert(key, &token).map_err(|e| AppError::Internal(format!("session: {e}")))?;
    Ok(token)
}

/// Refuses a form whose token is missing or is not this session's. Compared in constant time.
pub fn check_csrf(session: &Session, submitted: &str) -> Result<(), AppError> {
    let expected = session.get::<String>(CSRF).ok().flatten().unwrap_or_default();
    let same = !expected.is_empty()
        && expected.len() == submitted.len()
        && expected.bytes().zip(submitted.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if same {
        Ok(())
    } else {
        Err(AppError::FormExpired)
    }
}

/// Starts a signed-in session: a new cookie (so a planted one is useless) and a new form token.
/// `session_id` is the random token whose SHA-256 names the server-side session row.
pub fn start(
    session: &Session,
    user_id: i32,
    name: &str,
    epoch: i32,
    session_id: &str,
    now: i64,
) -> Result<(), AppError> {
    session.renew();
    session.clear();
    let insert = |key: &str, value: serde_json::Value| {
        session.insert(key, value).map_err(|e| AppError::Internal(format!("session: {e}")))
    };
    insert(USER_ID, user_id.into())?;
    insert(EPOCH, epoch.into())?;
    insert(NAME, name.into())?;
    insert(LAST_SEEN, now.into())?;
    insert(SESSION_ID, session_id.into())?;
    csrf_token(session);
    Ok(())
}

/// Remembers the user's memberships for the header switcher (read at sign-in, so a role granted
/// later shows after the next sign-in) and which one is active.
pub fn remember_memberships(session: &Session, memberships: &[(i32, String)]) -> Result<(), AppError> {
    session.insert(MEMBERSHIPS, memberships).map_err(|e| AppError::Internal(format!("session: {e}")))?;
    if let Some((first, _)) = memberships.first() {
        session.insert(ACTIVE, first).map_err(|e| AppError::Internal(format!("session: {e}")))?;
    }
    Ok(())
}

/// Remembers whether to show the administration link. Only the link: `/admin` itself checks the
/// database on every request.
pub fn remember_admin(session: &Session, is_admin: bool) -> Result<(), AppError> {
    session.insert(ADMIN, is_admin).map_err(|e| AppError::Internal(format!("session: {e}")))
}

/// Whether the signed-in user was an administrator at sign-in (for the navigation link).
pub fn shows_admin(req: &HttpRequest) -> bool {
    req.get_session().get::<bool>(ADMIN).ok().flatten().unwrap_or(false)
}

/// Makes one of the remembered memberships the active one; false if it is not the user's.
pub fn switch_membership(session: &Session, membership_id: i32) -> bool {
    let held = session.get::<Vec<(i32, String)>>(MEMBERSHIPS).ok().flatten().unwrap_or_default();
    if held.iter().any(|(id, _)| *id == membership_id) {
        session.insert(ACTIVE, membership_id).is_ok()
    } else {
        false
    }
}

/// The header's view of the session: memberships to switch between, and the active one.
pub fn memberships(req: &HttpRequest) -> (Vec<(i32, String)>, Option<i32>) {
    let session = req.get_session();
    let held = session.get::<Vec<(i32, String)>>(MEMBERSHIPS).ok().flatten().unwrap_or_default();
    let active = session.get::<i32>(ACTIVE).ok().flatten();
    (held, active)
}

/// Keeps a session going after its user changed their password (which ended all the others).
pub fn set_epoch(session: &Session, epoch: i32) -> Result<(), AppError> {
    session.insert(EPOCH, epoch).map_err(|e| AppError::Internal(format!("session: {e}")))
}

/// The name to show in the header, if someone is signed in (no database read).
pub fn signed_in_name(req: &HttpRequest) -> Option<String> {
    let session = req.get_session();
    session.get::<i32>(USER_ID).ok().flatten()?;
    session.get::<String>(NAME).ok().flatten()
}

/// What the cookie says of who signed in: the user, the "sign out everywhere" epoch they signed in
/// under, and when the session was last used (Unix seconds). None when no one is signed in.
pub fn signed_in(session: &Session) -> Option<(i32, i32, i64)> {
    let user_id = session.get::<i32>(USER_ID).ok().flatten()?;
    let epoch = session.get::<i32>(EPOCH).ok().flatten().unwrap_or(-1);
    let seen = session.get::<i64>(LAST_SEEN).ok().flatten().unwrap_or(0);
    Some((user_id, epoch, seen))
}

/// The random token naming this browser's server-side session row, if it is signed in.
pub fn session_id(session: &Session) -> Option<String> {
    session.get::<String>(SESSION_ID).ok().flatten()
}

/// Notes that the session was used now, for the idle limit.
pub fn touch(session: &Session, now: i64) {
    let _ = session.insert(LAST_SEEN, now);
}

/// Keeps a confirmation ("GF4 saved") for the next page this browser opens. In the cookie, not the
/// `sessions` row: it is this browser's next page, not who is signed in, so it needs no revoking;
/// the cookie is signed and encrypted, so it cannot be forged or read on the way; and the layout
/// reads it without a database round trip. A failure to keep it only loses the banner.
pub fn set_flash(session: &Session, message: &str) {
    let mut message = message.to_string();
    if message.len() > FLASH_LIMIT {
        let mut end = FLASH_LIMIT - '…'.len_utf8();
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    if let Err(error) = session.insert(FLASH, message) {
        tracing::warn!(%error, "the confirmation could not be kept for the next page");
    }
}

/// The confirmation kept for this page, removed as it is read, so it is shown once.
pub fn take_flash(session: &Session) -> Option<String> {
    session.remove_as::<String>(FLASH).and_then(Result::ok)
}
