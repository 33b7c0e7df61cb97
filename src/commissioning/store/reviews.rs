//! Customer reviews between a provider and a commissioner: recording, confirming, listing.
//!
//! Either side records a review; someone of the other side confirms it, and only a confirmed
//! review counts towards the six-monthly review the NHS sector standard asks for. A commissioner
//! sees and confirms only the reviews held with its own organisation.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::accounts::model::{NewContract, Role};
use crate::commissioning::model::{ReviewInput, ReviewSide};
use crate::commissioning::rules::reviews::{review_due, review_overdue};
use crate::db::schema::{customer_reviews, users};
use crate::db::{self, DbConnection, ProviderId, StoreError, UserId};
use crate::history::store::{json, record_action, record_created, Diff};

/// Where a user stands towards one provider's customer reviews on one day: the provider's own
/// people see every review and record as the provider; a commissioner's people see and record
/// only with the commissioners they belong to that hold a current contract with the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub side: ReviewSide,
    /// For the commissioner's side, its organisations (with a current contract); empty for the
    /// provider's side, which is not narrowed.
    pub commissioners: Vec<i32>,
}

impl Standing {
    /// Whether this user may see a review held with `commissioner_id`.
    pub fn sees(&self, commissioner_id: i32) -> bool {
        self.side == ReviewSide::Provider || self.commissioners.contains(&commissioner_id)
    }

    /// The commissioners whose reviews the lists read: None for all.
    fn narrowed_to(&self) -> Option<&[i32]> {
        (self.side == ReviewSide::Commissioner).then_some(self.commissioners.as_slice())
    }
}

/// A user's standing towards the provider on `today`, or None when they are neither one of its
/// people nor of a commissioner holding a current contract with it. Two queries.
pub fn standing(
    conn: &mut DbConnection,
    user_id: UserId,
    provider_id: ProviderId,
    today: NaiveDate,
) -> QueryResult<Option<Standing>> {
    let (memberships, contracts) = crate::accounts::store::access_facts(conn, user_id)?;
    Ok(standing_from(&memberships, &contracts, provider_id, today))
}

/// [`standing`], from the memberships and contracts a request's access check has already read.
pub fn standing_from(
    memberships: &[crate::accounts::access::Membership],
    contracts: &[crate::accounts::access::Contract],
    provider_id: ProviderId,
    today: NaiveDate,
) -> Option<Standing> {
    let current = |expires_on: Option<NaiveDate>| expires_on.is_none_or(|last| today <= last);
    if memberships
        .iter()
        .any(|m| m.organisation_id == provider_id.0 && m.role != Role::Commissioner && current(m.expires_on))
    {
        return Some(Standing { side: ReviewSide::Provider, commissioners: Vec::new() });
    }
    let mut commissioners: Vec<i32> = memberships
        .iter()
        .filter(|m| m.role == Role::Commissioner && current(m.expires_on))
        .map(|m| m.organisation_id)
        .filter(|org| {
            contracts.iter().any(|c| {
                c.commissioner_id == *org
                    && c.provider_id == provider_id
                    && NewContract::is_current_on(c.starts_on, c.ends_on, today)
            })
        })
        .collect();
    commissioners.sort_unstable();
    commissioners.dedup();
    (!commissioners.is_empty()).then_some(Standing { side: ReviewSide::Commissioner, commissioners })
}

/// A commissioner holding a current contract with the provider, and where its reviews stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommissionerReviews {
    pub commissioner_id: i32,
    pub name: String,
    /// The earliest start of its current contract.
    pub contracted_since: NaiveDate,
    pub last_confirmed: Option<NaiveDate>,
    pub awaiting_confirmation: usize,
    pub next_due: Option<NaiveDate>,
    pub overdue: bool,
}

/// Each commissioner with a current contract (those `standing` sees), by name, with its last
/// confirmed review, how many await confirmation, and when the next is due. Two queries.
pub fn by_commissioner(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    standing: Option<&Standing>,
    today: NaiveDate,
) -> QueryResult<Vec<CommissionerReviews>> {
    let mut current = crate::accounts::store::current_commissioners(conn, provider_id, today)?;
    if let Some(standing) = standing {
        current.retain(|(id, _, _)| standing.sees(*id));
    }
    if current.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = current.iter().map(|(id, _, _)| *id).collect();
    let reviews: Vec<(i32, NaiveDate, Option<NaiveDateTime>)> = customer_reviews::table
        .filter(customer_reviews::provider_id.eq(provider_id))
        .filter(customer_reviews::commissioner_id.eq_any(&ids))
        .select((customer_reviews::commissioner_id, customer_reviews::held_on, customer_reviews::confirmed_at))
        .load(conn)?;
    Ok(current
        .into_iter()
        .map(|(commissioner_id, name, contracted_since)| {
            let theirs = reviews.iter().filter(|(c, _, _)| *c == commissioner_id);
            let last_confirmed =
                theirs.clone().filter(|(_, _, confirmed)| confirmed.is_some()).map(|(_, held, _)| *held).max();
            let awaiting_confirmation = theirs.filter(|(_, _, confirmed)| confirmed.is_none()).count();
            CommissionerReviews {
                commissioner_id,
                name,
                contracted_since,
                last_confirmed,
                awaiting_confirmation,
                next_due: review_due(last_confirmed, Some(contracted_since)),
                overdue: review_overdue(last_confirmed, Some(contracted_since), today),
            }
        })
        .collect())
}

