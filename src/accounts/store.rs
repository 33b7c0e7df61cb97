//! Saving organisations and contracts, each with its history row in the same transaction.

use chrono::Utc;
use diesel::prelude::*;

pub use super::model::Grant;
use super::model::{self, NewContract, NewOrganisation, NewUser, OrganisationKind, OrganisationType, Role};
use super::secrets;
use crate::catalogue::model::CatalogueKind;
use crate::db::schema::{
    api_tokens, catalogue_nodes, catalogues, contracts, memberships, organisations, sessions, sign_in_failures, users,
};
use crate::db::ProviderId;
use crate::db::UserId;
use crate::db::{self, DbConnection, StoreError};
use crate::form::FieldErrors;
use crate::history::store::{json, record_created};
use crate::history::{self, Change, Entry};

/// Creates an organisation; returns its id. `user_id` is who did it (None: the operator's command).
pub fn create_organisation(
    conn: &mut DbConnection,
    user_id: Option<UserId>,
    org: &NewOrganisation,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        diesel::insert_into(organisations::table)
            .values((
                organisations::kind.eq(org.kind),
                organisations::name.eq(&org.name),
                organisations::code.eq(&org.code),
                organisations::organisation_type.eq(org.organisation_type),
                organisations::sites.eq(org.sites),
                organisations::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(
            conn,
            user_id,
            Some(id),
            "organisation",
            id,
            vec![
                ("kind", json(org.kind.as_str())),
                ("name", json(&org.name)),
                ("code", json(&org.code)),
                ("organisation_type", json(org.organisation_type)),
                ("sites", json(org.sites)),
            ],
        )?;
        Ok(id)
    })
}

