//! People's choices of reminders (issue 17): the kinds each person turned off
//! (`reminder_opt_outs`) and, for managers, a weekly digest instead of single messages
//! (`users.reminder_digest`); and the reads the daily reminders need of accounts' tables: who holds
//! which role at which provider, and whose address is whose. Sign-off requests and account
//! messages are not choices: they always go.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use super::model::{OrganisationKind, Role};
use crate::db::schema::{memberships, organisations, reminder_opt_outs, users};
use crate::db::{self, DbConnection, ProviderId, StoreResult, UserId};
use crate::form::FieldErrors;
use crate::history::store::{record_action, Diff};
use crate::outbox::ReminderKind;

diesel::define_sql_function! {
    /// Text in lower case, so an address matches whatever its case (both backends have `lower`).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// One person's choices: every reminder is on unless turned off; the digest is off unless chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    pub turned_off: BTreeSet<ReminderKind>,
    pub digest: bool,
}

impl Choices {
    /// Whether this person wants reminders of `kind`.
    pub fn wants(&self, kind: ReminderKind) -> bool {
        !self.turned_off.contains(&kind)
    }
}

/// The choices of each of `people` (two queries); someone who chose nothing has the defaults.
pub fn choices_for(conn: &mut DbConnection, people: &[UserId]) -> QueryResult<HashMap<UserId, Choices>> {
    let mut found: HashMap<UserId, Choices> = HashMap::new();
    if people.is_empty() {
        return Ok(found);
    }
    for chunk in people.chunks(db::MAX_BOUND_VALUES / 2) {
        for (user, digest) in users::table
            .filter(users::id.eq_any(chunk))
            .filter(users::reminder_digest.eq(true))
            .select((users::id, users::reminder_digest))
            .load::<(UserId, bool)>(conn)?
        {
            found.entry(user).or_default().digest = digest;
        }
        for (user, kind) in reminder_opt_outs::table
            .filter(reminder_opt_outs::user_id.eq_any(chunk))
            .select((reminder_opt_outs::user_id, reminder_opt_outs::kind))
            .load::<(UserId, ReminderKind)>(conn)?
        {
            found.entry(user).or_default().turned_off.insert(kind);
        }
    }
    Ok(found)
}

/// One person's choices.
pub fn choices_of(conn: &mut DbConnection, user: UserId) -> QueryResult<Choices> {
    Ok(choices_for(conn, &[user])?.remove(&user).unwrap_or_default())
}

/// Whether the user is a manager of some provider on `today`: only managers may take the digest.
pub fn is_manager(conn: &mut DbConnection, user: UserId, today: NaiveDate) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        memberships::table
            .filter(memberships::user_id.eq(user))
            .filter(memberships::role.eq(Role::Manager))
            .filter(memberships::expires_on.is_null().or(memberships::expires_on.ge(today))),
    ))
    .get_result(conn)
}

/// The `/account/reminders` form as sent: the codes of the reminders left ticked, and the digest.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChoicesInput {
    #[serde(default)]
    pub reminders: Vec<String>,
    #[serde(default)]
    pub digest: String,
}

impl ChoicesInput {
    /// The choices, or the problems by field: a code outside [`ReminderKind`] is refused at
    /// `reminders`, and the digest at `digest` for someone who is not a manager.
    pub fn parse(&self, manager: bool) -> Result<Choices, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut kept = BTreeSet::new();
        for code in &self.reminders {
            if let Some(kind) = ReminderKind::read(&mut errors, "reminders", code) {
                kept.insert(kind);
            }
        }
        let digest = matches!(self.digest.trim(), "yes" | "on" | "true");
        if digest && !manager {
            errors.add("digest", "Only a provider's manager can choose the weekly digest");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let turned_off = ReminderKind::ALL.iter().copied().filter(|k| !kept.contains(k)).collect();
        Ok(Choices { turned_off, digest })
    }
}

/// Saves the user's choices in one transaction with a history row when anything changed, and
/// returns them.
pub fn save(
    conn: &mut DbConnection,
    user: UserId,
    input: &ChoicesInput,
    today: NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<Choices> {
    db::write_transaction(conn, |conn| {
        let manager = is_manager(conn, user, today)?;
        let chosen = input.parse(manager)?;
        let before = choices_of(conn, user)?;
        if before == chosen {
            return Ok(chosen);
        }
        diesel::delete(reminder_opt_outs::table.filter(reminder_opt_outs::user_id.eq(user))).execute(conn)?;
        let rows: Vec<_> = chosen
            .turned_off
            .iter()
            .map(|kind| {
                (
                    reminder_opt_outs::user_id.eq(user),
                    reminder_opt_outs::kind.eq(*kind),
                    reminder_opt_outs::chosen_at.eq(now),
                )
            })
            .collect();
        db::insert_batch(conn, reminder_opt_outs::table, &rows)?;
        diesel::update(users::table.find(user)).set(users::reminder_digest.eq(chosen.digest)).execute(conn)?;
        let codes = |c: &Choices| c.turned_off.iter().map(|k| k.as_str()).collect::<Vec<_>>();
        let mut diff = Diff::default();
        diff.field("reminders_turned_off", codes(&before), codes(&chosen));
        diff.field("reminder_digest", before.digest, chosen.digest);
        record_action(conn, Some(user), None, "user", user.0, "reminders", diff)?;
        Ok(chosen)
    })
}

/// The confirmation after a save, in the page's words: "Your reminders are saved: 2 turned off,
/// weekly digest on" (the digest said only to managers, who may choose it).
pub fn saved_words(choices: &Choices, manager: bool) -> String {
    let off = match choices.turned_off.len() {
        0 => "none turned off".to_string(),
        n => format!("{n} turned off"),
    };
    if manager {
        let digest = if choices.digest { "on" } else { "off" };
        format!("Your reminders are saved: {off}, weekly digest {digest}")
    } else {
        format!("Your reminders are saved: {off}")
    }
}

/// A person's account as a message's recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: UserId,
    pub name: String,
    pub email: String,
}

