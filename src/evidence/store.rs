//! Saving and reading evidence: items and their versions, the files behind them, and their links.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::model::{EvidenceDetails, EvidenceKind, Upload};
use super::rules::{review_state, ReviewState};
use crate::accounts::store::{is_provider_person, provider_people};
use crate::catalogue::model::NodeKind;
use crate::db::schema::{blobs, catalogue_nodes, catalogues, evidence_items, evidence_links, users};
use crate::db::ProviderId;
use crate::db::StoreError;
use crate::db::UserId;
use crate::db::{self, DbConnection};
use crate::history::store::{json, record_action, record_created, Diff};

/// The node kinds an item can be linked to: standards of the provider's framework, and the core
/// services and sub-specialisms.
const SERVICE_KINDS: [NodeKind; 2] = [NodeKind::CoreService, NodeKind::Subspecialism];

/// How the evidence area learns which framework a provider assesses against: the assessment area
/// knows (its cycles) and is handed in by whoever wires the two, so this area never imports it.
pub type FrameworkLookup = fn(&mut DbConnection, ProviderId) -> QueryResult<Option<i32>>;

/// Finds the catalogue nodes for the references given, or names each one that is not there.
/// `framework` is the one the provider assesses against (the assessment area knows which).
pub fn resolve_targets(
    conn: &mut DbConnection,
    framework: Option<i32>,
    references: &[String],
) -> Result<Vec<i32>, StoreError> {
    if references.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<(i32, String, NodeKind, i32)> = catalogue_nodes::table
        .filter(catalogue_nodes::reference.eq_any(references))
        .filter(catalogue_nodes::retired.eq(false))
        .select((catalogue_nodes::id, catalogue_nodes::reference, catalogue_nodes::kind, catalogue_nodes::catalogue_id))
        .load(conn)?;
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for reference in references {
        let hit = found.iter().find(|(_, r, kind, catalogue)| {
            r == reference
                && ((*kind == NodeKind::Standard && Some(*catalogue) == framework) || SERVICE_KINDS.contains(kind))
        });
        match hit {
            Some((id, ..)) => ids.push(*id),
            None => unknown.push(reference.as_str()),
        }
    }
    if unknown.is_empty() {
        Ok(ids)
    } else {
        Err(StoreError::invalid(
            "standards",
            format!("There is no standard, core service or sub-specialism {}", unknown.join(", ")),
        ))
    }
}

/// Refuses a document kind that is not in the catalogue's current list of document kinds.
pub(crate) fn check_document_kind(conn: &mut DbConnection, kind: Option<&str>) -> Result<(), StoreError> {
    if let Some(kind) = kind {
        let known = crate::catalogue::store::document_kinds(conn)?;
        if !known.iter().any(|(reference, _)| reference == kind) {
            return Err(StoreError::invalid("document_kind", "Choose a document kind from the list, or none"));
        }
    }
    Ok(())
}

/// Refuses an owner who is not one of the provider's people.
pub(crate) fn check_owner(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    owner: Option<i32>,
) -> Result<(), StoreError> {
    if let Some(owner) = owner {
        if !is_provider_person(conn, provider_id, owner)? {
            return Err(StoreError::invalid("owner_user_id", "Choose an owner from the service's own people"));
        }
    }
    Ok(())
}

/// A live (not superseded) item as the readiness figures count it.
#[derive(Debug, Clone)]
pub struct LiveItem {
    pub review_due: Option<NaiveDate>,
    pub owner_user_id: Option<i32>,
    /// The catalogue nodes its series is linked to.
    pub node_ids: Vec<i32>,
}

/// The provider's live evidence (neither replaced nor withdrawn) with what each item is linked
/// to. Two queries.
pub fn live_items(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<LiveItem>> {
    let items: Vec<(i32, Option<NaiveDate>, Option<i32>)> = evidence_items::table
        .filter(evidence_items::provider_id.eq(provider_id))
        .filter(evidence_items::superseded_by.is_null())
        .filter(evidence_items::withdrawn_at.is_null())
        .select((evidence_items::series_id, evidence_items::review_due, evidence_items::owner_user_id))
        .load(conn)?;
    let mut by_series: HashMap<i32, Vec<i32>> = HashMap::new();
    for (series, node) in links(conn, provider_id)? {
        by_series.entry(series).or_default().push(node);
    }
    Ok(items
        .into_iter()
        .map(|(series, review_due, owner_user_id)| LiveItem {
            review_due,
            owner_user_id,
            node_ids: by_series.remove(&series).unwrap_or_default(),
        })
        .collect())
}

/// A live item linked to one of the nodes asked about: an item linked to two is listed twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedItem {
    pub node_id: i32,
    /// The live version's id, which its page is found by.
    pub item_id: i32,
    pub title: String,
    pub review_due: Option<NaiveDate>,
}

/// The provider's live items (neither replaced nor withdrawn) linked to any of `node_ids`, by title.
/// One query.
pub fn live_items_linked_to(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    node_ids: &[i32],
) -> QueryResult<Vec<LinkedItem>> {
    if node_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i32, i32, String, Option<NaiveDate>)> = evidence_links::table
        .inner_join(evidence_items::table.on(evidence_items::series_id.eq(evidence_links::series_id)))
        .filter(evidence_items::provider_id.eq(provider_id))
        .filter(evidence_items::superseded_by.is_null())
        .filter(evidence_items::withdrawn_at.is_null())
        .filter(evidence_links::node_id.eq_any(node_ids))
        .select((evidence_links::node_id, evidence_items::id, evidence_items::title, evidence_items::review_due))
        .order((evidence_items::title, evidence_items::id, evidence_links::node_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(node_id, item_id, title, review_due)| LinkedItem { node_id, item_id, title, review_due })
        .collect())
}

