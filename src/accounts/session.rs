//! The signed-in user: who the session cookie names, checked against the accounts store and the
//! server-side `sessions` row on every request, so signing out, a password change or "sign out
//! everywhere" ends copied cookies too.

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::db::UserId;
use crate::web::{session, with_conn, AppError, AppState};

/// The signed-in user. A request without a live session is sent to sign in; a session older than
/// "sign out everywhere", or idle for longer than the idle limit, is ended. The cookie's own expiry is only the browser's
/// side; this check is what a copied cookie meets.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub name: String,
    pub is_admin: bool,
    /// The user's memberships and their organisations' contracts, loaded by the first access check
    /// of the request and kept for the rest of it (`accounts::guard`).
    pub access: AccessFacts,
}

/// A request's cache of what the access rule needs about the user.
pub type AccessFacts =
    std::sync::Arc<std::sync::OnceLock<(Vec<super::access::Membership>, Vec<super::access::Contract>)>>;

impl CurrentUser {
    pub fn new(id: UserId, name: String, is_admin: bool) -> Self {
        CurrentUser { id, name, is_admin, access: AccessFacts::default() }
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        // A page asked for without a live session is returned to after signing in; a form sent
        // without one is not (its page is where to start again).
        let return_to = (req.method() == actix_web::http::Method::GET && req.path() != "/")
            .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
            .flatten();
        let sign_in = move || AppError::SignInRequired(return_to.clone());
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("no application state".into()))?;
            let (user_id, epoch, seen) = session::signed_in(&session).ok_or_else(&sign_in)?;
            let user_id = UserId(user_id);
            let now = state.now();
            if now.timestamp() - seen > state.settings.session_idle_seconds {
                session.purge();
                return Err(sign_in());
            }
            // The server-side row is what signing out deletes: a cookie without a live row is over.
            let Some(token) = session::session_id(&session) else {
                session.purge();
                return Err(sign_in());
            };
            let (idle, days) = (state.settings.session_idle_seconds, state.settings.session_days);
            // The access rule's facts come in the same trip: nearly every page checks access next.
            let found = with_conn(&state, move |conn| {
                if !super::store::session_is_live(conn, &token, user_id, now.naive_utc(), idle, days)? {
                    return Ok(None);
                }
                let Some(user) = super::store::session_user(conn, user_id)? else { return Ok(None) };
                Ok(Some((user, super::store::access_facts(conn, user_id)?)))
            })
            .await?;
            let now = now.timestamp();
            match found {
                Some(((current_epoch, name, is_admin), access)) if current_epoch == epoch => {
                    session::touch(&session, now);
                    let user = CurrentUser::new(user_id, name, is_admin);
                    let _ = user.access.set(access);
                    Ok(user)
                }
                _ => {
                    session.purge();
                    Err(sign_in())
                }
            }
        })
    }
}
