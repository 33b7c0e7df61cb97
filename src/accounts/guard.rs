//! Applies the access rule (`accounts::access`) to a request: 404 where the provider is not the
//! user's to see, 403 where they see it but may not do this. Every area's handlers call these.

use super::access::{decide, Access, Capability, Contract, Membership};
use super::session::CurrentUser;
use crate::db::ProviderId;
use crate::web::{with_conn, AppError, AppState};

/// The user's memberships and contracts: loaded once a request, however many checks it makes.
async fn access_facts(state: &AppState, user: &CurrentUser) -> Result<(Vec<Membership>, Vec<Contract>), AppError> {
    if let Some(facts) = user.access.get() {
        return Ok(facts.clone());
    }
    let user_id = user.id;
    let facts = with_conn(state, move |conn| Ok(super::store::access_facts(conn, user_id)?)).await?;
    Ok(user.access.get_or_init(|| facts).clone())
}

/// Succeeds when `user` may do `capability` with `provider_id` today.
pub async fn authorize(
    state: &AppState,
    user: &CurrentUser,
    provider_id: ProviderId,
    capability: Capability,
) -> Result<(), AppError> {
    let today = state.today();
    let (held, contracts) = access_facts(state, user).await?;
    match decide(&held, &contracts, provider_id, capability, today) {
        Access::Allowed => Ok(()),
        Access::Forbidden => Err(AppError::Forbidden),
        Access::Hidden => Err(AppError::NotFound),
    }
}

/// Succeeds when `user` holds a current commissioner's membership of `commissioner_id`: a
/// commissioner's own pages (its providers side by side) are its members' alone. Anyone else gets
/// 404, as for a provider they may not see: whether the organisation exists is itself private.
pub async fn authorize_commissioner(
    state: &AppState,
    user: &CurrentUser,
    commissioner_id: i32,
) -> Result<(), AppError> {
    let today = state.today();
    let (held, _) = access_facts(state, user).await?;
    let member = held.iter().any(|m| {
        m.role == super::model::Role::Commissioner
            && m.organisation_id == commissioner_id
            && m.expires_on.is_none_or(|last_day| today <= last_day)
    });
    if member {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether `user` may do `capability` with `provider_id` today: the answer [`authorize`] acts on,
/// for a link or a form whose route decides by the record (a file holding patient data).
pub async fn allows(
    state: &AppState,
    user: &CurrentUser,
    provider_id: ProviderId,
    capability: Capability,
) -> Result<bool, AppError> {
    let (held, contracts) = access_facts(state, user).await?;
    Ok(decide(&held, &contracts, provider_id, capability, state.today()) == Access::Allowed)
}

/// What the signed-in user may do with one provider: the `can` map of the templates, one answer
/// per capability, so a page links only to the routes whose handlers authorise the same capability.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Permissions {
    pub read: bool,
    pub read_assessment: bool,
    /// Named staff records (`Capability::ReadStaff`): the table of people, a person's page,
    /// supervision, and names in the history.
    pub read_staff: bool,
    pub manage: bool,
    pub assess: bool,
    pub sign_off: bool,
    pub edit_own_records: bool,
    /// Documents before they are approved or shared (`Capability::ReadUnpublished`).
    pub read_unpublished: bool,
    /// Record and confirm customer reviews (`Capability::ReviewService`).
    pub review_service: bool,
}

impl Permissions {
    /// The answer for one capability, for a decision a route makes by the record (a file holding
    /// patient data), so the page and the handler ask the same question of the same answers.
    pub fn allows(&self, capability: Capability) -> bool {
        match capability {
            Capability::Read => self.read,
            Capability::ReadAssessment => self.read_assessment,
            Capability::ReadStaff => self.read_staff,
            Capability::Manage => self.manage,
            Capability::Assess => self.assess,
            Capability::SignOff => self.sign_off,
            Capability::EditOwnRecords => self.edit_own_records,
            Capability::ReadUnpublished => self.read_unpublished,
            Capability::ReviewService => self.review_service,
        }
    }
}

/// The user's permissions on `provider_id` today. Check access with [`authorize`] first.
pub async fn permissions(
    state: &AppState,
    user: &CurrentUser,
    provider_id: ProviderId,
) -> Result<Permissions, AppError> {
    let today = state.today();
    let (held, contracts) = access_facts(state, user).await?;
    let allows = |capability| decide(&held, &contracts, provider_id, capability, today) == Access::Allowed;
    Ok(Permissions {
        read: allows(Capability::Read),
        read_assessment: allows(Capability::ReadAssessment),
        read_staff: allows(Capability::ReadStaff),
        manage: allows(Capability::Manage),
        assess: allows(Capability::Assess),
        sign_off: allows(Capability::SignOff),
        edit_own_records: allows(Capability::EditOwnRecords),
        read_unpublished: allows(Capability::ReadUnpublished),
        review_service: allows(Capability::ReviewService),
    })
}

/// The context every provider page starts from: the provider, its id, and what the user may do
/// there (`can.manage`, `can.assess`, ...), so templates show only the forms the user can use.
pub async fn provider_context(
    state: &AppState,
    user: &CurrentUser,
    provider_id: ProviderId,
) -> Result<tera::Context, AppError> {
    Ok(provider_page(state, user, provider_id).await?.0)
}

/// [`provider_context`] with the permissions it holds, for a handler that also decides by them
/// (what a commissioner sees, which downloads to link), without judging access a second time.
pub async fn provider_page(
    state: &AppState,
    user: &CurrentUser,
    provider_id: ProviderId,
) -> Result<(tera::Context, Permissions), AppError> {
    let can = permissions(state, user, provider_id).await?;
    let provider = with_conn(state, move |conn| Ok(super::store::provider(conn, provider_id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut context = tera::Context::new();
    context.insert("provider", &provider);
    context.insert("provider_id", &provider_id);
    context.insert("can", &can);
    Ok((context, can))
}
