//! Sessions in signed, encrypted cookies (no server-side state), the signed-in user extractor,
//! and the CSRF token every form carries.

use actix_session::config::{PersistentSession, TtlExtensionPolicy};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionExt, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use chrono::Utc;
use diesel::prelude::*;

use super::{AppError, AppState};
use crate::db::schema::instance_secrets;
use crate::db::{self, DbConnection};

/// A session unused for this long is over (the default of `Settings::session_idle_seconds`).
pub const IDLE_SECONDS: i64 = 12 * 3600;
const COOKIE_NAME: &str = "ohgov_session";

const USER_ID: &str = "uid";
const EPOCH: &str = "epoch";
const LAST_SEEN: &str = "seen";
const NAME: &str = "name";
const CSRF: &str = "csrf";
const MEMBERSHIPS: &str = "memberships";
const ACTIVE: &str = "active";
const ADMIN: &str = "admin";

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

/// The cookie key every instance shares: from the database, made on first start. Inserted and
/// then read back, so two instances starting together agree on one key.
pub fn load_or_create_key(conn: &mut DbConnection) -> Result<Key, AppError> {
    let read = |conn: &mut DbConnection| -> QueryResult<Option<String>> {
        instance_secrets::table.find("session_key").select(instance_secrets::value).first(conn).optional()
    };
    let stored = match read(conn)? {
        Some(value) => value,
        None => {
            let fresh = hex::encode(Key::generate().master());
            let inserted = db::write_transaction(conn, |conn| {
                if read(conn)?.is_none() {
                    diesel::insert_into(instance_secrets::table)
                        .values((
                            instance_secrets::name.eq("session_key"),
                            instance_secrets::value.eq(&fresh),
                            instance_secrets::created_at.eq(Utc::now().naive_utc()),
                        ))
                        .execute(conn)?;
                }
                Ok::<_, diesel::result::Error>(())
            });
            if let Err(error) = inserted {
                tracing::warn!(%error, "another instance stored the session key first");
            }
            read(conn)?.ok_or_else(|| AppError::Internal("the session key could not be stored".into()))?
        }
    };
    let bytes =
        hex::decode(stored.trim()).map_err(|_| AppError::Internal("the stored session key is not hex".into()))?;
    Key::try_from(bytes.as_slice()).map_err(|_| AppError::Internal("the stored session key is too short".into()))
}

/// The form token of this session, made on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF) {
        return token;
    }
    let (token, _) = crate::accounts::secrets::generate_token();
    let token = token.trim_start_matches(crate::accounts::secrets::TOKEN_PREFIX).to_string();
    let _ = session.insert(CSRF, &token);
    token
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
        Err(AppError::Forbidden)
    }
}

/// Starts a signed-in session: a new cookie (so a planted one is useless) and a new form token.
pub fn start(session: &Session, user_id: i32, name: &str, epoch: i32) -> Result<(), AppError> {
    session.renew();
    session.clear();
    let insert = |key: &str, value: serde_json::Value| {
        session.insert(key, value).map_err(|e| AppError::Internal(format!("session: {e}")))
    };
    insert(USER_ID, user_id.into())?;
    insert(EPOCH, epoch.into())?;
    insert(NAME, name.into())?;
    insert(LAST_SEEN, Utc::now().timestamp().into())?;
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

/// The signed-in user. A request without a live session is sent to sign in; a session older than
/// "sign out everywhere", or idle for longer than the idle limit, is ended. The cookie's own expiry is only the browser's
/// side; this check is what a copied cookie meets.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i32,
    pub name: String,
    pub is_admin: bool,
    /// The user's memberships and their organisations' contracts, loaded by the first access check
    /// of the request and kept for the rest of it (`web::access`).
    pub access: AccessFacts,
}

/// A request's cache of what the access rule needs about the user.
pub type AccessFacts = std::sync::Arc<
    std::sync::OnceLock<(Vec<crate::accounts::access::Membership>, Vec<crate::accounts::access::Contract>)>,
>;

impl CurrentUser {
    pub fn new(id: i32, name: String, is_admin: bool) -> Self {
        CurrentUser { id, name, is_admin, access: AccessFacts::default() }
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("no application state".into()))?;
            let user_id = session.get::<i32>(USER_ID).ok().flatten().ok_or(AppError::SignInRequired)?;
            let epoch = session.get::<i32>(EPOCH).ok().flatten().unwrap_or(-1);
            let seen = session.get::<i64>(LAST_SEEN).ok().flatten().unwrap_or(0);
            let now = Utc::now().timestamp();
            if now - seen > state.settings.session_idle_seconds {
                session.purge();
                return Err(AppError::SignInRequired);
            }
            let found =
                super::with_conn(&state, move |conn| Ok(crate::accounts::store::session_user(conn, user_id)?)).await?;
            match found {
                Some((current_epoch, name, is_admin)) if current_epoch == epoch => {
                    let _ = session.insert(LAST_SEEN, now);
                    Ok(CurrentUser::new(user_id, name, is_admin))
                }
                _ => {
                    session.purge();
                    Err(AppError::SignInRequired)
                }
            }
        })
    }
}