/// Records a review held with one of the provider's commissioners, on the side the recorder
/// stands. A commissioner's people record with their own organisation; the provider's people
/// choose among the commissioners holding a current contract. Returns the review's id.
pub fn record(
    conn: &mut DbConnection,
    by: UserId,
    provider_id: ProviderId,
    standing: &Standing,
    input: &ReviewInput,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<i32, StoreError> {
    let review = input.parse(today)?;
    db::write_transaction(conn, |conn| {
        let allowed: Vec<i32> = match standing.side {
            ReviewSide::Commissioner => standing.commissioners.clone(),
            ReviewSide::Provider => crate::accounts::store::current_commissioners(conn, provider_id, today)?
                .into_iter()
                .map(|(id, _, _)| id)
                .collect(),
        };
        let commissioner_id = match review.commissioner_id {
            Some(id) if allowed.contains(&id) => id,
            None if allowed.len() == 1 => allowed[0],
            _ => {
                return Err(StoreError::invalid(
                    "commissioner_id",
                    "Choose a commissioner that holds a current contract with the service",
                ))
            }
        };
        let now = crate::history::rules::to_stored_precision(now);
        diesel::insert_into(customer_reviews::table)
            .values((
                customer_reviews::provider_id.eq(provider_id),
                customer_reviews::commissioner_id.eq(commissioner_id),
                customer_reviews::held_on.eq(review.held_on),
                customer_reviews::attendees.eq(&review.attendees),
                customer_reviews::topics.eq(&review.topics),
                customer_reviews::outcomes.eq(&review.outcomes),
                customer_reviews::agreed_actions.eq(&review.agreed_actions),
                customer_reviews::recorded_side.eq(standing.side),
                customer_reviews::recorded_by.eq(Some(by)),
                customer_reviews::recorded_at.eq(now),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(
            conn,
            Some(by),
            Some(provider_id.0),
            "customer_review",
            id,
            vec![
                ("commissioner_id", json(commissioner_id)),
                ("held_on", json(review.held_on)),
                ("attendees", json(&review.attendees)),
                ("topics", json(&review.topics)),
                ("outcomes", json(&review.outcomes)),
                ("agreed_actions", json(&review.agreed_actions)),
                ("recorded_side", json(standing.side.as_str())),
            ],
        )?;
        Ok(id)
    })
}

/// Confirms a review the other side recorded. Someone of the same side cannot (409, with the
/// reason), nor can a review be confirmed twice; a review with another commissioner is not found.
pub fn confirm(
    conn: &mut DbConnection,
    by: UserId,
    provider_id: ProviderId,
    standing: &Standing,
    review_id: i32,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let found: Option<(i32, ReviewSide, Option<NaiveDateTime>)> = customer_reviews::table
            .filter(customer_reviews::id.eq(review_id))
            .filter(customer_reviews::provider_id.eq(provider_id))
            .select((
                customer_reviews::commissioner_id,
                customer_reviews::recorded_side,
                customer_reviews::confirmed_at,
            ))
            .first(conn)
            .optional()?;
        let Some((commissioner_id, recorded_side, confirmed_at)) = found else {
            return Err(StoreError::NotFound);
        };
        if !standing.sees(commissioner_id) {
            return Err(StoreError::NotFound);
        }
        if confirmed_at.is_some() {
            return Err(StoreError::Conflict("This review has already been confirmed.".into()));
        }
        if recorded_side == standing.side {
            return Err(StoreError::Conflict(format!(
                "{} recorded this review, so someone of the other side confirms it.",
                recorded_side.label()
            )));
        }
        let now = crate::history::rules::to_stored_precision(now);
        diesel::update(customer_reviews::table.find(review_id))
            .set((customer_reviews::confirmed_by.eq(Some(by)), customer_reviews::confirmed_at.eq(Some(now))))
            .execute(conn)?;
        let mut changes = Diff::default();
        changes.field("confirmed_by", Option::<i32>::None, by.0);
        changes.field("confirmed_at", Option::<NaiveDateTime>::None, now);
        record_action(conn, Some(by), Some(provider_id.0), "customer_review", review_id, "confirm", changes)?;
        Ok(())
    })
}

/// A review as the list and its page show it.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct ReviewLine {
    pub id: i32,
    pub commissioner_id: i32,
    pub held_on: NaiveDate,
    pub attendees: String,
    pub topics: String,
    pub outcomes: String,
    pub agreed_actions: String,
    pub recorded_side: ReviewSide,
    pub recorded_by: Option<String>,
    pub recorded_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
}

/// A review with its commissioner's name, as the list and its page show it.
#[derive(Debug, Clone, Serialize)]
pub struct NamedReview {
    #[serde(flatten)]
    pub review: ReviewLine,
    pub commissioner: String,
}