/// Creates a contract after checking its dates, that each side exists and is of the right kind,
/// and that every service named is a core service in the catalogue. Returns its id.
pub fn create_contract(
    conn: &mut DbConnection,
    user_id: Option<UserId>,
    contract: &NewContract,
) -> Result<i32, StoreError> {
    contract.check()?;
    db::write_transaction(conn, |conn| {
        let kinds: Vec<(i32, OrganisationKind)> = organisations::table
            .filter(organisations::id.eq_any([contract.commissioner_id, contract.provider_id.0]))
            .select((organisations::id, organisations::kind))
            .load(conn)?;
        let kind_of = |id: i32| kinds.iter().find(|(k, _)| *k == id).map(|(_, kind)| *kind);
        let mut errors = FieldErrors::default();
        if kind_of(contract.commissioner_id) != Some(OrganisationKind::Commissioner) {
            errors.add("commissioner_id", format!("Organisation {} is not a commissioner", contract.commissioner_id));
        }
        if kind_of(contract.provider_id.0) != Some(OrganisationKind::Provider) {
            errors.add("provider_id", format!("Organisation {} is not a provider", contract.provider_id));
        }
        if !contract.services.is_empty() {
            let known: Vec<String> = catalogue_nodes::table
                .inner_join(catalogues::table)
                .filter(catalogues::kind.eq(CatalogueKind::CoreServices))
                .filter(catalogue_nodes::retired.eq(false))
                .select(catalogue_nodes::reference)
                .load(conn)?;
            let unknown: Vec<&str> =
                contract.services.iter().filter(|s| !known.contains(s)).map(String::as_str).collect();
            if !unknown.is_empty() {
                errors.add("services", format!("Not core services: {}", unknown.join(", ")));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }

        diesel::insert_into(contracts::table)
            .values((
                contracts::commissioner_id.eq(contract.commissioner_id),
                contracts::provider_id.eq(contract.provider_id),
                contracts::starts_on.eq(contract.starts_on),
                contracts::ends_on.eq(contract.ends_on),
                contracts::services.eq(json(&contract.services).to_string()),
                contracts::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(
            conn,
            user_id,
            Some(contract.provider_id.0),
            "contract",
            id,
            vec![
                ("commissioner_id", json(contract.commissioner_id)),
                ("provider_id", json(contract.provider_id)),
                ("starts_on", json(contract.starts_on)),
                ("ends_on", json(contract.ends_on)),
                ("services", json(&contract.services)),
            ],
        )?;
        Ok(id)
    })
}

/// Creates a user (and a membership, if given) in one transaction; returns the user's id. The
/// password is hashed here and never stored or logged as given.
pub fn create_user(
    conn: &mut DbConnection,
    by: Option<UserId>,
    user: &NewUser,
    grant: Option<Grant>,
) -> Result<UserId, StoreError> {
    // The person's own email and name were judged with the input; their organisation's name is
    // known only here.
    if let Some(grant) = grant {
        let organisation: Option<String> =
            organisations::table.find(grant.organisation_id).select(organisations::name).first(conn).optional()?;
        if organisation.is_some_and(|name| model::is_guessable(&user.password, &[&name])) {
            return Err(StoreError::invalid("password", model::GUESSABLE_PASSWORD));
        }
    }
    // Hash before taking the write lock: argon2 is deliberately slow.
    let password_hash = secrets::hash_password(&user.password)
        .map_err(|e| StoreError::invalid("password", format!("The password could not be stored: {e}")))?;
    db::write_transaction(conn, |conn| {
        let id = insert_user(
            conn,
            by,
            &user.email,
            &user.name,
            user.is_admin,
            &password_hash,
            grant.map(|g| g.organisation_id),
        )?;
        if let Some(grant) = grant {
            add_membership(conn, by, id, grant)?;
        }
        Ok(id)
    })
}

/// Inserts a user with a stored password hash (or `links::INVITED_PASSWORD_HASH`) and its history
/// row, refusing an email already taken. Call inside a transaction; the email is already checked
/// and lower-cased.
pub(crate) fn insert_user(
    conn: &mut DbConnection,
    by: Option<UserId>,
    email: &str,
    name: &str,
    is_admin: bool,
    password_hash: &str,
    organisation_id: Option<i32>,
) -> Result<UserId, StoreError> {
    let taken: i64 = users::table.filter(users::email.eq(email)).count().get_result(conn)?;
    if taken > 0 {
        return Err(StoreError::invalid("email", "A user with this email address already exists"));
    }
    diesel::insert_into(users::table)
        .values((
            users::email.eq(email),
            users::name.eq(name),
            users::password_hash.eq(password_hash),
            users::is_admin.eq(is_admin),
            users::failed_sign_ins.eq(0),
            users::session_epoch.eq(0),
            users::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    let id = db::last_insert_id(conn)?;
    record_created(
        conn,
        by,
        organisation_id,
        "user",
        id,
        vec![("email", json(email)), ("name", json(name)), ("is_admin", json(is_admin))],
    )?;
    Ok(UserId(id))
}

/// Grants a role in an organisation of the kind the role belongs to. Call inside a transaction.
pub fn add_membership(
    conn: &mut DbConnection,
    by: Option<UserId>,
    user_id: UserId,
    grant: Grant,
) -> Result<i32, StoreError> {
    let kind: Option<OrganisationKind> =
        organisations::table.find(grant.organisation_id).select(organisations::kind).first(conn).optional()?;
    let wanted = grant.role.organisation_kind();
    match kind {
        None => {
            return Err(StoreError::invalid(
                "organisation_id",
                format!("There is no organisation {}", grant.organisation_id),
            ))
        }
        Some(kind) if kind != wanted => {
            return Err(StoreError::invalid(
                "role",
                format!("The {} role is held in a {}, not a {}", grant.role.as_str(), wanted.as_str(), kind.as_str()),
            ))
        }
        Some(_) => {}
    }
    if grant.role == Role::Assessor && grant.expires_on.is_none() {
        return Err(StoreError::invalid("expires_on", "Enter the date an assessor's access ends"));
    }
    diesel::insert_into(memberships::table)
        .values((
            memberships::user_id.eq(user_id),
            memberships::organisation_id.eq(grant.organisation_id),
            memberships::role.eq(grant.role),
            memberships::expires_on.eq(grant.expires_on),
            memberships::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    let id = db::last_insert_id(conn)?;
    record_created(
        conn,
        by,
        Some(grant.organisation_id),
        "membership",
        id,
        vec![("user_id", json(user_id)), ("role", json(grant.role.as_str())), ("expires_on", json(grant.expires_on))],
    )?;
    Ok(id)
}

/// Issues an API token for the user with this email; returns the token, which is shown once.
pub fn create_token(conn: &mut DbConnection, by: Option<UserId>, email: &str) -> Result<String, StoreError> {
    let email = email.trim().to_lowercase();
    db::write_transaction(conn, |conn| {
        let (user_id, name): (i32, String) = users::table
            .filter(users::email.eq(&email))
            .select((users::id, users::name))
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::invalid("user", format!("There is no user with the email address {email}")))?;
        let (token, stored) = secrets::generate_token();
        let now = Utc::now().naive_utc();
        diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::user_id.eq(user_id),
                api_tokens::token_sha256.eq(&stored),
                api_tokens::created_at.eq(now),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(conn, by, None, "api_token", id, vec![("user_id", json(user_id))])?;
        // The owner hears of every new token, so one made without them is noticed.
        super::notices::api_token_created(conn, UserId(user_id), &email, &name, id, now)?;
        Ok(token)
    })
}

/// Revokes a token given in full; returns its id. A token already revoked, or unknown, is an error.
pub fn revoke_token(conn: &mut DbConnection, by: Option<UserId>, token: &str) -> Result<i32, StoreError> {
    let stored = secrets::token_sha256(token);
    db::write_transaction(conn, |conn| {
        let found: Option<(i32, Option<chrono::NaiveDateTime>)> = api_tokens::table
            .filter(api_tokens::token_sha256.eq(&stored))
            .select((api_tokens::id, api_tokens::revoked_at))
            .first(conn)
            .optional()?;
        let id = match found {
            None => return Err(StoreError::invalid("token", "No such token")),
            Some((_, Some(_))) => return Err(StoreError::invalid("token", "That token is already revoked")),
            Some((id, None)) => id,
        };
        let now = Utc::now().naive_utc();
        diesel::update(api_tokens::table.find(id)).set(api_tokens::revoked_at.eq(now)).execute(conn)?;
        history::store::record(
            conn,
            &Entry {
                user_id: by,
                organisation_id: None,
                entity: "api_token".into(),
                entity_id: id.to_string(),
                action: "revoke".into(),
                changes: vec![Change { field: "revoked_at".into(), before: serde_json::Value::Null, after: json(now) }],
            },
        )?;
        Ok(id)
    })
}

/// The user a live (unrevoked) token belongs to.
pub fn token_user(conn: &mut DbConnection, token: &str) -> QueryResult<Option<UserId>> {
    api_tokens::table
        .filter(api_tokens::token_sha256.eq(secrets::token_sha256(token)))
        .filter(api_tokens::revoked_at.is_null())
        .select(api_tokens::user_id)
        .first(conn)
        .optional()
}

/// Who signed in: what their session must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user_id: UserId,
    pub name: String,
    pub session_epoch: i32,
}

/// Checks an email and password from `address` at `now`, applying the account lock and the
/// per-address throttle, and updates the counters.
pub fn sign_in(
    conn: &mut DbConnection,
    email: &str,
    password: &str,
    address: &str,
    now: chrono::NaiveDateTime,
) -> Result<Result<SignedIn, model::SignInRefusal>, StoreError> {
    use model::SignInRefusal;
    let email = email.trim().to_lowercase();
    let window_start = now - chrono::Duration::minutes(model::LOCK_MINUTES);
    let recent: i64 = sign_in_failures::table
        .filter(sign_in_failures::address.eq(address))
        .filter(sign_in_failures::failed_at.gt(window_start))
        .count()
        .get_result(conn)?;
    if recent >= model::ADDRESS_FAILURE_LIMIT {
        return Ok(Err(SignInRefusal::AddressThrottled));
    }
    let user: Option<(i32, String, String, i32, Option<chrono::NaiveDateTime>, i32)> = users::table
        .filter(users::email.eq(&email))
        .select((
            users::id,
            users::name,
            users::password_hash,
            users::failed_sign_ins,
            users::locked_until,
            users::session_epoch,
        ))
        .first(conn)
        .optional()?;
    let locked = user.as_ref().is_some_and(|(_, _, _, _, locked_until, _)| model::is_locked(*locked_until, now));
    // Every answer pays the same argon2 work: an unknown email and a locked account are checked
    // against a dummy hash, so neither timing nor wording tells which emails exist.
    let matched = match &user {
        Some((_, _, hash, _, _, _)) if !locked => secrets::verify_password(password, hash),
        _ => {
            let _ = secrets::verify_password(password, dummy_hash());
            false
        }
    };
    db::write_transaction(conn, |conn| match (&user, matched) {
        (Some((id, name, _, _, locked_until, epoch)), true) => {
            diesel::update(users::table.find(*id))
                .set((users::failed_sign_ins.eq(0), users::locked_until.eq(None::<chrono::NaiveDateTime>)))
                .execute(conn)?;
            if let Some(until) = locked_until {
                let mut changes = history::store::Diff::default();
                changes.field("locked_until", until, None::<chrono::NaiveDateTime>);
                history::store::record_action(conn, Some(UserId(*id)), None, "user", *id, "unlock", changes)?;
            }
            history::store::record_action(
                conn,
                Some(UserId(*id)),
                None,
                "user",
                *id,
                "sign_in",
                history::store::Diff::default(),
            )?;
            Ok(Ok(SignedIn { user_id: UserId(*id), name: name.clone(), session_epoch: *epoch }))
        }
        _ => {
            diesel::insert_into(sign_in_failures::table)
                .values((
                    sign_in_failures::address.eq(address),
                    sign_in_failures::email.eq(&email),
                    sign_in_failures::failed_at.eq(now),
                ))
                .execute(conn)?;
            // The trail says who failed (by user when the email is known, by the email when it is
            // not) and never what password was tried.
            history::store::record(
                conn,
                &Entry {
                    user_id: user.as_ref().map(|u| UserId(u.0)),
                    organisation_id: None,
                    entity: "user".into(),
                    entity_id: user.as_ref().map(|u| u.0.to_string()).unwrap_or_default(),
                    action: "sign_in_failed".into(),
                    changes: vec![Change { field: "email".into(), before: json(None::<String>), after: json(&email) }],
                },
            )?;
            match &user {
                Some((_, _, _, _, locked_until, _)) if locked => {
                    // The lock still blocks, and the failure is not counted again.
                    return Ok(Err(SignInRefusal::Locked { until: locked_until.unwrap_or(now) }));
                }
                Some((id, _, _, failed, _, _)) => {
                    if let Some(until) = count_failure(conn, UserId(*id), *failed, now)? {
                        return Ok(Err(SignInRefusal::Locked { until }));
                    }
                }
                None => {}
            }
            Ok(Err(SignInRefusal::BadCredentials))
        }
    })
}

/// Counts one more wrong password for the user (at sign-in or on the change-password form) and
/// locks the account at the threshold, with a history row for the lockout. Returns the lock's end
/// when this failure locked it.
fn count_failure(
    conn: &mut DbConnection,
    user_id: UserId,
    failed_before: i32,
    now: chrono::NaiveDateTime,
) -> QueryResult<Option<chrono::NaiveDateTime>> {
    let (count, lock) = model::after_failure(failed_before, now);
    diesel::update(users::table.find(user_id))
        .set((users::failed_sign_ins.eq(count), users::locked_until.eq(lock)))
        .execute(conn)?;
    if let Some(until) = lock {
        let mut changes = history::store::Diff::default();
        changes.field("locked_until", None::<chrono::NaiveDateTime>, until);
        history::store::record_action(conn, Some(user_id), None, "user", user_id.0, "lock", changes)?;
    }
    Ok(lock)
}

/// An argon2id hash of a random password, made once, verified against when the email is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password(&secrets::generate_password()).unwrap_or_default())
}

/// The user's current session epoch and name, or None if the user no longer exists.
pub fn session_user(conn: &mut DbConnection, user_id: UserId) -> QueryResult<Option<(i32, String, bool)>> {
    users::table.find(user_id).select((users::session_epoch, users::name, users::is_admin)).first(conn).optional()
}

/// Starts a server-side session for a user who just signed in; returns the random token the cookie
/// keeps (only its SHA-256 is stored).
pub fn start_session(conn: &mut DbConnection, user_id: UserId, now: chrono::NaiveDateTime) -> QueryResult<String> {
    let (token, _) = secrets::generate_token();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(secrets::token_sha256(&token)),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Whether the cookie's session `token` is a live session of `user_id` at `now`: its row exists, it
/// was used within `idle_seconds`, and it began within `lifetime_days`. A session past either limit
/// is deleted. The last-seen time is written at most once a minute (more often only when the idle
/// limit is shorter than four minutes).
pub fn session_is_live(
    conn: &mut DbConnection,
    token: &str,
    user_id: UserId,
    now: chrono::NaiveDateTime,
    idle_seconds: i64,
    lifetime_days: i64,
) -> QueryResult<bool> {
    let id = secrets::token_sha256(token);
    let row: Option<(i32, chrono::NaiveDateTime, chrono::NaiveDateTime)> = sessions::table
        .find(&id)
        .select((sessions::user_id, sessions::created_at, sessions::last_seen_at))
        .first(conn)
        .optional()?;
    let Some((owner, created_at, last_seen_at)) = row else { return Ok(false) };
    if owner != user_id.0 {
        return Ok(false);
    }
    let idle = now - last_seen_at;
    if idle > chrono::Duration::seconds(idle_seconds) || now - created_at > chrono::Duration::days(lifetime_days) {
        diesel::delete(sessions::table.find(&id)).execute(conn)?;
        return Ok(false);
    }
    if idle >= chrono::Duration::seconds((idle_seconds / 4).clamp(0, 60)) {
        diesel::update(sessions::table.find(&id)).set(sessions::last_seen_at.eq(now)).execute(conn)?;
    }
    Ok(true)
}

/// Signing out: the session's row is deleted, so a copy of its cookie opens nothing afterwards.
pub fn end_session(conn: &mut DbConnection, token: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(secrets::token_sha256(token))).execute(conn)
}

/// "Sign out everywhere": every session issued before this is refused from now on.
pub fn end_all_sessions(conn: &mut DbConnection, user_id: UserId) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let epoch: i32 = users::table.find(user_id).select(users::session_epoch).first(conn)?;
        diesel::update(users::table.find(user_id)).set(users::session_epoch.eq(epoch + 1)).execute(conn)?;
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
        history::store::record(
            conn,
            &Entry {
                user_id: Some(user_id),
                organisation_id: None,
                entity: "user".into(),
                entity_id: user_id.to_string(),
                action: "sign_out_everywhere".into(),
                changes: vec![Change { field: "session_epoch".into(), before: json(epoch), after: json(epoch + 1) }],
            },
        )?;
        Ok(())
    })
}

/// Everything the access rule needs about one user: their memberships, and the contracts of the
/// commissioners among them. Two queries.
pub fn access_facts(
    conn: &mut DbConnection,
    user_id: UserId,
) -> QueryResult<(Vec<super::access::Membership>, Vec<super::access::Contract>)> {
    let rows: Vec<(i32, Role, Option<chrono::NaiveDate>)> = memberships::table
        .filter(memberships::user_id.eq(user_id))
        .select((memberships::organisation_id, memberships::role, memberships::expires_on))
        .load(conn)?;
    let held: Vec<super::access::Membership> = rows
        .into_iter()
        .map(|(organisation_id, role, expires_on)| super::access::Membership { organisation_id, role, expires_on })
        .collect();
    let commissioners: Vec<i32> =
        held.iter().filter(|m| m.role == Role::Commissioner).map(|m| m.organisation_id).collect();
    let contracts: Vec<super::access::Contract> = if commissioners.is_empty() {
        Vec::new()
    } else {
        contracts::table
            .filter(contracts::commissioner_id.eq_any(&commissioners))
            .select((contracts::commissioner_id, contracts::provider_id, contracts::starts_on, contracts::ends_on))
            .load::<(i32, ProviderId, chrono::NaiveDate, Option<chrono::NaiveDate>)>(conn)?
            .into_iter()
            .map(|(commissioner_id, provider_id, starts_on, ends_on)| super::access::Contract {
                commissioner_id,
                provider_id,
                starts_on,
                ends_on,
            })
            .collect()
    };
    Ok((held, contracts))
}

/// A provider as lists and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Queryable)]
pub struct ProviderSummary {
    pub id: ProviderId,
    pub name: String,
    pub code: Option<String>,
    #[serde(rename = "type")]
    pub organisation_type: Option<OrganisationType>,
    #[serde(skip)]
    pub sites: Option<i32>,
}

/// The providers a user may see anything of on `today`, by name. Only the organisations the
/// user's memberships and their commissioners' contracts name can be readable, so only those are
/// judged (by the one access rule, `access::decide`) and only the readable ones are read.
pub fn readable_providers(
    conn: &mut DbConnection,
    user_id: UserId,
    today: chrono::NaiveDate,
) -> QueryResult<Vec<ProviderSummary>> {
    use super::access::{decide, Access, Capability};
    let (held, contracts) = access_facts(conn, user_id)?;
    let mut readable: Vec<ProviderId> =
        held.iter().map(|m| ProviderId(m.organisation_id)).chain(contracts.iter().map(|c| c.provider_id)).collect();
    readable.sort_unstable();
    readable.dedup();
    readable.retain(|id| decide(&held, &contracts, *id, Capability::ReadAssessment, today) == Access::Allowed);
    if readable.is_empty() {
        return Ok(Vec::new());
    }
    organisations::table
        .filter(organisations::kind.eq(OrganisationKind::Provider))
        .filter(organisations::id.eq_any(&readable))
        .select((
            organisations::id,
            organisations::name,
            organisations::code,
            organisations::organisation_type,
            organisations::sites,
        ))
        .order((organisations::name, organisations::id))
        .load(conn)
}

/// One provider, whatever the caller may see (check access first).
pub fn provider(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Option<ProviderSummary>> {
    organisations::table
        .filter(organisations::id.eq(provider_id))
        .filter(organisations::kind.eq(OrganisationKind::Provider))
        .select((
            organisations::id,
            organisations::name,
            organisations::code,
            organisations::organisation_type,
            organisations::sites,
        ))
        .first(conn)
        .optional()
}

/// The provider's own choice whether the sector-specific (NHS) standards apply (None: by default).
pub fn nhs_domain_choice(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Option<bool>> {
    Ok(organisations::table
        .find(provider_id)
        .select(organisations::nhs_domain_applies)
        .first::<Option<bool>>(conn)
        .optional()?
        .flatten())
}

/// A contract in force on `day`: begun on or before it and not ended before it (its end date is the
/// last day covered), as `NewContract::is_current_on` judges one in Rust.
#[diesel::dsl::auto_type(no_type_alias)]
fn in_force_on(day: chrono::NaiveDate) -> _ {
    contracts::starts_on.le(day).and(contracts::ends_on.is_null().or(contracts::ends_on.ge(day)))
}

/// Whether the provider has a contract on `today` with an NHS commissioner (an NHS trust or an
/// integrated care board). Two queries.
pub fn has_current_nhs_contract(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: chrono::NaiveDate,
) -> QueryResult<bool> {
    let commissioners: Vec<i32> = contracts::table
        .filter(contracts::provider_id.eq(provider_id))
        .filter(in_force_on(today))
        .select(contracts::commissioner_id)
        .load(conn)?;
    if commissioners.is_empty() {
        return Ok(false);
    }
    let nhs: i64 = organisations::table
        .filter(organisations::id.eq_any(&commissioners))
        .filter(organisations::organisation_type.eq_any([OrganisationType::NhsTrust, OrganisationType::Icb]))
        .count()
        .get_result(conn)?;
    Ok(nhs > 0)
}

/// The commissioners holding a contract with the provider on `today`, by name, each once with the
/// earliest start of its current contracts: who a customer review may be held with. One query.
pub fn current_commissioners(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: chrono::NaiveDate,
) -> QueryResult<Vec<(i32, String, chrono::NaiveDate)>> {
    let rows: Vec<(i32, String, chrono::NaiveDate)> = contracts::table
        .inner_join(organisations::table.on(organisations::id.eq(contracts::commissioner_id)))
        .filter(contracts::provider_id.eq(provider_id))
        .filter(in_force_on(today))
        .select((organisations::id, organisations::name, contracts::starts_on))
        .order((organisations::name, organisations::id, contracts::starts_on))
        .load(conn)?;
    let mut found: Vec<(i32, String, chrono::NaiveDate)> = Vec::new();
    for row in rows {
        if found.last().is_none_or(|(id, _, _)| *id != row.0) {
            found.push(row);
        }
    }
    Ok(found)
}

/// Organisations' names by id, for pages that name a stored organisation (a review's
/// commissioner). One query.
pub fn organisation_names(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((organisations::id, organisations::name))
        .load(conn)
}

/// The roles of a provider's own people (not commissioners or assessors).
const PROVIDER_PEOPLE: [Role; 4] = [Role::Manager, Role::ClinicalDirector, Role::Clinician, Role::Viewer];

/// People's names by user id, for pages that show who a stored id is (the history's owners). One
/// query.
pub fn user_names(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    users::table.filter(users::id.eq_any(ids)).select((users::id, users::name)).load(conn)
}

/// The provider's own people (not commissioners or assessors), by name: who may own a standard or
/// a document.
pub fn provider_people(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<(i32, String)>> {
    let roles = PROVIDER_PEOPLE;
    let mut people: Vec<(i32, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::organisation_id.eq(provider_id))
        .filter(memberships::role.eq_any(roles))
        .select((users::id, users::name))
        .order((users::name, users::id))
        .load(conn)?;
    people.dedup();
    Ok(people)
}

/// Whether a user is one of the provider's own people (see [`provider_people`]), asked of the
/// database rather than by listing them all.
pub fn is_provider_person(conn: &mut DbConnection, provider_id: ProviderId, user_id: i32) -> QueryResult<bool> {
    let held: i64 = memberships::table
        .filter(memberships::organisation_id.eq(provider_id))
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::role.eq_any(PROVIDER_PEOPLE))
        .count()
        .get_result(conn)?;
    Ok(held > 0)
}

/// Changes a provider's details; the history row holds each changed field before and after.
/// Returns how many fields changed (0 writes nothing).
pub fn update_provider(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    details: &NewOrganisation,
) -> Result<usize, StoreError> {
    db::write_transaction(conn, |conn| {
        let current = provider(conn, provider_id)?.ok_or(StoreError::NotFound)?;
        let mut changes = Vec::new();
        let mut compare = |field: &str, before: serde_json::Value, after: serde_json::Value| {
            if before != after {
                changes.push(Change { field: field.into(), before, after });
            }
        };
        compare("name", json(&current.name), json(&details.name));
        compare("code", json(&current.code), json(&details.code));
        compare("organisation_type", json(current.organisation_type), json(details.organisation_type));
        compare("sites", json(current.sites), json(details.sites));
        let nhs_before = nhs_domain_choice(conn, provider_id)?;
        compare("nhs_domain_applies", json(nhs_before), json(details.nhs_domain_applies));
        if changes.is_empty() {
            return Ok(0);
        }
        diesel::update(organisations::table.find(provider_id))
            .set((
                organisations::name.eq(&details.name),
                organisations::code.eq(&details.code),
                organisations::organisation_type.eq(details.organisation_type),
                organisations::sites.eq(details.sites),
                organisations::nhs_domain_applies.eq(details.nhs_domain_applies),
            ))
            .execute(conn)?;
        let count = changes.len();
        history::store::record(
            conn,
            &Entry {
                user_id: by,
                organisation_id: Some(provider_id.0),
                entity: "organisation".into(),
                entity_id: provider_id.to_string(),
                action: "update".into(),
                changes,
            },
        )?;
        Ok(count)
    })
}

/// What the administration page lists: every organisation, user and contract. Three queries.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AdminOverview {
    pub organisations: Vec<OrganisationLine>,
    pub users: Vec<UserLine>,
    pub contracts: Vec<ContractLine>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable)]
pub struct OrganisationLine {
    pub id: i32,
    pub kind: OrganisationKind,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable)]
