//! The one form pipeline. An extractor checks the session's form token and reads the body into the
//! handler's own input type (repeated keys, such as ticked boxes, into a `Vec`); a second does the
//! same for uploads. No handler checks the token by hand.
//!
//! A handler then reads: extract, authorise, [`save_then`] (the store's work, then the page to go
//! to, or the form shown again with its problems).

use std::future::Future;
use std::pin::Pin;

use actix_multipart::Multipart;
use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::Refusal;
use super::upload::read_upload;
use super::{session, with_conn, AppError, AppState};
use crate::db::{DbConnection, StoreResult};
use crate::form::FieldErrors;

/// The field every form of ours carries.
#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf_token: String,
}

/// The input of a form that carries nothing but its token (sign out, sign out everywhere).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// A submitted form, its token checked, read into `T`.
pub struct Form<T>(pub T);

impl<T> Form<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Form<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Reads `T` from `application/x-www-form-urlencoded` text. Input types keep what was typed as
/// text and check it in their `parse`, so this fails only for a body our pages never send.
fn read_fields<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_html_form::from_bytes(body).map_err(|e| AppError::BadRequest(format!("form: {e}")))
}

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        // The body limit is the application's `PayloadConfig` (1 MB): a narrative of 20,000
        // characters fits many times over.
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|e| AppError::BadRequest(format!("form body: {e}")))?;
            let token: Token = read_fields(&body)?;
            session::check_csrf(&session, &token.csrf_token)?;
            Ok(Form(read_fields(&body)?))
        })
    }
}

/// A submitted upload form (multipart): its text fields read into `T`, and its one file, read
/// against the service's size limit.
pub struct UploadForm<T> {
    pub fields: T,
    /// The chosen file's name and content, if one was chosen and it was within the limit.
    pub file: Option<(String, Vec<u8>)>,
    /// The file was larger than the limit: it was read to the end and thrown away.
    pub too_large: bool,
    /// The limit the file was read against, in bytes.
    pub limit: usize,
}

impl<T: DeserializeOwned + 'static> FromRequest for UploadForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let limit = req.app_data::<web::Data<AppState>>().map(|state| state.settings.max_upload_mb * 1024 * 1024);
        let multipart = Multipart::from_request(req, payload);
        Box::pin(async move {
            let limit = limit.ok_or_else(|| AppError::Internal("no application state".into()))?;
            let multipart = multipart.await.map_err(|e| AppError::BadRequest(format!("upload: {e}")))?;
            let submitted = read_upload(multipart, limit).await;
            let text = form_urlencoded::Serializer::new(String::new()).extend_pairs(&submitted.fields).finish();
            let token: Token = read_fields(text.as_bytes())?;
            session::check_csrf(&session, &token.csrf_token)?;
            if let Some(problem) = submitted.malformed {
                return Err(AppError::BadRequest(problem));
            }
            Ok(UploadForm {
                fields: read_fields(text.as_bytes())?,
                file: submitted.file,
                too_large: submitted.too_large,
                limit,
            })
        })
    }
}

/// The answer to a POST that changed something: the next page, which shows `message` once, in the
/// field's words ("GF4 saved", "12 people added, 3 updated"), as a banner at its top. Every
/// handler's `done` (see [`save_then`]) answers through this, so no page reads a query string to
/// say what happened.
pub fn confirm_then(req: &HttpRequest, message: impl AsRef<str>, location: impl Into<String>) -> HttpResponse {
    session::set_flash(&req.get_session(), message.as_ref());
    super::see_other(location)
}

/// The status of a form page: 200 when shown fresh, 422 when shown again with its problems.
pub fn status_for(errors: &FieldErrors) -> actix_web::http::StatusCode {
    if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A form's save, start to end: runs the store's `work` (which parses the input and saves, in one
/// transaction), then answers with `done` (usually "see the record"), or, when the input or the
/// store refused it, with `again`: the form shown again with the problems at their fields. A record
/// that is not there is a 404; anything else fails the request.
pub async fn save_then<T, W, D, A, F>(state: &AppState, work: W, done: D, again: A) -> Result<HttpResponse, AppError>
where
    T: Send + 'static,
    W: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
    D: FnOnce(T) -> HttpResponse,
    A: FnOnce(FieldErrors) -> F,
    F: Future<Output = Result<HttpResponse, AppError>>,
{
    match with_conn(state, move |conn| Ok(work(conn))).await?.refusal()? {
        Ok(value) => Ok(done(value)),
        Err(errors) => again(errors).await,
    }
}
