//! The JSON API's caller (a bearer token, checked by hash, that stands for its user in the same
//! access rule the pages use) and the accounts area's one document, the providers list.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::session::CurrentUser;
use crate::web::{with_conn, AppError, AppState};

/// The user an `Authorization: Bearer TOKEN` header names, as a [`CurrentUser`].
pub struct ApiUser(pub CurrentUser);

impl FromRequest for ApiUser {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("no application state".into()))?;
            let token = token.filter(|t| !t.is_empty()).ok_or(AppError::Unauthorized)?;
            let found = with_conn(&state, move |conn| {
                let Some(user_id) = super::store::token_user(conn, &token)? else { return Ok(None) };
                Ok(super::store::session_user(conn, user_id)?.map(|(_, name, is_admin)| (user_id, name, is_admin)))
            })
            .await?;
            let (id, name, is_admin) = found.ok_or(AppError::Unauthorized)?;
            Ok(ApiUser(CurrentUser::new(id, name, is_admin)))
        })
    }
}

/// `GET /api/v1/providers`: the providers the caller may read.
#[derive(Debug, serde::Serialize)]
pub struct ProvidersDocument {
    pub providers: Vec<super::store::ProviderSummary>,
}