pub struct UserLine {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub locked_until: Option<chrono::NaiveDateTime>,
}

/// A contract as the administration page lists it: the organisations by name.
#[derive(Debug, Clone, serde::Serialize, Queryable)]
pub struct ContractLine {
    pub id: i32,
    pub commissioner_id: i32,
    pub commissioner: String,
    pub provider_id: ProviderId,
    pub provider: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: Option<chrono::NaiveDate>,
}

pub fn admin_overview(conn: &mut DbConnection) -> QueryResult<AdminOverview> {
    let (commissioners, providers) = diesel::alias!(organisations as commissioners, organisations as providers);
    Ok(AdminOverview {
        organisations: organisations::table
            .select((organisations::id, organisations::kind, organisations::name, organisations::code))
            .order((organisations::kind.desc(), organisations::name))
            .load(conn)?,
        users: users::table
            .select((users::id, users::email, users::name, users::is_admin, users::locked_until))
            .order(users::name)
            .load(conn)?,
        contracts: contracts::table
            .inner_join(commissioners.on(commissioners.field(organisations::id).eq(contracts::commissioner_id)))
            .inner_join(providers.on(providers.field(organisations::id).eq(contracts::provider_id)))
            .select((
                contracts::id,
                contracts::commissioner_id,
                commissioners.field(organisations::name),
                contracts::provider_id,
                providers.field(organisations::name),
                contracts::starts_on,
                contracts::ends_on,
            ))
            .order(contracts::id)
            .load(conn)?,
    })
}

