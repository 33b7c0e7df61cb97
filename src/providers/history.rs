//! `/providers/{id}/history`: a provider's audit trail, a page at a time, filtered by kind of
//! record, person, dates and words, and sorted by any column but the changes.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page};
use crate::accounts::session::CurrentUser;
use crate::clock::london_day_starts;
use crate::db::ProviderId;
use crate::form::{optional_date, FieldErrors};
use crate::history::store::{self, HistoryFilter, HistorySort};
use crate::providers::history_words::{describe, describe_without_personal_details, LineView, Names};
use crate::web::form::status_for;
use crate::web::list::{ListQuery, SortKey};
use crate::web::{render_status, with_conn, AppError, AppState};

/// The history's sortable columns, with their headers; without "Who" for those who may not see
/// who made a change.
const COLUMNS_WITHOUT_PEOPLE: [(HistorySort, &str); 3] =
    [(HistorySort::When, "When"), (HistorySort::Record, "Record"), (HistorySort::Change, "Change")];

/// The history's sortable columns, with their headers.
const COLUMNS: [(HistorySort, &str); 4] = [
    (HistorySort::When, "When"),
    (HistorySort::Who, "Who"),
    (HistorySort::Record, "Record"),
    (HistorySort::Change, "Change"),
];

crate::sort_keys!(
    HistorySort,
    default When,
    descending first [When],
    When => "when",
    Who => "who",
    Record => "record",
    Change => "change",
);

/// `GET /providers/{id}/history[?entity=&user=&from=&to=&q=&sort=&dir=&page=]`: a page of the
/// provider's history. A date that cannot be read is said at its field (422), and the rest of the
/// filters still apply.
pub(super) async fn index(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Read).await?;
    let (mut context, can) = provider_page(&state, &user, provider_id).await?;
    // Who changed what, and the values changed, are personal details: only for those who may read
    // named staff records (`ReadStaff`). A commissioner sees when, which record and what was done,
    // and may not search, filter or sort by what they cannot see.
    let named = can.read_staff;
    let mut list: ListQuery<HistorySort> = ListQuery::parse(req.query_string());
    if !named {
        list.q.clear();
        if list.sort == HistorySort::Who {
            list.sort = HistorySort::DEFAULT;
        }
    }
    let entity = Some(list.get("entity").to_string()).filter(|e| !e.is_empty());
    // A filter that is not a number matches no one rather than failing the page.
    let by_user = Some(list.get("user")).filter(|u| named && !u.is_empty()).map(|u| u.parse::<i32>().unwrap_or(-1));
    let mut errors = FieldErrors::default();
    let from = optional_date(&mut errors, "from", list.get("from"));
    let to = optional_date(&mut errors, "to", list.get("to"));
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            errors.add("to", "The end date must be the same as or after the start date");
        }
    }
    let filter = HistoryFilter {
        entity: entity.clone(),
        user_id: by_user,
        from: from.map(london_day_starts),
        before: to.and_then(|to| to.succ_opt()).map(london_day_starts),
        search: list.q.clone(),
    };
    // A date the filters cannot read is said on the page (422), never downloaded past.
    let download = crate::web::download::requested(&req).filter(|_| errors.is_empty());
    let (sort, dir) = (list.sort, list.dir);
    let page = if download.is_some() { crate::db::page::EVERY_ROW } else { list.page };
    let (page, names) = with_conn(&state, move |conn| {
        let page = store::for_organisation(conn, provider_id.0, &filter, sort, dir, page)?;
        let names = if named { Names::for_lines(conn, provider_id, &page.lines.rows)? } else { Names::default() };
        Ok((page, names))
    })
    .await?;
    let base = format!("/providers/{provider_id}/history");
    let view = if named {
        list.view(&base, &COLUMNS, &page.lines)
    } else {
        list.view(&base, &COLUMNS_WITHOUT_PEOPLE, &page.lines)
    };
    context.insert("list", &view);
    let lines: Vec<LineView> = page
        .lines
        .rows
        .iter()
        .map(|line| if named { describe(line, &names) } else { describe_without_personal_details(line) })
        .collect();
    if let Some(format) = download {
        let sheet = history_sheet(&lines, named).noting_total(page.lines.total);
        return crate::web::download::sheet_response(&sheet, format, state.today());
    }
    context.insert("downloads", &crate::web::download::links(&req).noting_total(page.lines.total));
    context.insert("lines", &lines);
    context.insert("entities", &page.entities);
    context.insert("people", if named { page.people.as_slice() } else { &[] });
    context.insert("chosen_entity", &entity.unwrap_or_default());
    context.insert("chosen_user", &by_user.unwrap_or(0));
    context.insert("from", list.get("from"));
    context.insert("to", list.get("to"));
    context.insert("errors", &errors.0);
    let status = status_for(&errors);
    render_status(&state, &req, "providers/history.html", context, status)
}

/// The history as a download: the page's columns, its "When" as the day (a date cell) and the time
/// in London; "Who" only for those the page shows it to, and the changes as the page words them
/// (for a commissioner, the fields changed without their values).
fn history_sheet(lines: &[LineView], named: bool) -> crate::web::download::Sheet {
    use crate::web::download::{Cell, Sheet};
    let mut headers = vec!["Date", "Time"];
    if named {
        headers.push("Who");
    }
    headers.extend(["Record", "Change", if named { "What changed" } else { "Fields changed" }]);
    let mut sheet = Sheet::new("History", &headers);
    for line in lines {
        let at = line.recorded_at.and_utc();
        let mut row = vec![
            Cell::Date(crate::clock::london_date(at)),
            Cell::maybe_text(crate::web::templates::uk_time_text(
                &line.recorded_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            )),
        ];
        if named {
            row.push(Cell::text(line.user_name.clone().unwrap_or_else(|| "System".to_string())));
        }
        let record =
            if line.record.is_empty() { line.entity.clone() } else { format!("{} {}", line.entity, line.record) };
        row.extend([Cell::text(record), Cell::text(line.action.as_str()), Cell::text(line.changes.join("\n"))]);
        sheet.push(row);
    }
    sheet
}
