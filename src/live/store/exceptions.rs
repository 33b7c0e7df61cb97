//! Exceptions to a failing live check on one standard (`live_exceptions`): why the records fail and
//! the standard is still met, and until when. Never deleted: one ended early keeps its row, and an
//! expired one stays listed.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::assessment::rules::LiveException;
use crate::catalogue::model::LiveCheck;
use crate::db::schema::{live_exceptions, live_verdicts, users};
use crate::db::{self, DbConnection, ProviderId, StoreError, UserId};
use crate::history::store::{json, record_action, record_created, Diff};
use crate::live::model::{NewException, Verdict};

/// The history's name for an exception.
pub const HISTORY_ENTITY: &str = "live_exception";

/// The exceptions recorded on the provider's standards, by (standard's node id, check), newest
/// first, ended and expired ones too. One query.
pub fn for_provider(
    conn: &mut DbConnection,
    provider_id: ProviderId,
) -> QueryResult<HashMap<(i32, LiveCheck), Vec<LiveException>>> {
    type Row = (i32, i32, LiveCheck, String, NaiveDate, Option<String>, NaiveDateTime, Option<NaiveDateTime>);
    let rows: Vec<Row> = live_exceptions::table
        .left_join(users::table.on(users::id.nullable().eq(live_exceptions::recorded_by)))
        .filter(live_exceptions::provider_id.eq(provider_id))
        .select((
            live_exceptions::id,
            live_exceptions::node_id,
            live_exceptions::check_code,
            live_exceptions::reason,
            live_exceptions::ends_on,
            users::name.nullable(),
            live_exceptions::recorded_at,
            live_exceptions::ended_at,
        ))
        .order((live_exceptions::recorded_at.desc(), live_exceptions::id.desc()))
        .load(conn)?;
    let mut found: HashMap<(i32, LiveCheck), Vec<LiveException>> = HashMap::new();
    for (id, node_id, check, reason, ends_on, recorded_by, recorded_at, ended_at) in rows {
        found.entry((node_id, check)).or_default().push(LiveException {
            id,
            reason,
            ends_on,
            recorded_by,
            recorded_at,
            ended_at,
        });
    }
    Ok(found)
}

/// The exceptions in force on `today` for many providers, as (provider, standard's node id,
/// check). One query per five thousand providers.
pub fn in_force_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    today: NaiveDate,
) -> QueryResult<HashSet<(ProviderId, i32, LiveCheck)>> {
    let mut found = HashSet::new();
    for slice in providers.chunks(5_000) {
        found.extend(
            live_exceptions::table
                .filter(live_exceptions::provider_id.eq_any(slice))
                .filter(live_exceptions::ended_at.is_null())
                .filter(live_exceptions::ends_on.ge(today))
                .select((live_exceptions::provider_id, live_exceptions::node_id, live_exceptions::check_code))
                .load::<(ProviderId, i32, LiveCheck)>(conn)?,
        );
    }
    Ok(found)
}

/// The standard of the provider's framework called `reference`, with the checks it names; None
/// when there is no such standard or it names none.
fn standard(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    reference: &str,
) -> QueryResult<Option<(i32, Vec<LiveCheck>)>> {
    let Some(framework) = crate::assessment::store::framework_id(conn, provider_id)? else { return Ok(None) };
    Ok(crate::catalogue::store::live_checks(conn, framework)?
        .into_iter()
        .find(|(_, found, _)| found == reference)
        .map(|(node, _, checks)| (node, checks)))
}

/// Records an exception to a check the standard names and that fails as last judged; returns its
/// id. A standard that names no checks is not found; a check it does not name, or one that does
/// not fail, is refused at the check.
pub fn record(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    reference: &str,
    exception: &NewException,
    now: NaiveDateTime,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        let Some((node_id, checks)) = standard(conn, provider_id, reference)? else { return Err(StoreError::NotFound) };
        if !checks.contains(&exception.check) {
            return Err(StoreError::invalid(
                "check",
                format!("{reference} does not name the check “{}”", exception.check.label()),
            ));
        }
        let verdict: Option<Verdict> = live_verdicts::table
            .find((provider_id, exception.check))
            .select(live_verdicts::verdict)
            .first(conn)
            .optional()?;
        if verdict != Some(Verdict::Fails) {
            return Err(StoreError::invalid(
                "check",
                format!("“{}” does not fail: an exception is for a failing check", exception.check.label()),
            ));
        }
        let now = crate::history::rules::to_stored_precision(now);
        diesel::insert_into(live_exceptions::table)
            .values((
                live_exceptions::provider_id.eq(provider_id),
                live_exceptions::node_id.eq(node_id),
                live_exceptions::check_code.eq(exception.check),
                live_exceptions::reason.eq(&exception.reason),
                live_exceptions::ends_on.eq(exception.ends_on),
                live_exceptions::recorded_by.eq(by),
                live_exceptions::recorded_at.eq(now),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(
            conn,
            by,
            Some(provider_id.0),
            HISTORY_ENTITY,
            id,
            vec![
                ("standard", json(reference)),
                ("check", json(exception.check.as_str())),
                ("reason", json(&exception.reason)),
                ("ends_on", json(exception.ends_on)),
            ],
        )?;
        Ok(id)
    })
}

/// Ends an exception in force before its last day; returns the check it was for. One not on this
/// standard of this provider is not found; one already ended or past its last day is refused.
pub fn end(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    reference: &str,
    exception_id: i32,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<LiveCheck, StoreError> {
    db::write_transaction(conn, |conn| {
        let Some((node_id, _)) = standard(conn, provider_id, reference)? else { return Err(StoreError::NotFound) };
        let found: Option<(LiveCheck, NaiveDate, Option<NaiveDateTime>)> = live_exceptions::table
            .filter(live_exceptions::id.eq(exception_id))
            .filter(live_exceptions::provider_id.eq(provider_id))
            .filter(live_exceptions::node_id.eq(node_id))
            .select((live_exceptions::check_code, live_exceptions::ends_on, live_exceptions::ended_at))
            .first(conn)
            .optional()?;
        let Some((check, ends_on, ended_at)) = found else { return Err(StoreError::NotFound) };
        if ended_at.is_some() {
            return Err(StoreError::invalid("exception", "This exception has already been ended"));
        }
        if ends_on < today {
            return Err(StoreError::invalid("exception", "This exception has already expired"));
        }
        let now = crate::history::rules::to_stored_precision(now);
        diesel::update(live_exceptions::table.find(exception_id))
            .set((live_exceptions::ended_at.eq(now), live_exceptions::ended_by.eq(by)))
            .execute(conn)?;
        let mut diff = Diff::default();
        diff.field("ended_at", Option::<NaiveDateTime>::None, now);
        record_action(conn, by, Some(provider_id.0), HISTORY_ENTITY, exception_id, "end", diff)?;
        Ok(check)
    })
}