/// The user's current memberships with a label for the header switcher ("Northshire OH Service:
/// manager"). One query.
pub fn membership_labels(
    conn: &mut DbConnection,
    user_id: UserId,
    today: chrono::NaiveDate,
) -> QueryResult<Vec<(i32, String)>> {
    let rows: Vec<(i32, String, Role, Option<chrono::NaiveDate>)> = memberships::table
        .inner_join(organisations::table)
        .filter(memberships::user_id.eq(user_id))
        .select((memberships::id, organisations::name, memberships::role, memberships::expires_on))
        .order((organisations::name, memberships::role))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, expires_on)| expires_on.is_none_or(|last_day| today <= last_day))
        .map(|(id, organisation, role, _)| (id, format!("{organisation}: {}", role.as_str().replace('_', " "))))
        .collect())
}

/// Changes a user's password after checking the current one, and ends their other sessions.
/// Returns the new session epoch for the session that made the change.
pub fn change_password(
    conn: &mut DbConnection,
    user_id: UserId,
    current_password: &str,
    new_password: &str,
    now: chrono::NaiveDateTime,
    keep_session: Option<&str>,
) -> Result<i32, StoreError> {
    let (stored, failed, locked_until): (String, i32, Option<chrono::NaiveDateTime>) = users::table
        .find(user_id)
        .select((users::password_hash, users::failed_sign_ins, users::locked_until))
        .first(conn)?;
    // Wrong current passwords count towards the same lock as wrong sign-ins, and a locked account
    // is answered as a wrong password is, after the same work.
    let locked = model::is_locked(locked_until, now);
    let matched = if locked {
        let _ = secrets::verify_password(current_password, dummy_hash());
        false
    } else {
        secrets::verify_password(current_password, &stored)
    };
    if !matched {
        if !locked {
            db::write_transaction(conn, |conn| {
                history::store::record_action(
                    conn,
                    Some(user_id),
                    None,
                    "user",
                    user_id.0,
                    "change_password_failed",
                    history::store::Diff::default(),
                )?;
                count_failure(conn, user_id, failed, now)
            })?;
        }
        return Err(StoreError::invalid("current_password", "Your current password is not right"));
    }
    let (email, name) = check_new_password(conn, user_id, new_password)?;
    let hash = secrets::hash_password(new_password)
        .map_err(|e| StoreError::invalid("password", format!("The password could not be stored: {e}")))?;
    db::write_transaction(conn, |conn| {
        let epoch: i32 = users::table.find(user_id).select(users::session_epoch).first(conn)?;
        diesel::update(users::table.find(user_id))
            .set((users::password_hash.eq(&hash), users::session_epoch.eq(epoch + 1), users::failed_sign_ins.eq(0)))
            .execute(conn)?;
        // Every other session of the user ends; the one that made the change goes on.
        let kept = keep_session.map(secrets::token_sha256).unwrap_or_default();
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id)).filter(sessions::id.ne(kept)))
            .execute(conn)?;
        history::store::record(
            conn,
            &Entry {
                user_id: Some(user_id),
                organisation_id: None,
                entity: "user".into(),
                entity_id: user_id.to_string(),
                action: "change_password".into(),
                // Never the hashes: only that it changed, and that other sessions ended.
                changes: vec![Change { field: "session_epoch".into(), before: json(epoch), after: json(epoch + 1) }],
            },
        )?;
        // A reset link asked for before the change would undo it: it ends.
        super::links::end_unused(conn, user_id, None, now)?;
        super::notices::password_changed(conn, user_id, &email, &name, epoch + 1, now)?;
        Ok(epoch + 1)
    })
}

