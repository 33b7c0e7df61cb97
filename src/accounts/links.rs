//! Single-use links sent by email: an invitation to set a first password (72 hours) and a password
//! reset (1 hour). The link carries a random token; only its SHA-256 is stored (`account_links`),
//! so a copy of the database opens no account. Issuing a link ends the person's earlier unused
//! ones of the same purpose, and setting a password through one ends every other: only the newest
//! link works. Each link's message is queued in the outbox in the transaction that made it.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use super::model::{Grant, OrganisationKind, Role, UserInput};
use super::secrets;
use crate::db::schema::{account_links, memberships, organisations, reset_requests, sessions, users};
use crate::db::{self, DbConnection, ProviderId, StoreError, StoreResult, UserId};
use crate::form::FieldErrors;
use crate::history::store::{json, record_action, record_created, Diff};
use crate::outbox::{self, Letter, MessageKind, Recipient};

crate::vocabulary! {
    /// What a single-use link is for: setting a first password after an invitation, or a new one
    /// after a forgotten one.
    pub enum LinkPurpose {
        Invitation => ("invitation", "Invitation"),
        PasswordReset => ("password_reset", "Password reset"),
    }
    name = "link purpose", stored_in = [account_links.purpose];
}

impl LinkPurpose {
    /// How long a link lasts: an invitation waits three days for someone to read their email; a
    /// reset is asked for by someone at the keyboard, so an hour is plenty and limits a leak.
    pub fn lasts(self) -> Duration {
        match self {
            LinkPurpose::Invitation => Duration::hours(72),
            LinkPurpose::PasswordReset => Duration::hours(1),
        }
    }

    /// The page a link of this purpose opens.
    pub fn path(self, token: &str) -> String {
        match self {
            LinkPurpose::Invitation => format!("/invitation/{token}"),
            LinkPurpose::PasswordReset => format!("/reset-password/{token}"),
        }
    }
}

/// The password hash of an account whose person was invited and has not yet set a password: not
/// an argon2 hash, so no password ever matches it (`secrets::verify_password`).
pub const INVITED_PASSWORD_HASH: &str = "!invited: no password set yet";

/// Reset requests one address may make within [`RESET_WINDOW_MINUTES`]; the next is answered 429.
pub const RESET_REQUESTS_PER_ADDRESS: i64 = 5;
/// The window the per-address limit counts in.
pub const RESET_WINDOW_MINUTES: i64 = 15;
/// At most one reset email per account in this many minutes, so a stranger cannot flood a
/// person's inbox; further requests are answered the same way and send nothing.
pub const RESET_EMAIL_EVERY_MINUTES: i64 = 5;

/// Where a link stands, as its page explains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// It may set a password, until `expires_at`.
    Usable { link_id: i32, user_id: UserId, name: String, email: String, expires_at: NaiveDateTime },
    /// It set a password at `at`.
    Used { at: NaiveDateTime },
    /// A newer link of the same purpose was sent at `at`.
    Replaced { at: NaiveDateTime },
    /// It lapsed at `at`.
    Expired { at: NaiveDateTime },
    /// No link of this purpose has this token.
    Unknown,
}

/// What the token `token` of `purpose` opens at `now`. A token of the other purpose is unknown
/// here: an invitation does not open the reset page.
pub fn look_up(
    conn: &mut DbConnection,
    token: &str,
    purpose: LinkPurpose,
    now: NaiveDateTime,
) -> QueryResult<LinkState> {
    let found: Option<(i32, i32, NaiveDateTime, Option<NaiveDateTime>)> = account_links::table
        .filter(account_links::token_sha256.eq(secrets::token_sha256(token)))
        .filter(account_links::purpose.eq(purpose))
        .select((account_links::id, account_links::user_id, account_links::expires_at, account_links::used_at))
        .first(conn)
        .optional()?;
    let Some((link_id, user_id, expires_at, used_at)) = found else { return Ok(LinkState::Unknown) };
    if let Some(at) = used_at {
        return Ok(LinkState::Used { at });
    }
    let newer: Option<NaiveDateTime> = account_links::table
        .filter(account_links::user_id.eq(user_id))
        .filter(account_links::purpose.eq(purpose))
        .filter(account_links::id.gt(link_id))
        .select(diesel::dsl::min(account_links::created_at))
        .first(conn)?;
    if let Some(at) = newer {
        return Ok(LinkState::Replaced { at });
    }
    if expires_at <= now {
        return Ok(LinkState::Expired { at: expires_at });
    }
    let (name, email): (String, String) = users::table.find(user_id).select((users::name, users::email)).first(conn)?;
    Ok(LinkState::Usable { link_id, user_id: UserId(user_id), name, email, expires_at })
}