/// Every link of the provider's library, as (series, node).
pub fn links(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<HashSet<(i32, i32)>> {
    Ok(evidence_links::table
        .inner_join(evidence_items::table.on(evidence_items::id.eq(evidence_links::series_id)))
        .filter(evidence_items::provider_id.eq(provider_id))
        .select((evidence_links::series_id, evidence_links::node_id))
        .load::<(i32, i32)>(conn)?
        .into_iter()
        .collect())
}

/// An item as a list of attachments shows it: id, title, version, file name, and whether the file
/// holds patient-identifiable data (which decides who may download it).
pub type Attached = (i32, String, i32, Option<String>, bool);

/// The items named, by title, as attachments are listed.
pub fn attached(conn: &mut DbConnection, item_ids: &[i32]) -> QueryResult<Vec<Attached>> {
    evidence_items::table
        .filter(evidence_items::id.eq_any(item_ids))
        .select((
            evidence_items::id,
            evidence_items::title,
            evidence_items::version,
            evidence_items::file_name,
            evidence_items::contains_patient_data,
        ))
        .order(evidence_items::title)
        .load(conn)
}

/// Whether every item named is in the provider's own library (an empty list is).
pub fn all_belong_to(conn: &mut DbConnection, provider_id: ProviderId, item_ids: &[i32]) -> QueryResult<bool> {
    let wanted: HashSet<&i32> = item_ids.iter().collect();
    let owned: i64 = evidence_items::table
        .filter(evidence_items::id.eq_any(item_ids))
        .filter(evidence_items::provider_id.eq(provider_id))
        .count()
        .get_result(conn)?;
    Ok(owned as usize == wanted.len())
}

/// The provider's current items (neither replaced nor withdrawn) as (id, title), by title: the
/// choices of a form that names one of its documents.
pub fn current_choices(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<(i32, String)>> {
    evidence_items::table
        .filter(evidence_items::provider_id.eq(provider_id))
        .filter(evidence_items::superseded_by.is_null())
        .filter(evidence_items::withdrawn_at.is_null())
        .select((evidence_items::id, evidence_items::title))
        .order((evidence_items::title, evidence_items::id))
        .load(conn)
}

/// The series of an item that is current (neither replaced nor withdrawn) and the provider's own;
/// None otherwise. What another area keeps when it points at a document, so a newer version
/// still counts.
pub fn current_series(conn: &mut DbConnection, provider_id: ProviderId, item_id: i32) -> QueryResult<Option<i32>> {
    evidence_items::table
        .filter(evidence_items::id.eq(item_id))
        .filter(evidence_items::provider_id.eq(provider_id))
        .filter(evidence_items::superseded_by.is_null())
        .filter(evidence_items::withdrawn_at.is_null())
        .select(evidence_items::series_id)
        .first(conn)
        .optional()
}

/// The current version of a series of the provider's as (id, title); None when the series was
/// withdrawn or is not the provider's.
pub fn current_of_series(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    series_id: i32,
) -> QueryResult<Option<(i32, String)>> {
    evidence_items::table
        .filter(evidence_items::series_id.eq(series_id))
        .filter(evidence_items::provider_id.eq(provider_id))
        .filter(evidence_items::superseded_by.is_null())
        .filter(evidence_items::withdrawn_at.is_null())
        .select((evidence_items::id, evidence_items::title))
        .first(conn)
        .optional()
}

/// Writes links, each (series, node), in one statement.
pub(crate) fn insert_links(conn: &mut DbConnection, links: &[(i32, i32)]) -> QueryResult<()> {
    let rows: Vec<_> = links
        .iter()
        .map(|(series, node)| (evidence_links::series_id.eq(*series), evidence_links::node_id.eq(*node)))
        .collect();
    db::insert_batch(conn, evidence_links::table, &rows)?;
    Ok(())
}

/// Stores a file's content unless the same content is already stored.
pub(crate) fn store_blob(conn: &mut DbConnection, upload: &Upload) -> QueryResult<()> {
    let stored: i64 = blobs::table.filter(blobs::sha256.eq(&upload.sha256)).count().get_result(conn)?;
    if stored == 0 {
        diesel::insert_into(blobs::table)
            .values((
                blobs::sha256.eq(&upload.sha256),
                blobs::size_bytes.eq(upload.content.len() as i64),
                blobs::content.eq(&upload.content),
                blobs::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Stores `content` under its SHA-256 as a file kept for good (an approved quality report's PDF),
/// so [`delete_unreferenced_blobs`] never deletes it though no evidence item holds it. The same
/// content already stored is marked kept. Call inside the transaction that records the document.
pub fn keep_blob(conn: &mut DbConnection, sha256: &str, content: &[u8], at: NaiveDateTime) -> QueryResult<()> {
    let marked =
        diesel::update(blobs::table.filter(blobs::sha256.eq(sha256))).set(blobs::kept.eq(true)).execute(conn)?;
    if marked == 0 {
        diesel::insert_into(blobs::table)
            .values((
                blobs::sha256.eq(sha256),
                blobs::size_bytes.eq(content.len() as i64),
                blobs::content.eq(content),
                blobs::created_at.eq(at),
                blobs::kept.eq(true),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Stored files deleted per statement, well under the bound-value limit.
const DELETE_CHUNK: usize = 1_000;

/// Deletes every stored file that no evidence item holds and that is not in `wanted` (files other
/// areas still need, such as imports awaiting confirmation); returns how many went. A file an
/// evidence item holds, or one kept for a document ([`keep_blob`]), is never deleted, whatever
/// `wanted` says: the foreign keys would refuse it too. Call inside a transaction.
pub fn delete_unreferenced_blobs(conn: &mut DbConnection, wanted: &HashSet<String>) -> QueryResult<usize> {
    let unreferenced: Vec<String> = blobs::table
        .left_join(evidence_items::table)
        .filter(evidence_items::id.nullable().is_null())
        .filter(blobs::kept.eq(false))
        .select(blobs::sha256)
        .load(conn)?;
    let doomed: Vec<String> = unreferenced.into_iter().filter(|sha| !wanted.contains(sha)).collect();
    let mut deleted = 0;
    for chunk in doomed.chunks(DELETE_CHUNK) {
        deleted += diesel::delete(blobs::table.filter(blobs::sha256.eq_any(chunk))).execute(conn)?;
    }
    Ok(deleted)
}

/// A stored file's content by its SHA-256.
pub fn blob_content(conn: &mut DbConnection, sha256: &str) -> QueryResult<Option<Vec<u8>>> {
    blobs::table.filter(blobs::sha256.eq(sha256)).select(blobs::content).first(conn).optional()
}

fn check_file(details: &EvidenceDetails, upload: Option<&Upload>) -> Result<(), StoreError> {
    if details.kind == EvidenceKind::File && upload.is_none() {
        return Err(StoreError::invalid("file", "Choose a file to upload"));
    }
    Ok(())
}

/// Inserts one version and writes its history row; returns its id.
fn insert_version(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    series: Option<(i32, i32)>,
    details: &EvidenceDetails,
    upload: Option<&Upload>,
) -> Result<i32, StoreError> {
    let upload = upload.filter(|_| details.kind == EvidenceKind::File);
    if let Some(upload) = upload {
        store_blob(conn, upload)?;
    }
    let (series_id, version) = series.unwrap_or((0, 1));
    diesel::insert_into(evidence_items::table)
        .values((
            evidence_items::provider_id.eq(provider_id),
            evidence_items::series_id.eq(series_id),
            evidence_items::version.eq(version),
            evidence_items::kind.eq(details.kind),
            evidence_items::title.eq(&details.title),
            evidence_items::description.eq(&details.description),
            evidence_items::owner_user_id.eq(details.owner_user_id),
            evidence_items::blob_sha256.eq(upload.map(|u| &u.sha256)),
            evidence_items::file_name.eq(upload.map(|u| &u.file_name)),
            evidence_items::media_type.eq(upload.map(|u| &u.media_type)),
            evidence_items::link_url.eq(&details.link_url),
            evidence_items::effective_on.eq(details.effective_on),
            evidence_items::review_due.eq(details.review_due),
            evidence_items::contains_patient_data.eq(details.contains_patient_data),
            evidence_items::uploaded_at.eq(Utc::now().naive_utc()),
            evidence_items::uploaded_by.eq(by),
            evidence_items::document_kind.eq(&details.document_kind),
        ))
        .execute(conn)?;
    let id = db::last_insert_id(conn)?;
    let series_id = if series.is_none() {
        diesel::update(evidence_items::table.find(id)).set(evidence_items::series_id.eq(id)).execute(conn)?;
        id
    } else {
        series_id
    };
    record_created(
        conn,
        by,
        Some(provider_id.0),
        "evidence",
        id,
        vec![
            ("series", json(series_id)),
            ("version", json(version)),
            ("kind", json(details.kind.as_str())),
            ("title", json(&details.title)),
            ("description", json(&details.description)),
            ("owner_user_id", json(details.owner_user_id)),
            ("file_name", json(upload.map(|u| &u.file_name))),
            ("sha256", json(upload.map(|u| &u.sha256))),
            ("link_url", json(&details.link_url)),
            ("effective_on", json(details.effective_on)),
            ("review_due", json(details.review_due)),
            ("contains_patient_data", json(details.contains_patient_data)),
            ("links", json(&details.standards)),
            ("document_kind", json(&details.document_kind)),
        ],
    )?;
    Ok(id)
}

/// Adds an item to the provider's library with its links; returns its id. Nothing is written if
/// any check fails.
pub fn add(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    framework: Option<i32>,
    details: &EvidenceDetails,
    upload: Option<&Upload>,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| write_add(conn, by, provider_id, framework, details, upload))
}

/// The writing of [`add`], inside a transaction the caller holds (a snapshot of the records saves
/// its own row with the item, in one transaction).
pub fn write_add(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    framework: Option<i32>,
    details: &EvidenceDetails,
    upload: Option<&Upload>,
) -> Result<i32, StoreError> {
    check_file(details, upload)?;
    let node_ids = resolve_targets(conn, framework, &details.standards)?;
    check_owner(conn, provider_id, details.owner_user_id)?;
    check_document_kind(conn, details.document_kind.as_deref())?;
    let id = insert_version(conn, by, provider_id, None, details, upload)?;
    insert_links(conn, &node_ids.iter().map(|node| (id, *node)).collect::<Vec<_>>())?;
    Ok(id)
}

/// Replaces a live item with a new version. The old one is kept, marked superseded, and still
/// downloadable; the links stay with the series. Returns the new version's id.
pub fn supersede(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    item_id: i32,
    details: &EvidenceDetails,
    upload: Option<&Upload>,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| write_supersede(conn, by, provider_id, item_id, details, upload))
}

/// The writing of [`supersede`], inside a transaction the caller holds.
pub fn write_supersede(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    item_id: i32,
    details: &EvidenceDetails,
    upload: Option<&Upload>,
) -> Result<i32, StoreError> {
    check_file(details, upload)?;
    let current: Option<(i32, i32, Option<i32>, Option<NaiveDateTime>)> = evidence_items::table
        .filter(evidence_items::id.eq(item_id))
        .filter(evidence_items::provider_id.eq(provider_id))
        .select((
            evidence_items::series_id,
            evidence_items::version,
            evidence_items::superseded_by,
            evidence_items::withdrawn_at,
        ))
        .first(conn)
        .optional()?;
    let Some((series_id, version, superseded_by, withdrawn_at)) = current else {
        return Err(StoreError::NotFound);
    };
    if superseded_by.is_some() {
        return Err(StoreError::invalid("file", "This version has already been replaced; replace the current one"));
    }
    if withdrawn_at.is_some() {
        return Err(StoreError::invalid("file", "This item was withdrawn; add the evidence as a new item instead"));
    }
    check_owner(conn, provider_id, details.owner_user_id)?;
    check_document_kind(conn, details.document_kind.as_deref())?;
    let new_id = insert_version(conn, by, provider_id, Some((series_id, version + 1)), details, upload)?;
    let now = Utc::now().naive_utc();
    diesel::update(evidence_items::table.find(item_id))
        .set((evidence_items::superseded_by.eq(new_id), evidence_items::superseded_at.eq(now)))
        .execute(conn)?;
    let mut changes = Diff::default();
    changes.field("superseded_by", Option::<i32>::None, new_id);
    record_action(conn, by, Some(provider_id.0), "evidence", item_id, "supersede", changes)?;
    Ok(new_id)
}

/// Withdraws the current version of an item entered by mistake. Nothing is deleted: the item,
/// its versions and its links stay, marked withdrawn with the reason, and it stops counting as
/// evidence for anything.
pub fn withdraw(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    item_id: i32,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let current: Option<(Option<i32>, Option<NaiveDateTime>)> = evidence_items::table
            .filter(evidence_items::id.eq(item_id))
            .filter(evidence_items::provider_id.eq(provider_id))
            .select((evidence_items::superseded_by, evidence_items::withdrawn_at))
            .first(conn)
            .optional()?;
        match current {
            None => return Err(StoreError::NotFound),
            Some((Some(_), _)) => {
                return Err(StoreError::invalid("reason", "This version has been replaced; withdraw the current one"))
            }
            Some((None, Some(_))) => return Err(StoreError::invalid("reason", "This item has already been withdrawn")),
            Some((None, None)) => {}
        }
        let now = crate::history::rules::to_stored_precision(now);
        diesel::update(evidence_items::table.find(item_id))
            .set((
                evidence_items::withdrawn_at.eq(now),
                evidence_items::withdrawn_by.eq(by),
                evidence_items::withdrawal_reason.eq(reason),
            ))
            .execute(conn)?;
        let mut changes = Diff::default();
        changes.field("withdrawn_at", Option::<NaiveDateTime>::None, now);
        changes.field("withdrawal_reason", Option::<String>::None, reason);
        record_action(conn, by, Some(provider_id.0), "evidence", item_id, "withdraw", changes)?;
        Ok(())
    })
}

/// Sets what a series is evidence for, replacing its links. Returns whether anything changed.
pub fn set_links(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    framework: Option<i32>,
    item_id: i32,
    references: &[String],
) -> Result<bool, StoreError> {
    db::write_transaction(conn, |conn| write_set_links(conn, by, provider_id, framework, item_id, references))
}

/// The writing of [`set_links`], inside a transaction the caller holds.
pub fn write_set_links(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    framework: Option<i32>,
    item_id: i32,
    references: &[String],
) -> Result<bool, StoreError> {
    let series_id: i32 = evidence_items::table
        .filter(evidence_items::id.eq(item_id))
        .filter(evidence_items::provider_id.eq(provider_id))
        .select(evidence_items::series_id)
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let mut wanted = resolve_targets(conn, framework, references)?;
    wanted.sort_unstable();
    let before = link_references(conn, series_id)?;
    let mut had: Vec<i32> = before.iter().map(|l| l.node_id).collect();
    had.sort_unstable();
    if had == wanted {
        return Ok(false);
    }
    diesel::delete(evidence_links::table.filter(evidence_links::series_id.eq(series_id))).execute(conn)?;
    insert_links(conn, &wanted.iter().map(|node| (series_id, *node)).collect::<Vec<_>>())?;
    let mut after: Vec<String> = references.to_vec();
    after.sort();
    let before: Vec<String> = before.into_iter().map(|l| l.reference).collect();
    let mut changes = Diff::default();
    changes.field("links", before, after);
    record_action(conn, by, Some(provider_id.0), "evidence", series_id, "link", changes)?;
    Ok(true)
}

/// A link as pages show it.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct LinkLine {
    pub node_id: i32,
    pub reference: String,
    pub title: String,
    pub kind: NodeKind,
}

fn link_references(conn: &mut DbConnection, series_id: i32) -> QueryResult<Vec<LinkLine>> {
    evidence_links::table
        .inner_join(catalogue_nodes::table)
        .filter(evidence_links::series_id.eq(series_id))
        .select((catalogue_nodes::id, catalogue_nodes::reference, catalogue_nodes::title, catalogue_nodes::kind))
        .order(catalogue_nodes::reference)
        .load(conn)
}

/// One version of an item, as lists and pages show it (selected over `evidence_items` left-joined
/// to `blobs`).
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = evidence_items)]
pub struct ItemLine {
    pub id: i32,
    pub series_id: i32,
    pub version: i32,
    pub kind: EvidenceKind,
    pub title: String,
    pub description: String,
    pub owner_user_id: Option<i32>,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    #[diesel(select_expression = blobs::size_bytes.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<blobs::size_bytes>)]
    pub size_bytes: Option<i64>,
    #[diesel(column_name = blob_sha256)]
    pub sha256: Option<String>,
    pub link_url: Option<String>,
    pub effective_on: Option<NaiveDate>,
    pub review_due: Option<NaiveDate>,
    pub contains_patient_data: bool,
    pub uploaded_at: NaiveDateTime,
    pub superseded_by: Option<i32>,
    pub superseded_at: Option<NaiveDateTime>,
    /// Set when a manager withdrew it as entered by mistake: it is kept, and not counted.
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawal_reason: Option<String>,
    /// The reference of its kind in the catalogue's list of document kinds, if it is one.
    pub document_kind: Option<String>,
}

/// A live item in the library list, with what it is linked to and its review state.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryLine {
    #[serde(flatten)]
    pub item: ItemLine,
    pub owner: Option<String>,
    pub links: Vec<String>,
    pub review: ReviewState,
}

/// Which live items the library lists.
#[derive(Debug, Clone, Default)]
pub struct LibraryFilter {
    pub review: Option<ReviewState>,
    /// The withdrawn items instead of the ones in use.
    pub withdrawn: bool,
    /// Only items linked to this node.
    pub node_id: Option<i32>,
    /// Only items of this document kind (a reference in the catalogue's list).
    pub document_kind: Option<String>,
}

/// The provider's live items (superseded versions are reached from their item), newest first;
/// withdrawn items only when the filter asks for them, and then only they.
/// Three queries whatever the library's size; a node filter narrows the first two in SQL, so one
/// standard's page reads only that standard's evidence.
pub fn library(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    filter: &LibraryFilter,
    today: NaiveDate,
) -> QueryResult<Vec<LibraryLine>> {
    let mut items = evidence_items::table
        .left_join(blobs::table)
        .filter(evidence_items::provider_id.eq(provider_id))
        .filter(evidence_items::superseded_by.is_null())
        .select(ItemLine::as_select())
        .order((evidence_items::uploaded_at.desc(), evidence_items::id.desc()))
        .into_boxed();
    items = if filter.withdrawn {
        items.filter(evidence_items::withdrawn_at.is_not_null())
    } else {
        items.filter(evidence_items::withdrawn_at.is_null())
    };
    let mut links = evidence_links::table
        .inner_join(catalogue_nodes::table)
        .inner_join(evidence_items::table.on(evidence_items::id.eq(evidence_links::series_id)))
        .filter(evidence_items::provider_id.eq(provider_id))
        .select((evidence_links::series_id, catalogue_nodes::id, catalogue_nodes::reference))
        .order(catalogue_nodes::reference)
        .into_boxed();
    if let Some(node_id) = filter.node_id {
        let node_links = diesel::alias!(evidence_links as node_links);
        let linked = || {
            node_links
                .filter(node_links.field(evidence_links::node_id).eq(node_id))
                .select(node_links.field(evidence_links::series_id))
        };
        items = items.filter(evidence_items::series_id.eq_any(linked()));
        links = links.filter(evidence_links::series_id.eq_any(linked()));
    }
    let items: Vec<ItemLine> = items.load(conn)?;
    let links: Vec<(i32, i32, String)> = links.load(conn)?;
    let mut by_series: HashMap<i32, Vec<(i32, String)>> = HashMap::new();
    for (series, node, reference) in links {
        by_series.entry(series).or_default().push((node, reference));
    }
    let names: HashMap<i32, String> = provider_people(conn, provider_id)?.into_iter().collect();
    Ok(items
        .into_iter()
        .filter_map(|item| {
            let linked = by_series.remove(&item.series_id).unwrap_or_default();
            let review = review_state(item.review_due, today);
            if filter.review.is_some_and(|wanted| wanted != review) {
                return None;
            }
            Some(LibraryLine {
                owner: item.owner_user_id.and_then(|o| names.get(&o).cloned()),
                links: linked.into_iter().map(|(_, r)| r).collect(),
                review,
                item,
            })
        })
        .collect())
}

/// An item's page: the version asked for, every version of its series, and its links.
#[derive(Debug, Clone, Serialize)]
pub struct ItemPage {
    pub item: ItemLine,
    pub owner: Option<String>,
    pub uploaded_by: Option<String>,
    pub versions: Vec<ItemLine>,
    pub links: Vec<LinkLine>,
    pub review: ReviewState,
}

/// One version of the provider's evidence, or None if it is not the provider's.
pub fn item(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    item_id: i32,
    today: NaiveDate,
) -> QueryResult<Option<ItemPage>> {
    let found: Option<(ItemLine, Option<i32>)> = evidence_items::table
        .left_join(blobs::table)
        .filter(evidence_items::id.eq(item_id))
        .filter(evidence_items::provider_id.eq(provider_id))
        .select((ItemLine::as_select(), evidence_items::uploaded_by))
        .first(conn)
        .optional()?;
    let Some((item, uploaded_by)) = found else { return Ok(None) };
    let versions: Vec<ItemLine> = evidence_items::table
        .left_join(blobs::table)
        .filter(evidence_items::series_id.eq(item.series_id))
        .select(ItemLine::as_select())
        .order(evidence_items::version.desc())
        .load(conn)?;
    let links = link_references(conn, item.series_id)?;
    let name_of = |conn: &mut DbConnection, id: Option<i32>| -> QueryResult<Option<String>> {
        match id {
            Some(id) => users::table.find(id).select(users::name).first(conn).optional(),
            None => Ok(None),
        }
    };
    let owner = name_of(conn, item.owner_user_id)?;
    let uploaded_by = name_of(conn, uploaded_by)?;
    let review = review_state(item.review_due, today);
    Ok(Some(ItemPage { item, owner, uploaded_by, versions, links, review }))
}

/// A stored file ready to send.
#[derive(Debug, Clone)]
pub struct Download {
    pub file_name: String,
    pub media_type: String,
    pub content: Vec<u8>,
    pub contains_patient_data: bool,
}

/// The file of one version of the provider's evidence; None if there is none or it is another
/// provider's.
pub fn download(conn: &mut DbConnection, provider_id: ProviderId, item_id: i32) -> QueryResult<Option<Download>> {
    type Row = (Option<String>, Option<String>, Vec<u8>, bool);
    let found: Option<Row> = evidence_items::table
        .inner_join(blobs::table)
        .filter(evidence_items::id.eq(item_id))
        .filter(evidence_items::provider_id.eq(provider_id))
        .select((
            evidence_items::file_name,
            evidence_items::media_type,
            blobs::content,
            evidence_items::contains_patient_data,
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(|(file_name, media_type, content, contains_patient_data)| Download {
        file_name: file_name.unwrap_or_else(|| "evidence".into()),
        media_type: media_type.unwrap_or_else(|| "application/octet-stream".into()),
        content,
        contains_patient_data,
    }))
}

/// One heading of the forms' list of link targets (a domain of the framework, or a list of
/// services) and its choices, each (reference, title).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChoiceGroup {
    pub heading: String,
    pub choices: Vec<(String, String)>,
}

/// A standard with its domain, as the forms' list is sorted: (the domain's order, the domain's
/// title, the standard's order among its siblings, reference, title).
type StandardInDomain = (Option<i32>, Option<String>, i32, String, String);

/// The link targets offered on the forms, in catalogue order: the framework's standards by domain
/// (GF1, GF2 … GF10, then RP1 …, by each domain's and each standard's `order`, never by their
/// text), then the core services and the sub-specialisms. Two queries.
pub fn link_choices(conn: &mut DbConnection, framework: Option<i32>) -> QueryResult<Vec<ChoiceGroup>> {
    let domains = diesel::alias!(catalogue_nodes as domains);
    let mut standards: Vec<StandardInDomain> = catalogue_nodes::table
        .left_join(domains.on(catalogue_nodes::parent_id.eq(domains.field(catalogue_nodes::id).nullable())))
        .filter(catalogue_nodes::catalogue_id.nullable().eq(framework))
        .filter(catalogue_nodes::kind.eq(NodeKind::Standard))
        .filter(catalogue_nodes::retired.eq(false))
        .select((
            domains.field(catalogue_nodes::position).nullable(),
            domains.field(catalogue_nodes::title).nullable(),
            catalogue_nodes::position,
            catalogue_nodes::reference,
            catalogue_nodes::title,
        ))
        .load(conn)?;
    // Sorted here rather than in SQL: the backends put a standard without a domain (NULL) at
    // opposite ends, and this puts it first on both.
    standards.sort_by(|a, b| (a.0, a.2, &a.3).cmp(&(b.0, b.2, &b.3)));
    let services: Vec<(String, String, String)> = catalogue_nodes::table
        .inner_join(catalogues::table)
        .filter(catalogue_nodes::kind.eq_any(SERVICE_KINDS))
        .filter(catalogue_nodes::retired.eq(false))
        .select((catalogues::title, catalogue_nodes::reference, catalogue_nodes::title))
        .order((catalogues::code, catalogue_nodes::position))
        .load(conn)?;
    let rows = standards
        .into_iter()
        .map(|(_, domain, _, reference, title)| (domain.unwrap_or_else(|| "Standards".into()), reference, title))
        .chain(services);
    let mut groups: Vec<ChoiceGroup> = Vec::new();
    for (heading, reference, title) in rows {
        match groups.last_mut() {
            Some(group) if group.heading == heading => group.choices.push((reference, title)),
            _ => groups.push(ChoiceGroup { heading, choices: vec![(reference, title)] }),
        }
    }
    Ok(groups)
}

/// The columns the library sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibrarySort {
    /// Newest first by default: the order the library always had.
    Uploaded,
    Title,
    Owner,
    Effective,
    ReviewDue,
}

/// One page of the library, filtered (the review state in SQL, from the same 60 days as
/// [`review_state`]), searched in the title, description and file name, sorted and paged in SQL.
/// Three queries: the count, the page, and the page's links.
#[allow(clippy::too_many_arguments)]
pub fn library_page(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    filter: &LibraryFilter,
    search: &str,
    sort: LibrarySort,
    dir: db::Direction,
    page: i64,
    today: NaiveDate,
) -> QueryResult<db::Page<LibraryLine>> {
    use crate::db::page::{contains_pattern, lower, lower_nullable};
    let soon = today + chrono::Duration::days(super::rules::REVIEW_WARNING_DAYS);
    let query = || {
        let mut items = evidence_items::table
            .left_join(blobs::table)
            .left_join(users::table.on(users::id.nullable().eq(evidence_items::owner_user_id)))
            .filter(evidence_items::provider_id.eq(provider_id))
            .filter(evidence_items::superseded_by.is_null())
            .into_boxed();
        items = if filter.withdrawn {
            items.filter(evidence_items::withdrawn_at.is_not_null())
        } else {
            items.filter(evidence_items::withdrawn_at.is_null())
        };
        items = match filter.review {
            Some(ReviewState::Overdue) => items.filter(evidence_items::review_due.lt(today)),
            Some(ReviewState::DueSoon) => {
                items.filter(evidence_items::review_due.ge(today)).filter(evidence_items::review_due.le(soon))
            }
            Some(ReviewState::Current) => {
                items.filter(evidence_items::review_due.is_null().or(evidence_items::review_due.gt(soon)))
            }
            None => items,
        };
        if let Some(kind) = &filter.document_kind {
            items = items.filter(evidence_items::document_kind.eq(kind.clone()));
        }
        if !search.is_empty() {
            let pattern = contains_pattern(search);
            items = items.filter(
                lower(evidence_items::title)
                    .like(lower(pattern.clone()))
                    .escape('\\')
                    .or(lower(evidence_items::description).like(lower(pattern.clone())).escape('\\'))
                    .or(lower_nullable(evidence_items::file_name).like(lower(pattern).nullable()).escape('\\')),
            );
        }
        items
    };
    let total: i64 = query().count().get_result(conn)?;
    let items = db::Page::fetch(page, total, |offset, limit| {
        let selected = query().select(ItemLine::as_select());
        let desc = dir == db::Direction::Descending;
        let ordered = match (sort, desc) {
            (LibrarySort::Uploaded, false) => selected.order(evidence_items::uploaded_at.asc()),
            (LibrarySort::Uploaded, true) => selected.order(evidence_items::uploaded_at.desc()),
            (LibrarySort::Title, false) => selected.order(lower(evidence_items::title).asc()),
            (LibrarySort::Title, true) => selected.order(lower(evidence_items::title).desc()),
            (LibrarySort::Owner, false) => selected.order(users::name.is_null()).then_order_by(users::name.asc()),
            (LibrarySort::Owner, true) => selected.order(users::name.is_null()).then_order_by(users::name.desc()),
            (LibrarySort::Effective, false) => {
                selected.order(evidence_items::effective_on.is_null()).then_order_by(evidence_items::effective_on.asc())
            }
            (LibrarySort::Effective, true) => selected
                .order(evidence_items::effective_on.is_null())
                .then_order_by(evidence_items::effective_on.desc()),
            (LibrarySort::ReviewDue, false) => {
                selected.order(evidence_items::review_due.is_null()).then_order_by(evidence_items::review_due.asc())
            }
            (LibrarySort::ReviewDue, true) => {
                selected.order(evidence_items::review_due.is_null()).then_order_by(evidence_items::review_due.desc())
            }
        };
        ordered.then_order_by(evidence_items::id.desc()).offset(offset).limit(limit).load::<ItemLine>(conn)
    })?;
    let series: Vec<i32> = items.rows.iter().map(|i| i.series_id).collect();
    let links: Vec<(i32, String)> = evidence_links::table
        .inner_join(catalogue_nodes::table)
        .filter(evidence_links::series_id.eq_any(&series))
        .select((evidence_links::series_id, catalogue_nodes::reference))
        .order(catalogue_nodes::reference)
        .load(conn)?;
    let mut by_series: HashMap<i32, Vec<String>> = HashMap::new();
    for (series, reference) in links {
        by_series.entry(series).or_default().push(reference);
    }
    let names: HashMap<i32, String> = provider_people(conn, provider_id)?.into_iter().collect();
    Ok(items.map(|item| LibraryLine {
        owner: item.owner_user_id.and_then(|o| names.get(&o).cloned()),
        links: by_series.remove(&item.series_id).unwrap_or_default(),
        review: review_state(item.review_due, today),
        item,
    }))
}

/// A live item as the evidence pack lists it: what the index, the appendices, the manifest and the
/// withheld page need, and the catalogue nodes its series is linked to.
#[derive(Debug, Clone)]
pub struct PackItem {
    pub id: i32,
    pub kind: EvidenceKind,
    pub title: String,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub link_url: Option<String>,
    pub effective_on: Option<NaiveDate>,
    pub review_due: Option<NaiveDate>,
    pub contains_patient_data: bool,
    pub blob_sha256: Option<String>,
    pub size_bytes: Option<i64>,
    pub node_ids: Vec<i32>,
}

/// The provider's live evidence (neither replaced nor withdrawn), by title, with its files' hashes
/// and sizes and what each item is linked to, for the evidence pack. Two queries, whatever the size
/// of the library; the files' contents are read apart ([`blob_contents`]), only for those merged.
pub fn pack_items(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<PackItem>> {
    type Row = (
        i32,
        i32,
        EvidenceKind,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        bool,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<Row> = evidence_items::table
        .left_join(blobs::table)
        .filter(evidence_items::provider_id.eq(provider_id))
        .filter(evidence_items::superseded_by.is_null())
        .filter(evidence_items::withdrawn_at.is_null())
        .select((
            evidence_items::id,
            evidence_items::series_id,
            evidence_items::kind,
            evidence_items::title,
            evidence_items::file_name,
            evidence_items::media_type,
            evidence_items::link_url,
            evidence_items::effective_on,
            evidence_items::review_due,
            evidence_items::contains_patient_data,
            evidence_items::blob_sha256,
            blobs::size_bytes.nullable(),
        ))
        .order((evidence_items::title, evidence_items::id))
        .load(conn)?;
    let mut by_series: HashMap<i32, Vec<i32>> = HashMap::new();
    for (series, node) in links(conn, provider_id)? {
        by_series.entry(series).or_default().push(node);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut node_ids = by_series.get(&r.1).cloned().unwrap_or_default();
            node_ids.sort_unstable();
            PackItem {
                id: r.0,
                kind: r.2,
                title: r.3,
                file_name: r.4,
                media_type: r.5,
                link_url: r.6,
                effective_on: r.7,
                review_due: r.8,
                contains_patient_data: r.9,
                blob_sha256: r.10,
                size_bytes: r.11,
                node_ids,
            }
        })
        .collect())
}

/// Stored files read at a time, so a pack with many attachments never binds too many values.
const CONTENT_CHUNK: usize = 200;

/// The contents of the stored files named by SHA-256, as (sha256, content); one query per two
/// hundred files.
pub fn blob_contents(conn: &mut DbConnection, sha256s: &[String]) -> QueryResult<Vec<(String, Vec<u8>)>> {
    let mut found = Vec::with_capacity(sha256s.len());
    for chunk in sha256s.chunks(CONTENT_CHUNK) {
        found.extend(
            blobs::table.filter(blobs::sha256.eq_any(chunk)).select((blobs::sha256, blobs::content)).load::<(
                String,
                Vec<u8>,
            )>(
                conn
            )?,
        );
    }
    Ok(found)
}

/// An evidence item that carries a document kind, as the commissioner's facts read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindedItem {
    pub provider_id: ProviderId,
    pub kind: String,
    pub title: String,
    pub id: i32,
    pub review_due: Option<NaiveDate>,
    /// Not superseded, not withdrawn, and not past its review date (`rules::review_state`).
    pub current: bool,
}

/// The items of many providers that carry a document kind (the newest version of each series,
/// withdrawn ones included and said not current), by kind and title. One query.
pub fn kinded_items_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    as_of: NaiveDate,
) -> QueryResult<Vec<KindedItem>> {
    type Row = (ProviderId, Option<String>, String, i32, Option<NaiveDate>, Option<NaiveDateTime>);
    let rows: Vec<Row> = evidence_items::table
        .filter(evidence_items::provider_id.eq_any(providers))
        .filter(evidence_items::document_kind.is_not_null())
        .filter(evidence_items::superseded_by.is_null())
        .select((
            evidence_items::provider_id,
            evidence_items::document_kind,
            evidence_items::title,
            evidence_items::id,
            evidence_items::review_due,
            evidence_items::withdrawn_at,
        ))
        .order((evidence_items::provider_id, evidence_items::document_kind, evidence_items::title, evidence_items::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(provider_id, kind, title, id, review_due, withdrawn_at)| {
            Some(KindedItem {
                provider_id,
                kind: kind?,
                title,
                id,
                review_due,
                current: withdrawn_at.is_none() && review_state(review_due, as_of) != ReviewState::Overdue,
            })
        })
        .collect())
}

