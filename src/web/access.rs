//! Applies the access rule (`accounts::access`) to a request: 404 where the provider is not the
//! user's to see, 403 where they see it but may not do this.

use chrono::Utc;

use super::session::CurrentUser;
use super::{with_conn, AppError, AppState};
use crate::accounts::access::{decide, Access, Capability};

/// Succeeds when `user` may do `capability` with `provider_id` today.
pub async fn authorize(
    state: &AppState,
    user: &CurrentUser,
    provider_id: i32,
    capability: Capability,
) -> Result<(), AppError> {
    let user_id = user.id;
    let (held, contracts) =
        with_conn(state, move |conn| Ok(crate::accounts::store::access_facts(conn, user_id)?)).await?;
    match decide(&held, &contracts, provider_id, capability, Utc::now().date_naive()) {
        Access::Allowed => Ok(()),
        Access::Forbidden => Err(AppError::Forbidden),
        Access::Hidden => Err(AppError::NotFound),
    }
}