/// A link just issued: its id, the token to send (never stored), and when it lapses.
struct Issued {
    id: i32,
    token: String,
    expires_at: NaiveDateTime,
}

/// Issues a link of `purpose` for `user_id` with the token whose hash is `stored`, ending the
/// user's earlier unused links of that purpose, with its history row (never the token). Call
/// inside a transaction.
fn issue(
    conn: &mut DbConnection,
    by: Option<UserId>,
    organisation_id: Option<i32>,
    user_id: UserId,
    purpose: LinkPurpose,
    (token, stored): (String, String),
    now: NaiveDateTime,
) -> QueryResult<Issued> {
    end_unused(conn, user_id, Some(purpose), now)?;
    let expires_at = now + purpose.lasts();
    diesel::insert_into(account_links::table)
        .values((
            account_links::user_id.eq(user_id),
            account_links::purpose.eq(purpose),
            account_links::token_sha256.eq(&stored),
            account_links::created_at.eq(now),
            account_links::created_by.eq(by),
            account_links::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    let id = db::last_insert_id(conn)?;
    record_created(
        conn,
        by,
        organisation_id,
        "account_link",
        id,
        vec![("user_id", json(user_id)), ("purpose", json(purpose.as_str())), ("expires_at", json(expires_at))],
    )?;
    Ok(Issued { id, token, expires_at })
}

/// Ends the user's unused links (of one purpose, or all), so that only a newer one, or none, works:
/// they lapse now. Call inside a transaction.
pub fn end_unused(
    conn: &mut DbConnection,
    user_id: UserId,
    purpose: Option<LinkPurpose>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut query = diesel::update(account_links::table)
        .filter(account_links::user_id.eq(user_id))
        .filter(account_links::used_at.is_null())
        .filter(account_links::expires_at.gt(now))
        .into_boxed();
    if let Some(purpose) = purpose {
        query = query.filter(account_links::purpose.eq(purpose));
    }
    query.set(account_links::expires_at.eq(now)).execute(conn)
}

/// A person to invite: who, whether they administer the system, and the role to give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub grant: Option<Grant>,
}

/// What an invitation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invited {
    /// A link was sent: to a new account (`new_account`), or again to one whose person has not
    /// yet set a password.
    Sent { user_id: UserId, link_id: i32, expires_at: NaiveDateTime, new_account: bool },
    /// The email already had an account with a password: the role was added, and no link sent
    /// (they sign in as before).
    RoleAdded { user_id: UserId, name: String },
}