/// Whether `password` may become `user_id`'s password, by the house's rules: 12 to 200 characters
/// (length beats complexity rules, NCSC guidance), and not guessable: not common, not a repeated
/// run, not the person's email, name or any of their organisations' names. Refused at the field
/// `new_password`. Returns the person's email and name, which the check read.
pub fn check_new_password(
    conn: &mut DbConnection,
    user_id: UserId,
    password: &str,
) -> Result<(String, String), StoreError> {
    if password.chars().count() < 12 || password.chars().count() > 200 {
        return Err(StoreError::invalid("new_password", "Enter a password of at least 12 characters"));
    }
    let (email, name): (String, String) = users::table.find(user_id).select((users::email, users::name)).first(conn)?;
    let organisations: Vec<String> = memberships::table
        .inner_join(organisations::table)
        .filter(memberships::user_id.eq(user_id))
        .select(organisations::name)
        .load(conn)?;
    let mut own = model::own_words(&email, &name);
    own.extend(organisations.iter().map(String::as_str));
    if model::is_guessable(password, &own) {
        return Err(StoreError::invalid("new_password", model::GUESSABLE_PASSWORD));
    }
    Ok((email, name))
}

/// The names of many providers, by id. One query.
pub fn provider_names(
    conn: &mut DbConnection,
    providers: &[ProviderId],
) -> QueryResult<std::collections::HashMap<ProviderId, String>> {
    Ok(organisations::table
        .filter(organisations::kind.eq(OrganisationKind::Provider))
        .filter(organisations::id.eq_any(providers))
        .select((organisations::id, organisations::name))
        .load::<(ProviderId, String)>(conn)?
        .into_iter()
        .collect())
}