/// The current version of each of several series (not superseded, not withdrawn), by series. One
/// query: what a declaration that names a series shows today.
pub fn currents_of_series(conn: &mut DbConnection, series: &[i32]) -> QueryResult<HashMap<i32, i32>> {
    if series.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(evidence_items::table
        .filter(evidence_items::series_id.eq_any(series))
        .filter(evidence_items::superseded_by.is_null())
        .filter(evidence_items::withdrawn_at.is_null())
        .select((evidence_items::series_id, evidence_items::id))
        .load::<(i32, i32)>(conn)?
        .into_iter()
        .collect())
}

/// A live item whose review falls due by a day, with its owner: what the daily reminders tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDue {
    pub provider_id: ProviderId,
    /// The live version's id, which its page is found by.
    pub item_id: i32,
    pub series_id: i32,
    pub title: String,
    /// Marked as holding patient-identifiable data: a message names it by number, not title.
    pub contains_patient_data: bool,
    pub owner: UserId,
    pub review_due: NaiveDate,
}

/// Every provider's live items (neither replaced nor withdrawn) with an owner whose review falls
/// due on or before `until`, overdue ones included, oldest due first. One query.
pub fn reviews_due_by(conn: &mut DbConnection, until: NaiveDate) -> QueryResult<Vec<ReviewDue>> {
    type Row = (ProviderId, i32, i32, String, bool, Option<i32>, Option<NaiveDate>);
    let rows: Vec<Row> = evidence_items::table
        .filter(evidence_items::superseded_by.is_null())
        .filter(evidence_items::withdrawn_at.is_null())
        .filter(evidence_items::owner_user_id.is_not_null())
        .filter(evidence_items::review_due.le(until))
        .select((
            evidence_items::provider_id,
            evidence_items::id,
            evidence_items::series_id,
            evidence_items::title,
            evidence_items::contains_patient_data,
            evidence_items::owner_user_id,
            evidence_items::review_due,
        ))
        .order((evidence_items::review_due, evidence_items::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(provider_id, item_id, series_id, title, contains_patient_data, owner, review_due)| {
            Some(ReviewDue {
                provider_id,
                item_id,
                series_id,
                title,
                contains_patient_data,
                owner: UserId(owner?),
                review_due: review_due?,
            })
        })
        .collect())
}