/// Invites a person by email, in one transaction with its history and its message:
/// - a new email: an account with no usable password, the role, and an invitation;
/// - an account whose person never set a password: the role if not yet held, and a new invitation
///   (the earlier link ends): this is how an expired invitation is sent again;
/// - an account with a password: the role is added and no link is sent; refused when the person
///   already has a role in that organisation, or when no role is asked for (nothing to do).
///
/// `inviter` names who invites in the message ("Priya Raman has invited you").
pub fn invite(
    conn: &mut DbConnection,
    by: Option<UserId>,
    inviter: &str,
    invitation: &NewInvitation,
    now: NaiveDateTime,
) -> StoreResult<Invited> {
    let secret = secrets::generate_token();
    db::write_transaction(conn, |conn| {
        let organisation_id = invitation.grant.map(|g| g.organisation_id);
        let organisation: Option<(String, OrganisationKind)> = match organisation_id {
            Some(id) => organisations::table
                .find(id)
                .select((organisations::name, organisations::kind))
                .first(conn)
                .optional()?,
            None => None,
        };
        let existing: Option<(i32, String, String)> = users::table
            .filter(users::email.eq(&invitation.email))
            .select((users::id, users::name, users::password_hash))
            .first(conn)
            .optional()?;
        let held = |conn: &mut DbConnection, user_id: i32| -> QueryResult<bool> {
            let Some(organisation_id) = organisation_id else { return Ok(false) };
            diesel::select(diesel::dsl::exists(
                memberships::table
                    .filter(memberships::user_id.eq(user_id))
                    .filter(memberships::organisation_id.eq(organisation_id)),
            ))
            .get_result(conn)
        };
        let (user_id, name, new_account) = match existing {
            None => {
                let id = super::store::insert_user(
                    conn,
                    by,
                    &invitation.email,
                    &invitation.name,
                    invitation.is_admin,
                    INVITED_PASSWORD_HASH,
                    organisation_id,
                )?;
                if let Some(grant) = invitation.grant {
                    super::store::add_membership(conn, by, id, grant)?;
                }
                (id, invitation.name.clone(), true)
            }
            Some((id, name, hash)) if hash == INVITED_PASSWORD_HASH => {
                if let Some(grant) = invitation.grant {
                    if !held(conn, id)? {
                        super::store::add_membership(conn, by, UserId(id), grant)?;
                    }
                }
                (UserId(id), name, false)
            }
            Some((id, name, _)) => {
                let Some(grant) = invitation.grant else {
                    return Err(StoreError::invalid("email", "A user with this email address already exists"));
                };
                if held(conn, id)? {
                    let place = organisation.as_ref().map_or("this organisation", |(n, _)| n.as_str());
                    return Err(StoreError::invalid(
                        "email",
                        format!("{name} already has a role in {place}: nothing was changed"),
                    ));
                }
                super::store::add_membership(conn, by, UserId(id), grant)?;
                return Ok(Invited::RoleAdded { user_id: UserId(id), name });
            }
        };
        let link = issue(conn, by, organisation_id, user_id, LinkPurpose::Invitation, secret.clone(), now)?;
        let mut context = tera::Context::new();
        context.insert("invited_by", inviter);
        context.insert("organisation", &organisation.as_ref().map(|(n, _)| n));
        context.insert("link_path", &LinkPurpose::Invitation.path(&link.token));
        context.insert("expires_at", &link.expires_at);
        let provider = match (&organisation, organisation_id) {
            (Some((_, OrganisationKind::Provider)), Some(id)) => Some(ProviderId(id)),
            _ => None,
        };
        let letter = Letter {
            kind: MessageKind::Invitation,
            key: format!("invitation:user-{user_id}:{}", link.id),
            to: Recipient { email: invitation.email.clone(), name, user: Some(user_id) },
            provider,
            subject: "You are invited to use ohgov".into(),
            template: "invitation",
            context,
        };
        outbox::queue(conn, &letter, now)?;
        Ok(Invited::Sent { user_id, link_id: link.id, expires_at: link.expires_at, new_account })
    })
}

/// What a reset request was answered with. Whether the email has an account is not among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetAnswer {
    /// "If ohgov has an account for that address, we have sent it a link."
    Answered,
    /// Too many requests from this address: try again at `retry_at`.
    TooMany { retry_at: NaiveDateTime },
}