/// Which of many providers have someone holding a current clinical director's membership on
/// `as_of` (not expired: the expiry day still counts). One query.
pub fn clinical_director_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    as_of: chrono::NaiveDate,
) -> QueryResult<std::collections::HashSet<ProviderId>> {
    Ok(memberships::table
        .filter(memberships::organisation_id.eq_any(providers.iter().map(|p| p.0)))
        .filter(memberships::role.eq(Role::ClinicalDirector))
        .filter(memberships::expires_on.is_null().or(memberships::expires_on.ge(as_of)))
        .select(memberships::organisation_id)
        .distinct()
        .load::<i32>(conn)?
        .into_iter()
        .map(ProviderId)
        .collect())
}

/// The earliest start of a current contract (begun on or before `as_of`, not ended before it) of
/// each of many providers, with any commissioner. One query, the minimum taken in SQL.
pub fn contracted_since_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    as_of: chrono::NaiveDate,
) -> QueryResult<std::collections::HashMap<ProviderId, chrono::NaiveDate>> {
    Ok(contracts::table
        .filter(contracts::provider_id.eq_any(providers))
        .filter(in_force_on(as_of))
        .group_by(contracts::provider_id)
        .select((contracts::provider_id, diesel::dsl::min(contracts::starts_on)))
        .load::<(ProviderId, Option<chrono::NaiveDate>)>(conn)?
        .into_iter()
        .filter_map(|(provider, since)| Some((provider, since?)))
        .collect())
}