/// Names each review's commissioner, in one query whatever the number of reviews.
fn named(conn: &mut DbConnection, lines: Vec<ReviewLine>) -> QueryResult<Vec<NamedReview>> {
    let mut ids: Vec<i32> = lines.iter().map(|l| l.commissioner_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: std::collections::HashMap<i32, String> =
        crate::accounts::store::organisation_names(conn, &ids)?.into_iter().collect();
    Ok(lines
        .into_iter()
        .map(|review| NamedReview {
            commissioner: names.get(&review.commissioner_id).cloned().unwrap_or_default(),
            review,
        })
        .collect())
}

/// The list's sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReviewSort {
    #[default]
    HeldOn,
    Confirmed,
}

/// One page of the provider's reviews that `standing` sees, searched in the topics, outcomes,
/// attendees and agreed actions, sorted, newest first by default. Two queries.
pub fn list(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    standing: &Standing,
    search: &str,
    sort: ReviewSort,
    dir: db::Direction,
    page: i64,
) -> QueryResult<db::Page<NamedReview>> {
    use crate::db::page::{contains_pattern, lower};
    let narrowed = standing.narrowed_to().map(<[i32]>::to_vec);
    let query = || {
        let mut rows = customer_reviews::table
            .left_join(users::table.on(users::id.nullable().eq(customer_reviews::recorded_by)))
            .filter(customer_reviews::provider_id.eq(provider_id))
            .into_boxed();
        if let Some(ids) = &narrowed {
            rows = rows.filter(customer_reviews::commissioner_id.eq_any(ids.clone()));
        }
        if !search.is_empty() {
            let pattern = contains_pattern(search);
            rows = rows.filter(
                lower(customer_reviews::topics)
                    .like(lower(pattern.clone()))
                    .escape('\\')
                    .or(lower(customer_reviews::outcomes).like(lower(pattern.clone())).escape('\\'))
                    .or(lower(customer_reviews::attendees).like(lower(pattern.clone())).escape('\\'))
                    .or(lower(customer_reviews::agreed_actions).like(lower(pattern)).escape('\\')),
            );
        }
        rows
    };
    let total: i64 = query().count().get_result(conn)?;
    let page = db::Page::fetch(page, total, |offset, limit| {
        let selected = query().select(line_columns());
        let desc = dir == db::Direction::Descending;
        let ordered = match (sort, desc) {
            (ReviewSort::HeldOn, false) => selected.order(customer_reviews::held_on.asc()),
            (ReviewSort::HeldOn, true) => selected.order(customer_reviews::held_on.desc()),
            (ReviewSort::Confirmed, false) => selected
                .order(customer_reviews::confirmed_at.is_null())
                .then_order_by(customer_reviews::confirmed_at.asc()),
            (ReviewSort::Confirmed, true) => selected
                .order(customer_reviews::confirmed_at.is_null())
                .then_order_by(customer_reviews::confirmed_at.desc()),
        };
        ordered.then_order_by(customer_reviews::id.desc()).offset(offset).limit(limit).load(conn)
    })?;
    let rows = named(conn, page.rows)?;
    Ok(db::Page { rows, total: page.total, page: page.page, pages: page.pages, per_page: page.per_page })
}

/// The columns of a [`ReviewLine`], over reviews joined to the commissioner and the recorder.
type LineColumns = (
    customer_reviews::id,
    customer_reviews::commissioner_id,
    customer_reviews::held_on,
    customer_reviews::attendees,
    customer_reviews::topics,
    customer_reviews::outcomes,
    customer_reviews::agreed_actions,
    customer_reviews::recorded_side,
    diesel::dsl::Nullable<users::name>,
    customer_reviews::recorded_at,
    customer_reviews::confirmed_at,
);

fn line_columns() -> LineColumns {
    (
        customer_reviews::id,
        customer_reviews::commissioner_id,
        customer_reviews::held_on,
        customer_reviews::attendees,
        customer_reviews::topics,
        customer_reviews::outcomes,
        customer_reviews::agreed_actions,
        customer_reviews::recorded_side,
        users::name.nullable(),
        customer_reviews::recorded_at,
        customer_reviews::confirmed_at,
    )
}

/// One review as its page shows it, with who confirmed it; None when it is not the provider's
/// or `standing` does not see it.
pub fn one(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    standing: &Standing,
    review_id: i32,
) -> QueryResult<Option<(NamedReview, Option<String>)>> {
    let found: Option<(ReviewLine, Option<i32>)> = customer_reviews::table
        .left_join(users::table.on(users::id.nullable().eq(customer_reviews::recorded_by)))
        .filter(customer_reviews::id.eq(review_id))
        .filter(customer_reviews::provider_id.eq(provider_id))
        .select((line_columns(), customer_reviews::confirmed_by))
        .first(conn)
        .optional()?;
    let Some((line, confirmed_by)) = found.filter(|(line, _)| standing.sees(line.commissioner_id)) else {
        return Ok(None);
    };
    let confirmed_by = match confirmed_by {
        Some(id) => users::table.find(id).select(users::name).first(conn).optional()?,
        None => None,
    };
    let named = named(conn, vec![line])?.pop();
    Ok(named.map(|line| (line, confirmed_by)))
}