/// Asks for a reset link for `email` from `address` at `now`. The answer is the same whether or not
/// the email has an account, and the token is made and hashed either way. Counts the request
/// against the address; sends a link only to an account that was sent none in the last
/// [`RESET_EMAIL_EVERY_MINUTES`]. The email is checked for its form by [`ForgotInput::parse`].
pub fn request_reset(
    conn: &mut DbConnection,
    email: &str,
    address: &str,
    now: NaiveDateTime,
) -> StoreResult<ResetAnswer> {
    let secret = secrets::generate_token();
    let email = email.trim().to_lowercase();
    db::write_transaction(conn, |conn| {
        let window_start = now - Duration::minutes(RESET_WINDOW_MINUTES);
        let recent: Vec<NaiveDateTime> = reset_requests::table
            .filter(reset_requests::address.eq(address))
            .filter(reset_requests::requested_at.gt(window_start))
            .select(reset_requests::requested_at)
            .order(reset_requests::requested_at.desc())
            .limit(RESET_REQUESTS_PER_ADDRESS)
            .load(conn)?;
        if recent.len() as i64 >= RESET_REQUESTS_PER_ADDRESS {
            // The oldest of the last five leaves the window first.
            let oldest = recent.last().copied().unwrap_or(now);
            return Ok(ResetAnswer::TooMany { retry_at: oldest + Duration::minutes(RESET_WINDOW_MINUTES) });
        }
        // Older rows count for nothing: cleared as new ones come.
        diesel::delete(reset_requests::table.filter(reset_requests::requested_at.le(window_start))).execute(conn)?;
        diesel::insert_into(reset_requests::table)
            .values((reset_requests::address.eq(address), reset_requests::requested_at.eq(now)))
            .execute(conn)?;
        let user: Option<(i32, String)> =
            users::table.filter(users::email.eq(&email)).select((users::id, users::name)).first(conn).optional()?;
        let Some((user_id, name)) = user else { return Ok(ResetAnswer::Answered) };
        let user_id = UserId(user_id);
        let lately: bool = diesel::select(diesel::dsl::exists(
            account_links::table
                .filter(account_links::user_id.eq(user_id))
                .filter(account_links::purpose.eq(LinkPurpose::PasswordReset))
                .filter(account_links::created_at.gt(now - Duration::minutes(RESET_EMAIL_EVERY_MINUTES))),
        ))
        .get_result(conn)?;
        if lately {
            return Ok(ResetAnswer::Answered);
        }
        // The history row of the link is the trail's "reset requested for this account".
        let link = issue(conn, None, None, user_id, LinkPurpose::PasswordReset, secret, now)?;
        let mut context = tera::Context::new();
        context.insert("link_path", &LinkPurpose::PasswordReset.path(&link.token));
        context.insert("expires_at", &link.expires_at);
        let letter = Letter {
            kind: MessageKind::PasswordReset,
            key: format!("password_reset:user-{user_id}:{}", link.id),
            to: Recipient { email: email.clone(), name, user: Some(user_id) },
            provider: None,
            subject: "Set a new ohgov password".into(),
            template: "password_reset",
            context,
        };
        outbox::queue(conn, &letter, now)?;
        Ok(ResetAnswer::Answered)
    })
}