/// Someone holding a role at a provider on the day asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub provider: ProviderId,
    pub role: Role,
    pub account: Account,
}

/// Everyone holding one of `roles` at any provider on `today` (a membership not expired), by
/// provider. One query.
pub fn provider_members(conn: &mut DbConnection, roles: &[Role], today: NaiveDate) -> QueryResult<Vec<Member>> {
    let rows: Vec<(i32, Role, UserId, String, String)> = memberships::table
        .inner_join(users::table)
        .inner_join(organisations::table)
        .filter(organisations::kind.eq(OrganisationKind::Provider))
        .filter(memberships::role.eq_any(roles))
        .filter(memberships::expires_on.is_null().or(memberships::expires_on.ge(today)))
        .select((memberships::organisation_id, memberships::role, users::id, users::name, users::email))
        .order((memberships::organisation_id, users::name, users::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(provider, role, id, name, email)| Member {
            provider: ProviderId(provider),
            role,
            account: Account { id, name, email },
        })
        .collect())
}

/// Every provider's id and name.
pub fn provider_names(conn: &mut DbConnection) -> QueryResult<Vec<(ProviderId, String)>> {
    organisations::table
        .filter(organisations::kind.eq(OrganisationKind::Provider))
        .select((organisations::id, organisations::name))
        .order(organisations::id)
        .load::<(i32, String)>(conn)
        .map(|rows| rows.into_iter().map(|(id, name)| (ProviderId(id), name)).collect())
}

/// The accounts with these ids.
pub fn accounts_by_id(conn: &mut DbConnection, ids: &[UserId]) -> QueryResult<Vec<Account>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for chunk in ids.chunks(db::MAX_BOUND_VALUES) {
        found.extend(
            users::table
                .filter(users::id.eq_any(chunk))
                .select((users::id, users::name, users::email))
                .load::<(UserId, String, String)>(conn)?
                .into_iter()
                .map(|(id, name, email)| Account { id, name, email }),
        );
    }
    Ok(found)
}

/// The accounts whose addresses are among `emails`, compared without regard to case, keyed by the
/// lower-cased address: a person on the staff list is the user signed in with their address.
pub fn accounts_by_email(conn: &mut DbConnection, emails: &[String]) -> QueryResult<HashMap<String, Account>> {
    let lowered: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    let mut found = HashMap::new();
    for chunk in lowered.chunks(db::MAX_BOUND_VALUES) {
        for (id, name, email) in users::table
            .filter(lower(users::email).eq_any(chunk))
            .select((users::id, users::name, users::email))
            .load::<(UserId, String, String)>(conn)?
        {
            found.insert(email.to_lowercase(), Account { id, name, email });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(reminders: &[&str], digest: &str) -> ChoicesInput {
        ChoicesInput { reminders: reminders.iter().map(|s| s.to_string()).collect(), digest: digest.into() }
    }

    #[test]
    fn an_unticked_kind_is_turned_off_and_a_forged_one_refused_at_its_field() {
        let all: Vec<&str> = ReminderKind::CODES.iter().copied().filter(|c| *c != "cpd_short").collect();
        let chosen = input(&all, "").parse(false).unwrap();
        assert_eq!(chosen.turned_off.into_iter().collect::<Vec<_>>(), vec![ReminderKind::CpdShort]);
        let errors = input(&["sign_off_requested"], "").parse(true).unwrap_err();
        assert!(errors.get("reminders").is_some());
        let errors = input(&[], "yes").parse(false).unwrap_err();
        assert!(errors.get("digest").is_some());
        assert!(input(&[], "yes").parse(true).unwrap().digest);
    }

    #[test]
    fn the_confirmation_counts_what_was_turned_off() {
        let mut choices = Choices { digest: true, ..Default::default() };
        choices.turned_off.insert(ReminderKind::CpdShort);
        choices.turned_off.insert(ReminderKind::ActionDue);
        assert_eq!(saved_words(&choices, true), "Your reminders are saved: 2 turned off, weekly digest on");
        assert_eq!(saved_words(&Choices::default(), false), "Your reminders are saved: none turned off");
    }
}