/// The providers a commissioner holds a current contract with on `as_of` (begun, not ended before
/// it), each once with the earliest start of its current contracts with this commissioner: a
/// customer review with it falls due six months after that. One query, the minimum taken in SQL.
pub fn contracted_providers(
    conn: &mut DbConnection,
    commissioner_id: i32,
    as_of: chrono::NaiveDate,
) -> QueryResult<Vec<(ProviderId, chrono::NaiveDate)>> {
    Ok(contracts::table
        .filter(contracts::commissioner_id.eq(commissioner_id))
        .filter(in_force_on(as_of))
        .group_by(contracts::provider_id)
        .select((contracts::provider_id, diesel::dsl::min(contracts::starts_on)))
        .order(contracts::provider_id)
        .load::<(ProviderId, Option<chrono::NaiveDate>)>(conn)?
        .into_iter()
        .filter_map(|(provider, since)| Some((provider, since?)))
        .collect())
}

/// Every provider any commissioner holds a current contract with on `as_of`, each once: the
/// providers whose figures the daily sweep keeps. One query.
pub fn all_contracted_providers(conn: &mut DbConnection, as_of: chrono::NaiveDate) -> QueryResult<Vec<ProviderId>> {
    contracts::table
        .filter(in_force_on(as_of))
        .select(contracts::provider_id)
        .distinct()
        .order(contracts::provider_id)
        .load(conn)
}

/// The commissioner organisations a user holds a current commissioner's membership of on `today`,
/// by name: where their comparison pages are. One query.
pub fn commissioner_organisations(
    conn: &mut DbConnection,
    user_id: UserId,
    today: chrono::NaiveDate,
) -> QueryResult<Vec<(i32, String)>> {
    memberships::table
        .inner_join(organisations::table.on(organisations::id.eq(memberships::organisation_id)))
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::role.eq(Role::Commissioner))
        .filter(memberships::expires_on.is_null().or(memberships::expires_on.ge(today)))
        .filter(organisations::kind.eq(OrganisationKind::Commissioner))
        .select((organisations::id, organisations::name))
        .order((organisations::name, organisations::id))
        .load(conn)
}

/// A commissioner organisation's name. One query.
pub fn commissioner_name(conn: &mut DbConnection, commissioner_id: i32) -> QueryResult<Option<String>> {
    organisations::table
        .filter(organisations::id.eq(commissioner_id))
        .filter(organisations::kind.eq(OrganisationKind::Commissioner))
        .select(organisations::name)
        .first(conn)
        .optional()
}