/// Sets the password of the account a usable link `token` of `purpose` opens, in one transaction:
/// the password (the house's rules, `store::check_new_password`), the link marked used, the
/// person's other unused links ended, every session ended (the epoch raised), failed sign-ins and
/// any lock cleared, the history rows, and for a reset the `password_changed` notice. A link that
/// is no longer usable is a conflict (its page explains it before the form is shown).
pub fn redeem(
    conn: &mut DbConnection,
    token: &str,
    purpose: LinkPurpose,
    new_password: &str,
    now: NaiveDateTime,
) -> StoreResult<UserId> {
    let LinkState::Usable { link_id, user_id, name, email, .. } = look_up(conn, token, purpose, now)? else {
        return Err(StoreError::Conflict("This link can no longer be used".into()));
    };
    super::store::check_new_password(conn, user_id, new_password)?;
    let hash = secrets::hash_password(new_password)
        .map_err(|e| StoreError::invalid("new_password", format!("The password could not be stored: {e}")))?;
    db::write_transaction(conn, |conn| {
        // Marked used only if still unused and in time: two submissions racing set one password.
        let marked = diesel::update(
            account_links::table
                .find(link_id)
                .filter(account_links::used_at.is_null())
                .filter(account_links::expires_at.gt(now)),
        )
        .set(account_links::used_at.eq(now))
        .execute(conn)?;
        if marked == 0 {
            return Err(StoreError::Conflict("This link can no longer be used".into()));
        }
        end_unused(conn, user_id, None, now)?;
        let (epoch, locked_until): (i32, Option<NaiveDateTime>) =
            users::table.find(user_id).select((users::session_epoch, users::locked_until)).first(conn)?;
        diesel::update(users::table.find(user_id))
            .set((
                users::password_hash.eq(&hash),
                users::session_epoch.eq(epoch + 1),
                users::failed_sign_ins.eq(0),
                users::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
        let mut used = Diff::default();
        used.field("used_at", None::<NaiveDateTime>, now);
        record_action(conn, Some(user_id), None, "account_link", link_id, "use", used)?;
        // Never the hashes: that the password was set through the link, and sessions ended.
        let mut changes = Diff::default();
        changes.field("session_epoch", epoch, epoch + 1);
        if locked_until.is_some() {
            changes.field("locked_until", locked_until, None::<NaiveDateTime>);
        }
        let action = match purpose {
            LinkPurpose::Invitation => "accept_invitation",
            LinkPurpose::PasswordReset => "reset_password",
        };
        record_action(conn, Some(user_id), None, "user", user_id.0, action, changes)?;
        if purpose == LinkPurpose::PasswordReset {
            super::notices::password_changed(conn, user_id, &email, &name, epoch + 1, now)?;
        }
        Ok(user_id)
    })
}

/// An invitation not yet accepted: the person, when it was sent and when its newest link lapses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outstanding {
    pub user_id: i32,
    pub name: String,
    pub email: String,
    pub invited_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub expired: bool,
    /// The person's role in the organisation asked about (the provider's page), if any.
    pub role: Option<Role>,
}

/// The invitations not yet accepted (the person has set no password), newest link each, of the
/// people holding a role in `organisation_id`, or of everyone. Two queries.
pub fn outstanding(
    conn: &mut DbConnection,
    organisation_id: Option<ProviderId>,
    now: NaiveDateTime,
) -> QueryResult<Vec<Outstanding>> {
    let mut people = users::table
        .filter(users::password_hash.eq(INVITED_PASSWORD_HASH))
        .select((users::id, users::name, users::email))
        .order((users::name, users::id))
        .into_boxed();
    let mut roles: std::collections::HashMap<i32, Role> = std::collections::HashMap::new();
    if let Some(organisation_id) = organisation_id {
        let held: Vec<(i32, Role)> = memberships::table
            .inner_join(users::table)
            .filter(memberships::organisation_id.eq(organisation_id))
            .filter(users::password_hash.eq(INVITED_PASSWORD_HASH))
            .select((memberships::user_id, memberships::role))
            .load(conn)?;
        roles = held.into_iter().collect();
        people = people.filter(users::id.eq_any(roles.keys().copied().collect::<Vec<_>>()));
    }
    let people: Vec<(i32, String, String)> = people.load(conn)?;
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = people.iter().map(|(id, _, _)| *id).collect();
    let links: Vec<(i32, NaiveDateTime, NaiveDateTime)> = account_links::table
        .filter(account_links::user_id.eq_any(&ids))
        .filter(account_links::purpose.eq(LinkPurpose::Invitation))
        .select((account_links::user_id, account_links::created_at, account_links::expires_at))
        .order(account_links::id)
        .load(conn)?;
    // The newest link of each person is the last of theirs in id order.
    let newest: std::collections::HashMap<i32, (NaiveDateTime, NaiveDateTime)> =
        links.into_iter().map(|(user, created, expires)| (user, (created, expires))).collect();
    Ok(people
        .into_iter()
        .filter_map(|(user_id, name, email)| {
            let (invited_at, expires_at) = *newest.get(&user_id)?;
            Some(Outstanding {
                user_id,
                name,
                email,
                invited_at,
                expires_at,
                expired: expires_at <= now,
                role: roles.get(&user_id).copied(),
            })
        })
        .collect())
}

/// The roles a provider's managers may invite people into. Not clinical director: that person
/// signs off the provider's audit plans and quality reports, so an administrator, who checks the
/// appointment, grants it, and a manager cannot choose who signs off their own work. Not
/// commissioner (held in a commissioning organisation) nor assessor (external, time-limited, and
/// granted with the accreditation body's say).
pub const MANAGER_MAY_INVITE: [Role; 3] = [Role::Manager, Role::Clinician, Role::Viewer];

/// "Forgot your password": the email as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ForgotInput {
    pub email: String,
}

