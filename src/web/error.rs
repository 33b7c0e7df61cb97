//! The web layer's one error type, and the handlers that show errors as pages in the layout.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpResponse, ResponseError};

use super::AppState;
use crate::db::StoreError;
use crate::form::FieldErrors;

/// Everything a handler can fail with. Each maps to one status; the page is drawn by
/// [`error_pages`], so a handler never builds an error page itself.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A request our own pages would never send (a broken upload).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// An API call's parameters, refused by field; the caller gets the words.
    #[error("{0}")]
    BadInput(FieldErrors),
    #[error("forbidden")]
    Forbidden,
    /// A form whose token is missing or not this session's (it was opened before the session
    /// ended, or on another site): 403, and the page says the form expired.
    #[error("the form's token was refused")]
    FormExpired,
    /// An API call without a live token.
    #[error("unauthorised")]
    Unauthorized,
    /// No live session: the browser is sent to the sign-in page, with the page it asked for (a
    /// local path, for a GET) to return to once signed in.
    #[error("sign-in required")]
    SignInRequired(Option<String>),
    /// The change cannot be made in the record's present state; the words say why.
    #[error("{0}")]
    Conflict(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("template error: {0}")]
    Template(#[from] tera::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

/// A store's refusal as a request's answer. A refusal for bad input is shown on its form by the
/// handler ([`Refusal`]); reaching here means a handler did not expect it, which is a fault of ours.
impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(why) => AppError::Conflict(why),
            StoreError::Database(e) => AppError::Database(e),
            StoreError::Invalid(errors) => AppError::Internal(format!("unexpected refusal: {errors}")),
        }
    }
}

/// What a form handler makes of a save: the value when it worked, or the field problems to show the
/// form again with; anything else fails the request.
pub trait Refusal<T> {
    fn refusal(self) -> Result<Result<T, FieldErrors>, AppError>;
}

impl<T> Refusal<T> for Result<T, StoreError> {
    fn refusal(self) -> Result<Result<T, FieldErrors>, AppError> {
        match self {
            Ok(value) => Ok(Ok(value)),
            Err(StoreError::Invalid(errors)) => Ok(Err(errors)),
            Err(other) => Err(other.into()),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) | AppError::BadInput(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden | AppError::FormExpired => StatusCode::FORBIDDEN,
            AppError::SignInRequired(_) => StatusCode::SEE_OTHER,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            // A missing record is `NotFound`, said on purpose; a query that unexpectedly found
            // nothing is a fault of ours, not the visitor's 404.
            AppError::Database(_) | AppError::Template(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let AppError::SignInRequired(return_to) = self {
            let location = match return_to {
                Some(path) => {
                    let query = form_urlencoded::Serializer::new(String::new()).append_pair("next", path).finish();
                    format!("/sign-in?{query}")
                }
                None => "/sign-in".into(),
            };
            return HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish();
        }
        if let AppError::Unauthorized = self {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .json(serde_json::json!({ "error": "a valid API token is required", "status": 401 }));
        }
        if let AppError::BadInput(errors) = self {
            return HttpResponse::BadRequest().json(ErrorBody { error: errors.to_string(), status: status.as_u16() });
        }
        if status.is_server_error() {
            // The detail goes to the log, never to the browser.
            tracing::error!(error = %self, "request failed");
        }
        HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(status.canonical_reason().unwrap_or("error"))
    }
}

/// An API error's body.
#[derive(serde::Serialize)]
struct ErrorBody {
    error: String,
    status: u16,
}

/// `default_service`: any URL no route claims.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Replaces the bare body of 403, 404, 500 and 503 responses with a page in the layout (or a JSON
/// body under `/api/`).
pub fn error_pages<B: 'static>() -> ErrorHandlers<B> {
    let mut handlers = ErrorHandlers::new();
    for status in [
        StatusCode::FORBIDDEN,
        StatusCode::NOT_FOUND,
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::SERVICE_UNAVAILABLE,
    ] {
        handlers = handlers.handler(status, render_error_page);
    }
    handlers
}

fn render_error_page<B: 'static>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // A handler that already chose a body (the health check's JSON) keeps it; only the bare
    // bodies of `AppError` and of empty responses are replaced.
    let bare = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !bare {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let form_expired = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .is_some_and(|e| matches!(e, AppError::FormExpired));
    let (req, res) = res.into_parts();
    let is_api = req.path().starts_with("/api/");
    let page = if is_api {
        None
    } else {
        req.app_data::<web::Data<AppState>>().and_then(|state| {
            let template = match status {
                StatusCode::NOT_FOUND => "errors/404.html",
                StatusCode::FORBIDDEN => "errors/403.html",
                _ => "errors/500.html",
            };
            // The visitor's own header: their name, memberships and navigation, as on any page.
            let mut context = super::page_context(&req);
            context.insert("form_expired", &form_expired);
            context.insert("page_opened", &(req.method() == actix_web::http::Method::GET));
            match state.templates.render(template, &context) {
                Ok(body) => Some(body),
                Err(error) => {
                    tracing::error!(%error, "error page failed to render");
                    None
                }
            }
        })
    };
    let mut builder = HttpResponse::build(status);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.insert_header((name.clone(), value.clone()));
        }
    }
    let response: HttpResponse<BoxBody> = match page {
        Some(body) => builder.content_type("text/html; charset=utf-8").body(body),
        None => builder.json(serde_json::json!({
            "error": status.canonical_reason().unwrap_or("error"),
            "status": status.as_u16(),
        })),
    };
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, response).map_into_right_body()))
}