impl ForgotInput {
    /// The email, lower-cased, if it has an email's form. A malformed one is refused at its field
    /// before anything is counted or looked up: the refusal says nothing about any account.
    pub fn parse(&self) -> Result<String, FieldErrors> {
        let email = self.email.trim().to_lowercase();
        if validator::ValidateEmail::validate_email(&email) {
            Ok(email)
        } else {
            Err(FieldErrors::one("email", "Enter an email address in the correct format, like name@example.nhs.uk"))
        }
    }
}

/// A new password typed twice, on a link's page. The store checks the password itself.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SetPasswordInput {
    pub new_password: String,
    pub confirm_password: String,
}

impl SetPasswordInput {
    pub fn check(&self) -> Result<(), FieldErrors> {
        if self.new_password != self.confirm_password {
            return Err(FieldErrors::one("confirm_password", "The passwords do not match"));
        }
        Ok(())
    }
}

/// A manager's invitation as typed.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct InviteInput {
    pub name: String,
    pub email: String,
    pub role: String,
}

impl InviteInput {
    /// The person and their role in `provider`. Their email and name are checked as a new user's
    /// are (`UserInput::parse`, with a generated password standing in for the one they will set,
    /// never stored); the role must be one a manager may give.
    pub fn parse(&self, provider: ProviderId) -> Result<NewInvitation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let role = Role::parse(self.role.trim()).filter(|r| MANAGER_MAY_INVITE.contains(r));
        if role.is_none() {
            errors.add("role", "Choose manager, clinician or viewer");
        }
        let person = UserInput {
            email: self.email.clone(),
            name: self.name.clone(),
            password: secrets::generate_password(),
            is_admin: false,
        }
        .parse();
        match (person, role) {
            (Ok(user), Some(role)) if errors.is_empty() => Ok(NewInvitation {
                email: user.email,
                name: user.name,
                is_admin: false,
                grant: Some(Grant { organisation_id: provider.0, role, expires_on: None }),
            }),
            (Ok(_), _) => Err(errors),
            (Err(found), _) => {
                errors.merge(found);
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitations_last_three_days_and_resets_an_hour() {
        assert_eq!(LinkPurpose::Invitation.lasts(), Duration::hours(72));
        assert_eq!(LinkPurpose::PasswordReset.lasts(), Duration::hours(1));
        assert_eq!(LinkPurpose::PasswordReset.path("abc"), "/reset-password/abc");
        assert_eq!(LinkPurpose::Invitation.path("abc"), "/invitation/abc");
    }

    #[test]
    fn the_invited_hash_never_verifies() {
        assert!(!secrets::verify_password("", INVITED_PASSWORD_HASH));
        assert!(!secrets::verify_password(INVITED_PASSWORD_HASH, INVITED_PASSWORD_HASH));
    }

    #[test]
    fn a_manager_may_not_invite_a_clinical_director() {
        let input = |role: &str| InviteInput {
            name: "Sam Patel".into(),
            email: "Sam@Example.nhs.uk".into(),
            role: role.into(),
        };
        for refused in ["clinical_director", "commissioner", "assessor", "admin", ""] {
            assert!(input(refused).parse(ProviderId(1)).unwrap_err().0.contains_key("role"), "{refused}");
        }
        let invited = input("clinician").parse(ProviderId(1)).unwrap();
        assert_eq!(invited.email, "sam@example.nhs.uk");
        assert_eq!(invited.grant.map(|g| g.role), Some(Role::Clinician));
        let errors = InviteInput { name: " ".into(), email: "sam@".into(), role: "viewer".into() }
            .parse(ProviderId(1))
            .unwrap_err();
        assert!(errors.0.contains_key("name") && errors.0.contains_key("email"));
    }

    #[test]
    fn a_forgotten_password_needs_an_email_of_the_right_form() {
        assert_eq!(ForgotInput { email: " Jo@Example.nhs.uk ".into() }.parse().unwrap(), "jo@example.nhs.uk");
        assert!(ForgotInput { email: "".into() }.parse().is_err());
        assert!(ForgotInput { email: "jo@".into() }.parse().is_err());
    }
}
